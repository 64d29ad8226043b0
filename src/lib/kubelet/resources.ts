/**
 * Pure builders for the objects the runtime reports: the Pod of one process, its status, the
 * Deployment's status (conditions worded like the Deployment controller's) and the Endpoints of a
 * Service. No I/O here; `now` is passed in.
 */
import { controllerRef } from '../apis/owner.js';
import type {
  Condition,
  ContainerStatus,
  Deployment,
  EndpointAddress,
  Endpoints,
  KubeService,
  Pod,
} from '../apis/types.js';
import type { PodProcessState } from './pod-process.js';
import { FROZEN_CONDITION, type FrozenState } from './freeze.js';
import { FROZEN_PODS_ANNOTATION } from '../apis/keys.js';

/**
 * Kubernetes' label on a Deployment's pods naming their template. (Kept here rather than in
 * apis/keys.ts, which holds Knative's keys and is edited concurrently by other components.)
 */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Loopback: where every pod of the local cluster listens. */
export const POD_IP = '127.0.0.1';

/** The Pod object for one replica of `deployment` (status is written separately, via /status). */
export function makePod(deployment: Deployment, name: string, hash: string): Pod {
  const template = deployment.spec.template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: deployment.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash },
      annotations: { ...(template.metadata?.annotations ?? {}) },
      ownerReferences: [controllerRef(deployment, 'apps/v1', 'Deployment')],
    },
    spec: { ...template.spec, nodeName: 'localhost' },
  };
}

/** One container of a pod as the status builder sees it. */
export interface ContainerSnapshot {
  name?: string;
  image?: string;
  state: PodProcessState;
  /** Whether its process was started (init containers and volumes come first). */
  started: boolean;
  /** Why a container that was not started waits (default PodInitializing). */
  waiting?: { reason: string; message?: string };
}

/** A pod as the status builder sees it: init containers in order, then the containers. */
export interface PodSnapshot {
  createdAt: string;
  terminating: boolean;
  readySince?: string;
  initContainers: ContainerSnapshot[];
  containers: ContainerSnapshot[];
  /** Set while the pod is kept as a frozen instance (freeze.ts). */
  frozen?: FrozenState;
  /** kube-scheduler's reason the pod cannot be scheduled (a claim missing or unbound). */
  unschedulable?: string;
}

/** The status of a pod whose (single) container is in `state`. */
export function makePodStatus(
  state: PodProcessState,
  container: { name?: string; image?: string },
): Pod['status'] {
  return makePodStatusFor({
    createdAt: state.createdAt,
    terminating: state.terminating,
    readySince: state.readySince,
    initContainers: [],
    containers: [{ name: container.name, image: container.image, state, started: true }],
  });
}

function containerStatus(c: ContainerSnapshot, terminating: boolean, init: boolean): ContainerStatus {
  const { state } = c;
  const ready = init ? !!state.completed : state.ready && !terminating;
  const cs: ContainerStatus = {
    name: c.name ?? '',
    image: c.image ?? '',
    imageID: '',
    ready,
    started: state.running !== undefined,
    restartCount: state.restartCount,
    state: !c.started
      ? { waiting: c.waiting ?? { reason: 'PodInitializing' } }
      : state.running
        ? { running: { startedAt: state.running.startedAt } }
        : state.completed && state.lastTerminated
          ? { terminated: state.lastTerminated }
          : state.waiting
            ? { waiting: state.waiting }
            : state.lastTerminated
              ? { terminated: state.lastTerminated }
              : { waiting: { reason: 'ContainerCreating' } },
  };
  // While crash-looping, the last run is reported as lastState (like the kubelet does).
  if (state.lastTerminated && !cs.state?.terminated) cs.lastState = { terminated: state.lastTerminated };
  return cs;
}

/**
 * The status of a pod: Pending until every init container completed (Initialized False
 * ContainersNotInitialized), Ready when every container is ready.
 */
