/**
 * The autoscaler's last decision per revision, as it publishes it for `revision describe`
 * (docs/adr/0008-autoscaler-decisions.md): a knlite-owned ConfigMap `<revision>-autoscaler` in the
 * revision's namespace, owned by the Revision (deleted with it), holding one JSON document under
 * `decision.json`. Shared by the writer (dataplane/autoscaler/publish.ts) and the readers (CLI).
 */
import type { ConfigMap } from './types.js';

/** The ConfigMap key holding the document. */
export const DECISION_KEY = 'decision.json';

/** Label marking the ConfigMaps the autoscaler owns. */
export const DECISION_LABEL = 'autoscaling.knlite.dev/decision';

/** Name of a revision's decision ConfigMap. */
export function decisionConfigMapName(revision: string): string {
  return `${revision}-autoscaler`;
}

/** What the KPA saw and decided on its last tick for one revision. */
export interface AutoscalerDecision {
  revision: string;
  /** When this decision was made (ISO). */
  decidedAt: string;
  class: 'kpa' | 'hpa';
  metric: 'concurrency' | 'rps' | 'cpu' | 'memory';
  /** Inputs: the stable- and panic-window averages of `metric` (revision totals), and ready pods. */
  observed: { stable: number; panic: number; readyPods: number };
  /** Per-pod target T = total × utilization, and the total before utilization. */
  targetPerPod: number;
  totalPerPod: number;
  /** The windows the averages are taken over (seconds). */
  stableWindowSeconds: number;
  panicWindowSeconds: number;
  panic: { active: boolean; since?: string };
  /** floor(ready × total − target-burst-capacity − panic); −1 when TBC is −1 (always proxy). */
  excessBurstCapacity: number;
  /** Knative's activator mode: `proxy` when excess burst capacity is negative, else `serve`. */
  mode: 'proxy' | 'serve';
  /** The decider's count (−1: no data), the bounded count, and what was written to /scale. */
  desiredPods: number;
  want: number;
  replicas?: number;
  /** The rule that bounded the decision and its arithmetic. */
  bound: { rule: string; detail: string };
  /** The PodAutoscaler's Active condition. */
  active: 'Active' | 'Activating' | 'Inactive';
  /** The bounds in force. */
  limits: {
    minScale: number;
    maxScale: number;
    initialScale: number;
    activationScale: number;
    maxScaleUpRate: number;
    maxScaleDownRate: number;
    scaleDownDelaySeconds: number;
    scaleToZeroGracePeriodSeconds: number;
    targetBurstCapacity: number;
  };
  /** The revision's cold starts, measured per stage by the gateway (seconds since queued). */
  coldStarts?: {
    count: number;
    last: { at: string; stages: Record<string, number> };
    /** First-byte quantiles over the recent cold starts. */
    p50: number;
    p99: number;
  };
}

/** Reads the document out of a decision ConfigMap (undefined when absent or unreadable). */
export function readDecision(cm: ConfigMap | undefined): AutoscalerDecision | undefined {
  const text = cm?.data?.[DECISION_KEY];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as AutoscalerDecision;
  } catch {
    return undefined;
  }
}
