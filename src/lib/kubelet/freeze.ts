/**
 * Frozen instances instead of cold starts (docs/adr/0009-frozen-instances.md): when a Deployment
 * whose revision sets `autoscaling.knlite.dev/frozen-retention` (or config-autoscaler's
 * `frozen-retention`) goes to 0 replicas, the runtime keeps its last ready instance with every
 * process of its group stopped (SIGSTOP: memory held, no CPU) for that long; when replicas go back
 * to 1 it sends SIGCONT instead of spawning a process. Every container of the pod is frozen and
 * thawed together (pod.ts). Here: the retention lookup and what a frozen pod reports.
 */
import { parseGoDuration } from '../apis/durations.js';
import { Annotations, FROZEN_POD_CONDITION } from '../apis/keys.js';
import type { Deployment } from '../apis/types.js';

/** The pod condition a frozen instance carries (Ready is False meanwhile). */
export const FROZEN_CONDITION = FROZEN_POD_CONDITION;

/** What a frozen instance reports on its pod. */
export interface FrozenState {
  /** ISO time it was frozen. */
  since: string;
  /** ISO time it will be stopped for good unless a request thaws it first. */
  until: string;
  /** Resident memory of its process group when it was frozen. */
  rssBytes: number;
}

/**
 * The Deployment's frozen retention in ms from its (revision-copied) annotation: undefined when the
 * annotation is absent (the config default applies), 0 for `off` or an unparseable value.
 */
export function annotatedFrozenRetentionMs(d: Deployment): number | undefined {
  const v = d.metadata.annotations?.[Annotations.frozenRetention];
  if (v === undefined) return undefined;
  if (v.trim().toLowerCase() === 'off') return 0;
  return Math.max(0, parseGoDuration(v.trim()) ?? 0);
}
