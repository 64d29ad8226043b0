/**
 * config-autoscaler: the KPA/HPA settings and their checks (pkg/autoscaler/config), plus knlite's
 * `frozen-retention`.
 */
import { formatGoDuration, parseGoDuration } from '../durations.js';
import { AutoscalingClass } from '../keys.js';
import type { ConfigMap } from '../types.js';
import { ConfigError, HOUR, dataOf, asInt, asFloat, asBool, asDuration } from './parse.js';

/** Bounds Knative uses for autoscaling windows and targets (pkg/apis/autoscaling/register.go). */
export const AutoscalingBounds = {
  windowMin: 6_000,
  windowMax: HOUR,
  targetMin: 0.01,
  panicWindowPercentageMin: 1,
  panicWindowPercentageMax: 100,
  panicThresholdPercentageMin: 110,
  panicThresholdPercentageMax: 1000,
} as const;

/** config-autoscaler (durations in milliseconds; the target percentage as a fraction). */
export interface AutoscalerConfig {
  enableScaleToZero: boolean;
  containerConcurrencyTargetFraction: number;
  containerConcurrencyTargetDefault: number;
  rpsTargetDefault: number;
  targetBurstCapacity: number;
  activatorCapacity: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  stableWindow: number;
  panicWindowPercentage: number;
  panicThresholdPercentage: number;
  scaleToZeroGracePeriod: number;
  scaleToZeroPodRetentionPeriod: number;
  tickInterval: number;
  podAutoscalerClass: string;
  allowZeroInitialScale: boolean;
  initialScale: number;
  minScale: number;
  maxScale: number;
  maxScaleLimit: number;
  scaleDownDelay: number;
  /** knlite: how long scale-to-zero keeps the last instance frozen (0 = off, Knative's behaviour). */
  frozenRetention: number;
}

/** Parses config-autoscaler with Knative's defaults and the checks of autoscaler/config.validate. */
export function parseAutoscalerConfig(cm: ConfigMap | undefined): AutoscalerConfig {
  const d = dataOf(cm);
  const c: AutoscalerConfig = {
    enableScaleToZero: asBool(d, 'enable-scale-to-zero', true),
    containerConcurrencyTargetFraction: asFloat(d, 'container-concurrency-target-percentage', 70),
    containerConcurrencyTargetDefault: asFloat(d, 'container-concurrency-target-default', 100),
    rpsTargetDefault: asFloat(d, 'requests-per-second-target-default', 200),
    targetBurstCapacity: asFloat(d, 'target-burst-capacity', 211),
    activatorCapacity: asFloat(d, 'activator-capacity', 100),
    maxScaleUpRate: asFloat(d, 'max-scale-up-rate', 1000),
    maxScaleDownRate: asFloat(d, 'max-scale-down-rate', 2),
    stableWindow: asDuration(d, 'stable-window', 60_000),
    panicWindowPercentage: asFloat(d, 'panic-window-percentage', 10),
    panicThresholdPercentage: asFloat(d, 'panic-threshold-percentage', 200),
    scaleToZeroGracePeriod: asDuration(d, 'scale-to-zero-grace-period', 30_000),
    scaleToZeroPodRetentionPeriod: asDuration(d, 'scale-to-zero-pod-retention-period', 0),
    tickInterval: asDuration(d, 'tick-interval', 2_000),
    podAutoscalerClass: d['pod-autoscaler-class'] || AutoscalingClass.kpa,
    allowZeroInitialScale: asBool(d, 'allow-zero-initial-scale', false),
    initialScale: asInt(d, 'initial-scale', 1),
    minScale: asInt(d, 'min-scale', 0),
    maxScale: asInt(d, 'max-scale', 0),
    maxScaleLimit: asInt(d, 'max-scale-limit', 0),
    scaleDownDelay: asDuration(d, 'scale-down-delay', 0),
    frozenRetention: offOrDuration(d, 'frozen-retention'),
  };
  // For legacy reasons values in (0, 1] are fractions; larger ones are percentages.
  if (c.containerConcurrencyTargetFraction > 1) c.containerConcurrencyTargetFraction /= 100;
  validateAutoscalerConfig(c);
  return c;
}

