/**
 * Which Revisions of a Configuration Knative's GC deletes (pkg/reconciler/gc/gc.go `collect`).
 * Pure: given the revisions, the config and the time, returns the names to delete (oldest first).
 */
import { DISABLED, type GCConfig } from '../../../apis/config/gc.js';
import { Annotations, Labels, RoutingState } from '../../../apis/keys.js';
import type { Configuration, Revision } from '../../../apis/types.js';

/** When a revision was last routed to: routingStateModified if parseable, else its creation. */
export function lastActive(rev: Revision): number {
  const modified = Date.parse(rev.metadata.annotations?.[Annotations.routingStateModified] ?? '');
  return Number.isNaN(modified) ? Date.parse(rev.metadata.creationTimestamp ?? '') || 0 : modified;
}

/** Active = latest ready, pinned by `no-gc: "true"`, or routingState not `reserve`. */
function isActive(rev: Revision, config: Configuration): boolean {
  if (rev.metadata.name === config.status?.latestReadyRevisionName) return true;
  if ((rev.metadata.annotations?.[Annotations.noGC] ?? '').toLowerCase() === 'true') return true;
  return rev.metadata.labels?.[Labels.routingState] !== RoutingState.reserve;
}

/** The result of one GC pass: revisions to delete, and when a kept one would next become stale. */
export interface Collection {
  delete: string[];
  /** ms from now until the oldest kept candidate turns stale (undefined: nothing pending). */
  recheckAfter?: number;
}

/** Knative's collect(): never touches active revisions; honours min/max and both retention windows. */
export function collect(config: Configuration, revisions: Revision[], gc: GCConfig, now: number): Collection {
  const {
    retainSinceCreateTime: createTTL,
    retainSinceLastActiveTime: activeTTL,
    minNonActiveRevisions: min,
    maxNonActiveRevisions: max,
  } = gc;
  if (max === DISABLED && createTTL === DISABLED && activeTTL === DISABLED) return { delete: [] };
  if (revisions.length <= min) return { delete: [] };

  const candidates = revisions.filter((r) => !isActive(r, config));
  if (candidates.length <= min) return { delete: [] };
  candidates.sort((a, b) => lastActive(a) - lastActive(b));

  const deleted = new Set<string>();
  let recheckAfter: number | undefined;
  const timeBased = createTTL !== DISABLED || activeTTL !== DISABLED;
  if (timeBased) {
    for (const rev of candidates) {
      // Down to `min` non-active revisions: Knative stops the whole pass here.
      if (deleted.size >= candidates.length - min)
        return { delete: namesIn(candidates, deleted), recheckAfter };
      const created = Date.parse(rev.metadata.creationTimestamp ?? '') || 0;
      const createdOk = createTTL === DISABLED || now - created >= createTTL;
      const activeOk = activeTTL === DISABLED || now - lastActive(rev) >= activeTTL;
      if (createdOk && activeOk) {
        deleted.add(rev.metadata.name!);
        continue;
      }
      const waits = [
        createTTL === DISABLED ? 0 : created + createTTL - now,
        activeTTL === DISABLED ? 0 : lastActive(rev) + activeTTL - now,
      ];
      const wait = Math.max(...waits);
      recheckAfter = recheckAfter === undefined ? wait : Math.min(recheckAfter, wait);
    }
  }

  // Over the cap: delete the oldest remaining ones regardless of staleness until exactly max remain.
  if (max !== DISABLED) {
    let remaining = candidates.length - deleted.size;
    for (const rev of candidates) {
      if (remaining <= max) break;
      if (deleted.has(rev.metadata.name!)) continue;
      deleted.add(rev.metadata.name!);
      remaining--;
    }
  }
  return { delete: namesIn(candidates, deleted), recheckAfter };
}

const namesIn = (revs: Revision[], names: Set<string>): string[] =>
  revs.filter((r) => names.has(r.metadata.name!)).map((r) => r.metadata.name!);