export function makePodStatusFor(pod: PodSnapshot): Pod['status'] {
  const { createdAt, terminating } = pod;
  // Not scheduled: no node, no IP, no container statuses; only PodScheduled says why.
  if (pod.unschedulable && !terminating)
    return {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          lastTransitionTime: createdAt,
          reason: 'Unschedulable',
          message: pod.unschedulable,
        },
      ],
    };
  const initStatuses = pod.initContainers.map((c) => containerStatus(c, terminating, true));
  const statuses = pod.containers.map((c) => containerStatus(c, terminating, false));
  const initialized = initStatuses.every((s) => s.ready);
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const ready = initialized && unready.length === 0;
  const readyCondition = (type: string): Condition =>
    ready
      ? { type, status: 'True', lastTransitionTime: pod.readySince ?? createdAt }
      : {
          type,
          status: 'False',
          lastTransitionTime: createdAt,
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${unready.join(' ')}]`,
        };
  const incomplete = initStatuses.filter((s) => !s.ready).map((s) => s.name);
  const running = initialized && pod.containers.some((c) => c.started && c.state.phase === 'Running');
  const status: NonNullable<Pod['status']> = {
    phase: running ? 'Running' : 'Pending',
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: createdAt },
      initialized
        ? { type: 'Initialized', status: 'True', lastTransitionTime: createdAt }
        : {
            type: 'Initialized',
            status: 'False',
            lastTransitionTime: createdAt,
            reason: 'ContainersNotInitialized',
            message: `containers with incomplete status: [${incomplete.join(' ')}]`,
          },
      readyCondition('ContainersReady'),
      readyCondition('Ready'),
    ],
    hostIP: POD_IP,
    podIP: POD_IP,
    startTime: createdAt,
    ...(initStatuses.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
  };
  if (pod.frozen) status.conditions!.push(frozenCondition(pod.frozen));
  return status;
}

/** The `knlite.dev/Frozen` condition of a frozen instance: what it holds and until when. */
export function frozenCondition(f: FrozenState): Condition {
  const mib = (f.rssBytes / (1024 * 1024)).toFixed(1);
  return {
    type: FROZEN_CONDITION,
    status: 'True',
    reason: 'ScaledToZero',
    message: `frozen (SIGSTOP) holding ${mib} MiB until ${f.until}; the next request thaws it instead of starting a process`,
    lastTransitionTime: f.since,
  };
}

/** Counts of one Deployment's replicas, as the runtime sees them. */
export interface ReplicaCounts {
  /** Pods of any template. */
  total: number;
  /** Pods of the current template. */
  updated: number;
  ready: number;
  /** Ready pods of the current template. */
  updatedReady: number;
}

/** What the runtime knows about a Deployment beyond its counts. */
export interface DeploymentFacts {
  counts: ReplicaCounts;
  /** ReplicaSet-style name `<deployment>-<hash>` of the current template. */
  replicaSetName: string;
  /** Set when the template cannot run as a process. */
  notRunnable?: { reason: string; message: string };
  progressDeadlineExceeded: boolean;
  now: string;
}

/** Whether the rollout of the current template is complete (all desired replicas updated and ready). */
export function rolloutComplete(desired: number, counts: ReplicaCounts): boolean {
  return counts.updated === desired && counts.updatedReady === desired && counts.total === desired;
}

/** The Deployment's status, keeping lastTransitionTime of conditions whose status did not change. */
export function makeDeploymentStatus(
  deployment: Deployment,
  facts: DeploymentFacts,
): NonNullable<Deployment['status']> {
  const desired = deployment.spec.replicas ?? 1;
  const { counts, replicaSetName, now } = facts;
  // RollingUpdate's default maxUnavailable is 25%, rounded down.
  const maxUnavailable = Math.floor(desired * 0.25);
  const conditions: Condition[] = [];
  conditions.push(
    counts.ready >= desired - maxUnavailable
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
  );
  if (rolloutComplete(desired, counts)) {
    conditions.push({
      type: 'Progressing',
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${replicaSetName}" has successfully progressed.`,
    });
  } else if (facts.progressDeadlineExceeded) {
    conditions.push({
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${replicaSetName}" has timed out progressing.`,
    });
  } else {
    conditions.push({
      type: 'Progressing',
      status: 'True',
      reason: 'ReplicaSetUpdated',
      message: `ReplicaSet "${replicaSetName}" is progressing.`,
    });
  }
  if (facts.notRunnable) {
    conditions.push({
      type: 'ReplicaFailure',
      status: 'True',
      reason: facts.notRunnable.reason,
      message: facts.notRunnable.message,
    });
  }
  const previous = deployment.status?.conditions ?? [];
  for (const condition of conditions) {
    const before = previous.find((c) => c.type === condition.type);
    condition.lastTransitionTime =
      before && before.status === condition.status && before.lastTransitionTime
        ? isoString(before.lastTransitionTime)
        : now;
  }
  return {
    observedGeneration: deployment.metadata.generation,
    replicas: counts.total,
    updatedReplicas: counts.updated,
    readyReplicas: counts.ready,
    availableReplicas: counts.ready,
    unavailableReplicas: Math.max(0, desired - counts.ready),
    conditions,
  };
}