// knlite's `frozen-retention`: "off" (the default), "0s", or a duration up to an hour.
function offOrDuration(data: Record<string, string>, key: string): number {
  const v = (data[key] ?? '').trim();
  if (v === '' || v.toLowerCase() === 'off') return 0;
  const d = parseGoDuration(v);
  if (d === undefined) throw new ConfigError(`failed to parse ${key}: time: invalid duration "${v}"`);
  if (d < 0 || d > AutoscalingBounds.windowMax)
    throw new ConfigError(
      `${key} = ${v}, must be "off" or in [0s; ${formatGoDuration(AutoscalingBounds.windowMax)}] range`,
    );
  return d;
}

function validateAutoscalerConfig(c: AutoscalerConfig): void {
  const B = AutoscalingBounds;
  const fail = (m: string) => {
    throw new ConfigError(m);
  };
  const dur = formatGoDuration;
  if (c.scaleToZeroGracePeriod < B.windowMin) {
    fail(
      `scale-to-zero-grace-period must be at least ${dur(B.windowMin)}, was: ${dur(c.scaleToZeroGracePeriod)}`,
    );
  }
  if (c.scaleDownDelay < 0) fail(`scale-down-delay cannot be negative, was: ${dur(c.scaleDownDelay)}`);
  if (c.scaleDownDelay % 1000 !== 0) {
    fail(`scale-down-delay = ${dur(c.scaleDownDelay)}, must be specified with at most second precision`);
  }
  if (c.scaleToZeroPodRetentionPeriod < 0) {
    fail(
      `scale-to-zero-pod-retention-period cannot be negative, was: ${dur(c.scaleToZeroPodRetentionPeriod)}`,
    );
  }
  if (c.targetBurstCapacity < 0 && c.targetBurstCapacity !== -1) {
    fail(
      `target-burst-capacity must be either non-negative or -1 (for unlimited), was: ${c.targetBurstCapacity}`,
    );
  }
  if (c.containerConcurrencyTargetFraction <= 0 || c.containerConcurrencyTargetFraction > 1) {
    fail(
      `container-concurrency-target-percentage = ${c.containerConcurrencyTargetFraction} is outside of valid range of (0, 100]`,
    );
  }
  const target = c.containerConcurrencyTargetFraction * c.containerConcurrencyTargetDefault;
  if (target < B.targetMin) {
    fail(
      `container-concurrency-target-percentage and container-concurrency-target-default yield target concurrency of ${target}, can't be less than ${B.targetMin}`,
    );
  }
  if (c.rpsTargetDefault < B.targetMin) {
    fail(`requests-per-second-target-default must be at least ${B.targetMin}, was ${c.rpsTargetDefault}`);
  }
  if (c.activatorCapacity < 1) fail(`activator-capacity = ${c.activatorCapacity}, must be at least 1`);
  if (c.maxScaleUpRate <= 1) fail(`max-scale-up-rate = ${c.maxScaleUpRate}, must be greater than 1.0`);
  if (c.maxScaleDownRate <= 1) fail(`max-scale-down-rate = ${c.maxScaleDownRate}, must be greater than 1.0`);
  if (c.stableWindow < B.windowMin || c.stableWindow > B.windowMax) {
    fail(
      `stable-window = ${dur(c.stableWindow)}, must be in [${dur(B.windowMin)}; ${dur(B.windowMax)}] range`,
    );
  }
  if (c.stableWindow % 1000 !== 0) {
    fail(`stable-window = ${dur(c.stableWindow)}, must be specified with at most second precision`);
  }
  if (
    c.panicWindowPercentage < B.panicWindowPercentageMin ||
    c.panicWindowPercentage > B.panicWindowPercentageMax
  ) {
    fail(
      `panic-window-percentage = ${c.panicWindowPercentage}, must be in [${B.panicWindowPercentageMin}, ${B.panicWindowPercentageMax}] interval`,
    );
  }
  if (c.initialScale < 0 || (c.initialScale === 0 && !c.allowZeroInitialScale)) {
    fail(
      `initial-scale = ${c.initialScale}, must be at least 0 (or at least 1 when allow-zero-initial-scale is false)`,
    );
  }
  if (c.minScale < 0) fail(`min-scale = ${c.minScale}, must be at least 0`);
  if (c.maxScaleLimit < 0) fail(`max-scale-limit = ${c.maxScaleLimit}, must be at least 0`);
  if (c.maxScale < 0 || (c.maxScaleLimit > 0 && c.maxScale > c.maxScaleLimit)) {
    fail(`max-scale = ${c.maxScale}, must be in [0, max-scale-limit] range`);
  }
  if (c.minScale > c.maxScale && c.maxScale > 0) {
    fail(`min-scale (${c.minScale}) must be less than max-scale (${c.maxScale})`);
  }
}
