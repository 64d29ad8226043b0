/**
 * The autoscaler's inputs: the validated `config-autoscaler` merged with a revision's
 * `autoscaling.knative.dev/*` annotations (Knative's pkg/autoscaler/config/config.go,
 * pkg/reconciler/autoscaling/resources/target.go). Pure parsing, no I/O.
 */
import { parseAutoscalerConfig, type AutoscalerConfig } from '../../apis/config/autoscaler.js';
import { parseGoDuration } from '../../apis/durations.js';
import { Annotations, AutoscalingClass } from '../../apis/keys.js';

/** config-autoscaler at Knative's shipped defaults. */
const DEFAULT_AUTOSCALER_CONFIG: AutoscalerConfig = parseAutoscalerConfig(undefined);

/** Everything `scale()` needs to know about one revision, durations in milliseconds. */
export interface AutoscalerSpec {
  /** `kpa` (request-driven) or `hpa` (CPU/memory, Kubernetes HPA arithmetic). */
  class: 'kpa' | 'hpa';
  metric: 'concurrency' | 'rps' | 'cpu' | 'memory';
  containerConcurrency: number;
  /** Per-pod target value T = max(0.01, total · utilization). */
  target: number;
  /** Per-pod total capacity (before utilization), used for excess burst capacity. */
  total: number;
  targetBurstCapacity: number;
  stableWindowMs: number;
  panicWindowMs: number;
  /** Panic threshold as a fraction: 200% → 2. */
  panicThreshold: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  enableScaleToZero: boolean;
  scaleToZeroGracePeriodMs: number;
  scaleToZeroPodRetentionMs: number;
  minScale: number;
  /** 0 = unbounded. */
  maxScale: number;
  initialScale: number;
  activationScale: number;
  scaleDownDelayMs: number;
  /** How long a revision may stay Activating before it may be scaled to zero (progress deadline + 30s). */
  activationTimeoutMs: number;
}

/** RPS target utilization is not configurable in Knative (autoscaler config TargetUtilization). */
const RPS_UTILIZATION = 0.7;
/** Smallest target Knative allows (autoscaling.TargetMin). */
const TARGET_MIN = 0.01;
/** Default Deployment progress deadline plus Knative's activation-timeout buffer. */
const DEFAULT_ACTIVATION_TIMEOUT_MS = (600 + 30) * 1000;
/** Default HPA CPU target (percent of requested CPU), as Knative's HPA reconciler uses. */
const DEFAULT_HPA_CPU_TARGET = 80;

function num(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Reads an annotation, falling back to Knative's legacy camelCase alias (`minScale`, ...). */
function annotation(annotations: Record<string, string>, key: string): string | undefined {
  if (annotations[key] !== undefined) return annotations[key];
  const short = key.slice(key.indexOf('/') + 1);
  const camel = short.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return annotations[`${key.slice(0, key.indexOf('/') + 1)}${camel}`];
}

/** A duration annotation in milliseconds, or undefined when absent or malformed. */
function duration(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseGoDuration(text.trim());
}

/**
 * Builds a revision's autoscaler spec from the validated `config-autoscaler` (the last good one)
 * and the revision's annotations. Malformed annotations fall back to the config (admission rejects
 * them before they get here).
 */
export function makeAutoscalerSpec(
  annotations: Record<string, string>,
  containerConcurrency: number,
  config: AutoscalerConfig = DEFAULT_AUTOSCALER_CONFIG,
): AutoscalerSpec {
  const ann = (key: string): string | undefined => annotation(annotations, key);

  const cls = (ann(Annotations.class) ?? config.podAutoscalerClass) === AutoscalingClass.hpa ? 'hpa' : 'kpa';
  const metricText = ann(Annotations.metric) ?? (cls === 'hpa' ? 'cpu' : 'concurrency');
  const metric =
    (['concurrency', 'rps', 'cpu', 'memory'] as const).find((m) => m === metricText) ?? 'concurrency';
  const cc = Math.max(0, containerConcurrency);

  // target.go ResolveMetricTarget: total per pod, then utilization.
  let total: number;
  let utilization: number;
  if (metric === 'rps') {
    total = config.rpsTargetDefault;
    utilization = RPS_UTILIZATION;
  } else if (metric === 'cpu' || metric === 'memory') {
    total = DEFAULT_HPA_CPU_TARGET;
    utilization = 1;
  } else {
    // containerConcurrency 0 (unlimited) targets container-concurrency-target-default (100).
    total = cc > 0 ? cc : config.containerConcurrencyTargetDefault;
    utilization = config.containerConcurrencyTargetFraction;
  }
  const annTarget = num(ann(Annotations.target));
  if (annTarget !== undefined) {
    // A hard limit caps the soft target: total = min(target, containerConcurrency).
    total = metric === 'concurrency' && cc > 0 ? Math.min(annTarget, cc) : annTarget;
  }
  const annUtil = num(ann(Annotations.targetUtilization));
  if (annUtil !== undefined) utilization = annUtil / 100;
  const target = Math.max(TARGET_MIN, total * utilization);

  const stableWindowMs = duration(ann(Annotations.window)) ?? config.stableWindow;
  const panicPct = num(ann(Annotations.panicWindowPercentage)) ?? config.panicWindowPercentage;
  // W_p = round(W_s · pct / 100), at least one 1-second bucket.
  const panicWindowMs = Math.max(1000, Math.round((stableWindowMs * panicPct) / 100 / 1000) * 1000);
  const panicThresholdPct = num(ann(Annotations.panicThresholdPercentage)) ?? config.panicThresholdPercentage;

  let initialScale = num(ann(Annotations.initialScale)) ?? config.initialScale;
  if (initialScale === 0 && !config.allowZeroInitialScale) initialScale = 1;

  let minScale = Math.max(0, Math.floor(num(ann(Annotations.minScale)) ?? config.minScale));
  // A rollout moving traffic away caps min-scale to the share the revision keeps (rollout/capacity.ts).
  const rolloutMin = num(annotations[Annotations.rolloutMinScale]);
  if (rolloutMin !== undefined && rolloutMin >= 0) minScale = Math.min(minScale, Math.floor(rolloutMin));
  const maxScale = Math.max(0, Math.floor(num(ann(Annotations.maxScale)) ?? config.maxScale));
  const activationScale = Math.max(1, Math.floor(num(ann(Annotations.activationScale)) ?? 1));
  const progressDeadlineMs = duration(ann(Annotations.progressDeadline));

  return {
    class: cls,
    metric,
    containerConcurrency: cc,
    target,
    total,
    targetBurstCapacity: num(ann(Annotations.targetBurstCapacity)) ?? config.targetBurstCapacity,
    stableWindowMs,
    panicWindowMs,
    panicThreshold: panicThresholdPct / 100,
    maxScaleUpRate: config.maxScaleUpRate,
    maxScaleDownRate: config.maxScaleDownRate,
    enableScaleToZero: config.enableScaleToZero,
    scaleToZeroGracePeriodMs: config.scaleToZeroGracePeriod,
    scaleToZeroPodRetentionMs:
      duration(ann(Annotations.scaleToZeroPodRetentionPeriod)) ?? config.scaleToZeroPodRetentionPeriod,
    minScale,
    maxScale,
    initialScale,
    activationScale,
    scaleDownDelayMs: duration(ann(Annotations.scaleDownDelay)) ?? config.scaleDownDelay,
    activationTimeoutMs:
      progressDeadlineMs !== undefined ? progressDeadlineMs + 30_000 : DEFAULT_ACTIVATION_TIMEOUT_MS,
  };
}