/** Whether two Deployment statuses say the same thing (ignoring timestamps). */
export function sameDeploymentStatus(a: Deployment['status'], b: Deployment['status']): boolean {
  const strip = (s: Deployment['status']) => ({
    observedGeneration: s?.observedGeneration,
    replicas: s?.replicas ?? 0,
    updatedReplicas: s?.updatedReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    unavailableReplicas: s?.unavailableReplicas ?? 0,
    conditions: (s?.conditions ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '']),
  });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** A pod as the Endpoints builder needs it. */
export interface EndpointPod {
  name: string;
  uid?: string;
  port: number;
  ready: boolean;
  /** A frozen instance (listed not ready, and named in the FROZEN_PODS_ANNOTATION). */
  frozen?: boolean;
}

/** The Endpoints of `service` given its matching, started, non-terminating pods: one subset per pod. */
export function makeEndpoints(service: KubeService, pods: EndpointPod[]): Endpoints {
  const ns = service.metadata.namespace;
  const servicePorts = service.spec.ports?.length
    ? service.spec.ports
    : [{ port: 0 } as { name?: string; port: number }];
  const subsets = [...pods]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((pod) => {
      const address: EndpointAddress = {
        ip: POD_IP,
        nodeName: 'localhost',
        targetRef: { kind: 'Pod', name: pod.name, namespace: ns, ...(pod.uid ? { uid: pod.uid } : {}) },
      } as EndpointAddress;
      // Every Service port leads to the one port this process listens on.
      const ports = servicePorts.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: pod.port,
        protocol: 'TCP',
      }));
      return pod.ready ? { addresses: [address], ports } : { notReadyAddresses: [address], ports };
    });
  const frozen = pods
    .filter((p) => p.frozen && !p.ready)
    .map((p) => p.name)
    .sort();
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: service.metadata.name,
      namespace: ns,
      labels: { ...(service.metadata.labels ?? {}) },
      ...(frozen.length > 0 ? { annotations: { [FROZEN_PODS_ANNOTATION]: frozen.join(',') } } : {}),
      ownerReferences: service.metadata.uid
        ? [{ apiVersion: 'v1', kind: 'Service', name: service.metadata.name!, uid: service.metadata.uid }]
        : undefined,
    },
    subsets,
  };
}

/** Whether `labels` satisfy a Service selector (every selector pair present). */
export function selectorMatches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function isoString(value: unknown): string {
  return value instanceof Date ? value.toISOString().replace(/\.\d{3}Z$/, 'Z') : String(value);
}
