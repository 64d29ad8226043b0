/**
 * `autoscaling.knative.dev/class: hpa.autoscaling.knative.dev` with the cpu metric: Kubernetes
 * HorizontalPodAutoscaler arithmetic on the processes' measured CPU, as a pure function of time
 * (k8s pkg/controller/podautoscaler replica_calculator.go + horizontal.go stabilization).
 */
import type { AutoscalerSpec } from './spec.js';

/** HPA's tolerance: ratios within ±10 % of 1 do not scale. */
export const HPA_TOLERANCE = 0.1;
/** HPA's default scale-down stabilization window. */
export const HPA_DOWNSCALE_STABILIZATION_MS = 300_000;

/** Inputs of one HPA tick. */
export interface HpaStats {
  /** Deployment spec.replicas now. */
  currentReplicas: number;
  /** Average CPU over ready pods as a percent of one pod's requested CPU; undefined = no data. */
  utilization?: number;
  /** Recommendations of the last stabilization window (from the previous result). */
  recent?: { time: number; pods: number }[];
}

/** One HPA decision. */
export interface HpaResult {
  replicas: number;
  recent: { time: number; pods: number }[];
}

/**
 * desired = ceil(current · utilization / target), unless |utilization/target − 1| ≤ 0.1; scale-down
 * takes the highest recommendation of the last 5 minutes; bounds are [max(1, min-scale), max-scale].
 */
export function hpaScale(stats: HpaStats, spec: AutoscalerSpec, now: number): HpaResult {
  const current = Math.max(0, stats.currentReplicas);
  let recommendation = current;
  if (stats.utilization !== undefined && current > 0) {
    const ratio = stats.utilization / spec.target;
    if (Math.abs(ratio - 1) > HPA_TOLERANCE) recommendation = Math.ceil(current * ratio);
  }
  const recent = (stats.recent ?? []).filter((r) => r.time > now - HPA_DOWNSCALE_STABILIZATION_MS);
  recent.push({ time: now, pods: recommendation });
  const stabilized = Math.max(...recent.map((r) => r.pods));
  let replicas = recommendation < current ? Math.min(current, stabilized) : recommendation;
  replicas = Math.max(replicas, Math.max(1, spec.minScale));
  if (spec.maxScale > 0) replicas = Math.min(replicas, spec.maxScale);
  return { replicas, recent };
}
