/**
 * ReplicaSet bookkeeping for the runtime's Deployments, as kube-controller-manager's deployment
 * controller keeps it (pkg/controller/deployment/sync.go): one apps/v1 ReplicaSet per pod-template
 * hash, named `<deployment>-<hash>`, controlled by the Deployment (so it goes with it), carrying
 * the Deployment's annotations and `deployment.kubernetes.io/revision`. The newest template gets
 * the next revision — also when an older template comes back (`kubectl rollout undo`), whose
 * earlier revisions go to `deployment.kubernetes.io/revision-history`. Old ReplicaSets are scaled
 * to zero and pruned beyond `spec.revisionHistoryLimit`. Pods stay owned by the Deployment: the
 * runtime runs them itself.
 *
 * The builders here are pure; `syncReplicaSets` does the writes, by server-side apply.
 */
import { controllerRef, isControlledBy } from '../apis/owner.js';
import type { Deployment, KubeObject, PodTemplateSpec } from '../apis/types.js';
import { isNotFound } from '../kube/errors.js';
import { Kinds } from '../kube/kinds.js';
import type { RestClient } from '../kube/rest.js';
import { POD_TEMPLATE_HASH_LABEL } from './resources.js';

/** The Deployment controller's revision annotation (on the Deployment and its ReplicaSets). */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** Earlier revisions of a ReplicaSet whose template came back. */
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/** Deployment annotations the controller does not copy to ReplicaSets. */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
]);

const FIELD_MANAGER = 'knlite-deployment-controller';

/** An apps/v1 ReplicaSet (what the runtime writes). */
export interface ReplicaSet extends KubeObject {
  spec: {
    replicas: number;
    selector: { matchLabels?: Record<string, string> };
    template: PodTemplateSpec;
  };
  status?: {
    replicas: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
  };
}

/** How many pods of one template run, and how many are ready. */
export interface TemplateCounts {
  replicas: number;
  ready: number;
}

/** The revision a ReplicaSet carries (0 when none). */
export function revisionOf(obj: KubeObject): number {
  const n = Number(obj.metadata.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** The `<deployment>-<hash>` name of the ReplicaSet of a template. */
export function replicaSetName(deployment: Deployment, hash: string): string {
  return `${deployment.metadata.name}-${hash}`;
}

/**
 * The ReplicaSet of `deployment`'s template `hash` at `revision`, asking for `replicas` pods.
 * `history` is the earlier revisions of the same template, if it came back.
 */
export function makeReplicaSet(
  deployment: Deployment,
  hash: string,
  revision: number,
  replicas: number,
  history: number[] = [],
): ReplicaSet {
  const template = deployment.spec.template;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(deployment.metadata.annotations ?? {}))
    if (!NOT_COPIED.has(k)) annotations[k] = v;
  annotations[REVISION_ANNOTATION] = String(revision);
  if (history.length) annotations[REVISION_HISTORY_ANNOTATION] = history.join(',');
  const desired = deployment.spec.replicas ?? 1;
  annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
  // RollingUpdate's default maxSurge is 25%, rounded up.
  annotations[MAX_REPLICAS_ANNOTATION] = String(desired + Math.ceil(desired * 0.25));
  const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: replicaSetName(deployment, hash),
      namespace: deployment.metadata.namespace,
      labels,
      annotations,
      ownerReferences: [controllerRef(deployment, 'apps/v1', 'Deployment')],
    },
    spec: {
      replicas,
      selector: {
        matchLabels: { ...(deployment.spec.selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash },
      },
      template: { ...template, metadata: { ...(template.metadata ?? {}), labels } },
    },
  };
}

/** The ReplicaSets a Deployment controls. */
function controlledBy(deployment: Deployment, all: KubeObject[]): ReplicaSet[] {
  return all.filter((rs) => isControlledBy(rs, deployment)) as ReplicaSet[];
}

/**
 * Brings the Deployment's ReplicaSets in line with what runs: the current template's at the
 * newest revision with `current` pods, the others at zero with `others[hash]` pods, the oldest
 * beyond the history limit deleted, and the Deployment's revision annotation set. Returns the
 * current revision.
 */
export async function syncReplicaSets(
  rest: RestClient,
  deployment: Deployment,
  hash: string,
  current: TemplateCounts,
  others: Map<string, TemplateCounts>,
): Promise<number> {
  const namespace = deployment.metadata.namespace!;
  // The Deployment's selector narrows the list to its own ReplicaSets (and any it would adopt).
  const labelSelector = Object.entries(deployment.spec.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const list = await rest.list<KubeObject>(Kinds.replicaSet, { namespace, labelSelector });
  const owned = controlledBy(deployment, list.items);
  const name = replicaSetName(deployment, hash);
  const mine = owned.find((rs) => rs.metadata.name === name);
  const maxOther = Math.max(0, ...owned.filter((rs) => rs !== mine).map(revisionOf));
  let revision = mine ? revisionOf(mine) : 0;
  const history = (mine?.metadata.annotations?.[REVISION_HISTORY_ANNOTATION] ?? '')
    .split(',')
    .filter(Boolean)
    .map(Number);
  if (revision <= maxOther) {
    // A new template, or an old one back again: it becomes the newest revision.
    if (revision > 0) history.push(revision);
    revision = maxOther + 1;
  }
  const writeStatus = (rsName: string, counts: TemplateCounts) =>
    rest.patch(
      Kinds.replicaSet,
      namespace,
      rsName,
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: rsName },
        status: {
          replicas: counts.replicas,
          fullyLabeledReplicas: counts.replicas,
          readyReplicas: counts.ready,
          availableReplicas: counts.ready,
          observedGeneration: 1,
        },
      },
      'apply',
      { fieldManager: FIELD_MANAGER, force: true, subresource: 'status' },
    );
  const rs = makeReplicaSet(deployment, hash, revision, deployment.spec.replicas ?? 1, history);
  await rest.patch(Kinds.replicaSet, namespace, name, rs, 'apply', {
    fieldManager: FIELD_MANAGER,
    force: true,
  });
  await writeStatus(name, current);
  const old = owned.filter((o) => o.metadata.name !== name);
  for (const o of old) {
    // Old templates keep their annotations (their change-cause): only their scale moves.
    const counts = others.get(o.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '') ?? {
      replicas: 0,
      ready: 0,
    };
    if (o.spec.replicas !== 0)
      await rest.patch(Kinds.replicaSet, namespace, o.metadata.name!, { spec: { replicas: 0 } });
    if ((o.status?.replicas ?? 0) !== counts.replicas || (o.status?.readyReplicas ?? 0) !== counts.ready)
      await writeStatus(o.metadata.name!, counts);
  }
  // Keep revisionHistoryLimit old ReplicaSets (default 10) that no longer run anything.
  const limit = (deployment.spec as { revisionHistoryLimit?: number }).revisionHistoryLimit ?? 10;
  const idle = old
    .filter((rs) => !others.get(rs.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '')?.replicas)
    .sort((a, b) => revisionOf(a) - revisionOf(b));
  for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
    try {
      await rest.delete(Kinds.replicaSet, namespace, rs.metadata.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  if (deployment.metadata.annotations?.[REVISION_ANNOTATION] !== String(revision)) {
    await rest.patch(Kinds.deployment, namespace, deployment.metadata.name!, {
      metadata: { annotations: { [REVISION_ANNOTATION]: String(revision) } },
    });
  }
  return revision;
}
