/**
 * Generic status steps the driver performs for every Knative kind (genreconciler's
 * PreProcessReconcile), expressed over the condition sets the lifecycle module exports.
 */
import { READY, type ConditionSet } from '../apis/conditions.js';
import type { KnStatus, KubeObject } from '../apis/types.js';

/**
 * Knative marks Ready Unknown `NewObservedGenFailure` when it starts reconciling a generation it has
 * not observed yet; `reconcileKind` is expected to overwrite it. (Not in apis/lifecycle/: a private
 * helper of the driver.)
 */
export function markNewObservedGeneration(
  set: ConditionSet,
  obj: KubeObject & { status?: KnStatus },
  now?: () => Date,
): void {
  const status = (obj.status ??= {});
  if ((status.observedGeneration ?? 0) === (obj.metadata.generation ?? 0)) return;
  set
    .manage(status, now)
    .markUnknown(READY, 'NewObservedGenFailure', 'unsuccessfully observed a new generation');
}
