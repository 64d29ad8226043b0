/**
 * The apps/v1 Deployment of a Revision (Knative's `MakeDeployment`, without queue-proxy): the user's
 * containers with the serving container's port named `user-port` and `PORT`, `K_REVISION`,
 * `K_CONFIGURATION`, `K_SERVICE` appended; readiness probes aimed at the user port (Knative's
 * queue-proxy would run them; the runtime honours them directly).
 */
import { Annotations, Labels } from '../../../apis/keys.js';
import type { Container, Deployment, PodTemplateSpec, Probe, Revision } from '../../../apis/types.js';
import { controllerRef } from '../../../apis/owner.js';
import { deploymentName } from './names.js';

/** Port the user container listens on when none is declared (Knative's default). */
export const DEFAULT_USER_PORT = 8080;

/** Knative's default revision timeout, used as the pod's termination grace period. */
const DEFAULT_TIMEOUT_SECONDS = 300;

/** Knative-only RevisionSpec fields that are not part of a PodSpec. */
const KNATIVE_ONLY_FIELDS = [
  'containerConcurrency',
  'timeoutSeconds',
  'responseStartTimeoutSeconds',
  'idleTimeoutSeconds',
];

/** The container that receives traffic: the one with a port, else the only one. */
export function servingContainer(rev: Revision): Container | undefined {
  const cs = rev.spec.containers ?? [];
  return cs.find((c) => (c.ports?.length ?? 0) > 0) ?? cs[0];
}

/** The port the serving container listens on (its declared port, else 8080). */
export function userPort(rev: Revision): number {
  return servingContainer(rev)?.ports?.[0]?.containerPort ?? DEFAULT_USER_PORT;
}

/** Labels on the Deployment and its pods: the revision's labels plus revision/revisionUID/app. */
export function podLabels(rev: Revision): Record<string, string> {
  const labels: Record<string, string> = { ...(rev.metadata.labels ?? {}) };
  // Routing bookkeeping changes often and must not roll the pods.
  delete labels[Labels.routingState];
  labels[Labels.revision] = rev.metadata.name!;
  if (rev.metadata.uid) labels[Labels.revisionUID] = rev.metadata.uid;
  labels[Labels.app] = rev.metadata.name!;
  return labels;
}

/** Revision annotations that belong on the Deployment (routing bookkeeping excluded). */
function deploymentAnnotations(rev: Revision): Record<string, string> {
  const a = { ...(rev.metadata.annotations ?? {}) };
  delete a[Annotations.routes];
  delete a[Annotations.routingStateModified];
  // Set and removed by rollouts while the revision runs: must not roll its pods.
  delete a[Annotations.rolloutMinScale];
  return a;
}

function aimProbe(probe: Probe | undefined, port: number): Probe | undefined {
  if (!probe) return undefined;
  const p = structuredClone(probe);
  // Knative defaults probes to port 0 meaning "the user port".
  if (p.tcpSocket && !p.tcpSocket.port) p.tcpSocket.port = port;
  if (p.httpGet && !p.httpGet.port) p.httpGet.port = port;
  return p;
}

/** The pod template: user containers with Knative's env and port, the rest of the PodSpec as given. */
export function makePodSpec(rev: Revision): PodTemplateSpec['spec'] {
  const spec = structuredClone(rev.spec) as PodTemplateSpec['spec'];
  for (const f of KNATIVE_ONLY_FIELDS) delete spec[f];
  const serving = servingContainer(rev);
  const port = userPort(rev);
  const labels = rev.metadata.labels ?? {};
  spec.containers = (rev.spec.containers ?? []).map((c) => {
    if (c !== serving) return structuredClone(c);
    const out = structuredClone(c);
    out.ports = [{ name: 'user-port', containerPort: port, protocol: 'TCP' }];
    out.env = [
      ...(c.env ?? []),
      { name: 'PORT', value: String(port) },
      { name: 'K_REVISION', value: rev.metadata.name! },
      { name: 'K_CONFIGURATION', value: labels[Labels.configuration] ?? '' },
      { name: 'K_SERVICE', value: labels[Labels.service] ?? '' },
    ];
    const probe = aimProbe(c.readinessProbe, port);
    if (probe) out.readinessProbe = probe;
    out.terminationMessagePolicy ??= 'FallbackToLogsOnError';
    return out;
  });
  spec.terminationGracePeriodSeconds = rev.spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  return spec;
}

/** Deployment sizing and deadline inputs (resolved from annotations and config by the reconciler). */
export interface DeploymentParams {
  /** Replicas on create only; afterwards the autoscaler owns spec.replicas. */
  initialReplicas: number;
  progressDeadlineSeconds: number;
}

/** The Deployment `<rev>-deployment`, controlled by the Revision. */
export function makeDeployment(rev: Revision, params: DeploymentParams): Deployment {
  const labels = podLabels(rev);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(rev),
      namespace: rev.metadata.namespace,
      labels,
      annotations: deploymentAnnotations(rev),
      ownerReferences: [controllerRef(rev, 'serving.knative.dev/v1', 'Revision')],
    },
    spec: {
      replicas: params.initialReplicas,
      selector: { matchLabels: { [Labels.revision]: rev.metadata.name! } },
      progressDeadlineSeconds: params.progressDeadlineSeconds,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      template: {
        metadata: { labels, annotations: deploymentAnnotations(rev) },
        spec: makePodSpec(rev),
      },
    },
  };
}
