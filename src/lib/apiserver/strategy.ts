/**
 * What is specific to a kind in the REST verbs, as kube-apiserver's `registry/<kind>/strategy.go`:
 * defaulting, what a create resets, canonical forms, extra validation, and deletion a controller
 * finishes. The verbs themselves (handlers.ts) are the same for every kind; they ask
 * `strategyFor(type)` (strategies/index.ts) at each of these points.
 */
import type { KubeObject } from '../apis/types.js';
import type { ResourceType } from './types.js';
/** A kind's hooks into the generic create/update/delete pipeline; every hook is optional. */
export interface Strategy {
  /** Defaulting of spec fields, run on every decoded write of the main resource. */
  applyDefaults?(obj: KubeObject): void;
  /** PrepareForCreate: defaults and the status a new object starts with. */
  prepareForCreate?(obj: KubeObject): void;
  /** Canonicalize: rewrites write-only sugar into the stored form, on every write. */
  canonicalize?(obj: KubeObject): void;
  /** Validation beyond the schema and ObjectMeta, on writes of the main resource. */
  validate?(obj: KubeObject): void;
  /** ValidateUpdate: what may not change from `old` (after `validate`, on updates of the main resource). */
  validateUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Refuses deleting objects that may never go (throws). */
  checkDelete?(type: ResourceType, name: string): void;
  /**
   * A kind whose deletion a controller finishes: marks `obj` as being deleted and returns true,
   * or returns false when it already is (nothing to write).
   */
  beginDeletion?(obj: KubeObject): boolean;
}

/** Kinds that carry metadata.generation (custom resources and the workload/CRD kinds, as in Kubernetes). */
export function tracksGeneration(type: ResourceType): boolean {
  return !!type.crdName || type.group === 'apps' || type.group === 'apiextensions.k8s.io';
}
