/**
 * Rollouts that do not need twice the capacity: while traffic moves to the candidate, each old
 * revision's min-scale shrinks in proportion to the traffic it keeps — `ceil(min-scale × kept%)`,
 * at least 1 while it keeps any — through the knlite annotation `autoscaling.knlite.dev/
 * rollout-min-scale`, which the autoscaler takes as a lower cap on min-scale and which never rolls
 * the revision's pods (the reconciler leaves it off the pod template). The engine sets it before
 * each step and removes it when the rollout finishes or rolls back.
 */
import { Annotations } from '../apis/keys.js';
import type { Revision, TrafficTarget } from '../apis/types.js';

/** The percent of `traffic` that names `revision` directly. */
export function keptPercent(traffic: readonly TrafficTarget[], revision: string): number {
  return traffic.filter((t) => t.revisionName === revision).reduce((sum, t) => sum + (t.percent ?? 0), 0);
}

/** The revision's own min-scale annotation (0 when absent or not a whole number). */
export function declaredMinScale(rev: Revision): number {
  const v =
    rev.metadata.annotations?.[Annotations.minScale] ??
    rev.metadata.annotations?.['autoscaling.knative.dev/minScale'];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

/**
 * The min-scale an old revision needs while it keeps `kept` percent: ceil(min × kept / 100), at
 * least 1 while it keeps any traffic; undefined when nothing shrinks (no min-scale, or all of it kept).
 */
export function shrunkMinScale(minScale: number, kept: number): number | undefined {
  if (minScale <= 0 || kept >= 100) return undefined;
  if (kept <= 0) return 0;
  return Math.max(1, Math.ceil((minScale * kept) / 100));
}
