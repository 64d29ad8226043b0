/**
 * The autoscaler's inputs: `config-autoscaler` defaults merged with a revision's
 * `autoscaling.knative.dev/*` annotations (Knative's pkg/autoscaler/config/config.go,
 * pkg/reconciler/autoscaling/resources/target.go). Pure parsing, no I/O.
 */
import { Annotations, AutoscalingClass } from '../../apis/keys.js';

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

/** Knative's defaults (config/core/configmaps/autoscaler.yaml). */
export const AUTOSCALER_DEFAULTS = {
  'container-concurrency-target-default': '100',
  'container-concurrency-target-percentage': '70',
  'requests-per-second-target-default': '200',
  'target-burst-capacity': '211',
  'stable-window': '60s',
  'panic-window-percentage': '10',
  'panic-threshold-percentage': '200',
  'max-scale-up-rate': '1000',
  'max-scale-down-rate': '2',
  'enable-scale-to-zero': 'true',
  'scale-to-zero-grace-period': '30s',
  'scale-to-zero-pod-retention-period': '0s',
  'initial-scale': '1',
  'allow-zero-initial-scale': 'false',
  'min-scale': '0',
  'max-scale': '0',
  'scale-down-delay': '0s',
  'pod-autoscaler-class': AutoscalingClass.kpa,
} as const;

/** RPS target utilization is not configurable in Knative (autoscaler config TargetUtilization). */
const RPS_UTILIZATION = 0.7;
/** Smallest target Knative allows (autoscaling.TargetMin). */
const TARGET_MIN = 0.01;
/** Default Deployment progress deadline plus Knative's activation-timeout buffer. */
const DEFAULT_ACTIVATION_TIMEOUT_MS = (600 + 30) * 1000;
/** Default HPA CPU target (percent of requested CPU), as Knative's HPA reconciler uses. */
const DEFAULT_HPA_CPU_TARGET = 80;

const GO_DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration ("60s", "1m30s", "500ms", "0") into milliseconds; undefined if malformed. */
export function parseGoDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = text.trim();
  if (s === '0') return 0;
  // A bare integer is read as seconds, like Knative's annotation parser for windows and delays.
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * GO_DURATION_UNITS[m[2]];
    matched += m[0].length;
  }
  return matched === s.length && matched > 0 ? total : undefined;
}

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

/**
 * Builds a revision's autoscaler spec from `config-autoscaler` data and the revision's annotations.
 * Malformed values fall back to the defaults (admission rejects them before they get here).
 */
export function makeAutoscalerSpec(
  annotations: Record<string, string>,
  containerConcurrency: number,
  config: Record<string, string> = {},
): AutoscalerSpec {
  const cfg = (key: keyof typeof AUTOSCALER_DEFAULTS): string => config[key] ?? AUTOSCALER_DEFAULTS[key];
  const cfgNum = (key: keyof typeof AUTOSCALER_DEFAULTS): number =>
    num(cfg(key)) ?? Number(AUTOSCALER_DEFAULTS[key]);
  const cfgDur = (key: keyof typeof AUTOSCALER_DEFAULTS): number =>
    parseGoDuration(cfg(key)) ?? parseGoDuration(AUTOSCALER_DEFAULTS[key])!;
  const ann = (key: string): string | undefined => annotation(annotations, key);

  const cls =
    (ann(Annotations.class) ?? cfg('pod-autoscaler-class')) === AutoscalingClass.hpa ? 'hpa' : 'kpa';
  const metricText = ann(Annotations.metric) ?? (cls === 'hpa' ? 'cpu' : 'concurrency');
  const metric =
    (['concurrency', 'rps', 'cpu', 'memory'] as const).find((m) => m === metricText) ?? 'concurrency';
  const cc = Math.max(0, containerConcurrency);

  // target.go ResolveMetricTarget: total per pod, then utilization.
  let total: number;
  let utilization: number;
  if (metric === 'rps') {
    total = cfgNum('requests-per-second-target-default');
    utilization = RPS_UTILIZATION;
  } else if (metric === 'cpu' || metric === 'memory') {
    total = DEFAULT_HPA_CPU_TARGET;
    utilization = 1;
  } else {
    // containerConcurrency 0 (unlimited) targets container-concurrency-target-default (100).
    total = cc > 0 ? cc : cfgNum('container-concurrency-target-default');
    // "70" → 0.7; values ≤ 1 are already fractions.
    const pct = cfgNum('container-concurrency-target-percentage');
    utilization = pct > 1 ? pct / 100 : pct;
  }
  const annTarget = num(ann(Annotations.target));
  if (annTarget !== undefined) {
    // A hard limit caps the soft target: total = min(target, containerConcurrency).
    total = metric === 'concurrency' && cc > 0 ? Math.min(annTarget, cc) : annTarget;
  }
  const annUtil = num(ann(Annotations.targetUtilization));
  if (annUtil !== undefined) utilization = annUtil / 100;
  const target = Math.max(TARGET_MIN, total * utilization);

  const stableWindowMs = parseGoDuration(ann(Annotations.window)) ?? cfgDur('stable-window');
  const panicPct = num(ann(Annotations.panicWindowPercentage)) ?? cfgNum('panic-window-percentage');
  // W_p = round(W_s · pct / 100), at least one 1-second bucket.
  const panicWindowMs = Math.max(1000, Math.round((stableWindowMs * panicPct) / 100 / 1000) * 1000);
  const panicThresholdPct =
    num(ann(Annotations.panicThresholdPercentage)) ?? cfgNum('panic-threshold-percentage');

  const allowZeroInitial = cfg('allow-zero-initial-scale') === 'true';
  let initialScale = num(ann(Annotations.initialScale)) ?? cfgNum('initial-scale');
  if (initialScale === 0 && !allowZeroInitial) initialScale = 1;

  const minScale = Math.max(0, Math.floor(num(ann(Annotations.minScale)) ?? cfgNum('min-scale')));
  const maxScale = Math.max(0, Math.floor(num(ann(Annotations.maxScale)) ?? cfgNum('max-scale')));
  const activationScale = Math.max(1, Math.floor(num(ann(Annotations.activationScale)) ?? 1));
  const progressDeadlineMs = parseGoDuration(ann(Annotations.progressDeadline));

  return {
    class: cls,
    metric,
    containerConcurrency: cc,
    target,
    total,
    targetBurstCapacity: num(ann(Annotations.targetBurstCapacity)) ?? cfgNum('target-burst-capacity'),
    stableWindowMs,
    panicWindowMs,
    panicThreshold: panicThresholdPct / 100,
    maxScaleUpRate: cfgNum('max-scale-up-rate'),
    maxScaleDownRate: cfgNum('max-scale-down-rate'),
    enableScaleToZero: cfg('enable-scale-to-zero') !== 'false',
    scaleToZeroGracePeriodMs: cfgDur('scale-to-zero-grace-period'),
    scaleToZeroPodRetentionMs:
      parseGoDuration(ann(Annotations.scaleToZeroPodRetentionPeriod)) ??
      cfgDur('scale-to-zero-pod-retention-period'),
    minScale,
    maxScale,
    initialScale,
    activationScale,
    scaleDownDelayMs: parseGoDuration(ann(Annotations.scaleDownDelay)) ?? cfgDur('scale-down-delay'),
    activationTimeoutMs:
      progressDeadlineMs !== undefined ? progressDeadlineMs + 30_000 : DEFAULT_ACTIVATION_TIMEOUT_MS,
  };
}
