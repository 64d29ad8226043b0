/**
 * The /scale subresource (autoscaling/v1 Scale) of any kind that declares one: read from and
 * written to the owning object at the paths its resource type names.
 */
import type { KubeObject } from '../apis/types.js';
import { invalid } from './errors.js';
import { labelSelectorString } from './selectors.js';
import type { ResourceType } from './types.js';

/** The scale subresource object (autoscaling/v1 Scale). */
export interface Scale {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: KubeObject['metadata'];
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const p of path.replace(/^\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (!cur[p] || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

/** The Scale view of an object. */
export function toScale(type: ResourceType, obj: KubeObject): Scale {
  const s = type.subresources.scale!;
  const selPath = s.labelSelectorPath;
  const sel = selPath ? getPath(obj, selPath) : undefined;
  const selector =
    typeof sel === 'string'
      ? sel
      : sel && typeof sel === 'object'
        ? labelSelectorString(sel as never)
        : undefined;
  const status: Scale['status'] = { replicas: Number(getPath(obj, s.statusReplicasPath) ?? 0) };
  if (selector !== undefined) status.selector = selector;
  const spec = getPath(obj, s.specReplicasPath);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: spec === undefined ? {} : { replicas: Number(spec) },
    status,
  };
}

/** Checks the replicas a Scale asks for and writes them into `obj` (a copy of the stored object). */
export function applyScale(type: ResourceType, name: string, next: Scale, obj: KubeObject): void {
  const replicas = next.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
    throw invalid({ kind: 'Scale', group: 'autoscaling' }, name, [
      {
        field: 'spec.replicas',
        message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        reason: 'FieldValueInvalid',
      },
    ]);
  setPath(obj as Record<string, unknown>, type.subresources.scale!.specReplicasPath, replicas);
}
