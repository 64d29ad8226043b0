/**
 * Validation of `autoscaling.knative.dev/*` annotations on revisions
 * (pkg/apis/autoscaling/annotation_validation.go), including legacy camelCase keys.
 */
import type { ApisContext } from './context.js';
import { AutoscalingBounds } from './config/autoscaler.js';
import { formatGoDuration, parseGoDuration } from './durations.js';
import { also, errGeneric, errInvalidValue, errOutOfBoundsValue, FieldError } from './field-error.js';
import { Annotations, AutoscalingClass, LegacyAnnotations } from './keys.js';

type Err = FieldError | undefined;

const MAX_INT32 = 2147483647;

/** Annotation keys with their legacy camelCase aliases, in Knative's priority order. */
export const AutoscalingKeys = {
  class: [Annotations.class],
  minScale: [Annotations.minScale, LegacyAnnotations.minScale],
  maxScale: [Annotations.maxScale, LegacyAnnotations.maxScale],
  initialScale: [Annotations.initialScale, LegacyAnnotations.initialScale],
  activationScale: [Annotations.activationScale],
  scaleDownDelay: [Annotations.scaleDownDelay, LegacyAnnotations.scaleDownDelay],
  metric: [Annotations.metric],
  target: [Annotations.target],
  targetUtilization: [Annotations.targetUtilization, LegacyAnnotations.targetUtilization],
  targetBurstCapacity: [Annotations.targetBurstCapacity, LegacyAnnotations.targetBurstCapacity],
  panicWindowPercentage: [Annotations.panicWindowPercentage, LegacyAnnotations.panicWindowPercentage],
  panicThresholdPercentage: [
    Annotations.panicThresholdPercentage,
    LegacyAnnotations.panicThresholdPercentage,
  ],
  window: [Annotations.window],
  scaleToZeroPodRetentionPeriod: [
    Annotations.scaleToZeroPodRetentionPeriod,
    LegacyAnnotations.scaleToZeroPodRetentionPeriod,
  ],
  metricAggregationAlgorithm: [
    Annotations.metricAggregationAlgorithm,
    LegacyAnnotations.metricAggregationAlgorithm,
  ],
  frozenRetention: [Annotations.frozenRetention],
} as const;

/** kmap.KeyPriority.Get: the first present key and its value. */
export function getKey(
  m: Record<string, string> | undefined,
  keys: readonly string[],
): [string | undefined, string] {
  for (const k of keys) if (m && k in m) return [k, m[k]];
  return [undefined, ''];
}

/** Validates revision autoscaling annotations (paths are the annotation keys). */
export function validateAutoscalingAnnotations(m: Record<string, string>, ctx: ApisContext): Err {
  return also(
    validateClass(m),
    validateMinMaxScale(m, ctx),
    validateFloats(m),
    validateWindow(m),
    validatePodRetention(m),
    validateFrozenRetention(m),
    validateScaleDownDelay(m),
    validateMetric(m),
    validateAlgorithm(m),
    validateInitialScale(m, ctx),
  );
}

const goFloat = (s: string) => (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s.trim()) ? Number(s) : NaN);
const goInt = (s: string) => (/^[-+]?\d+$/.test(s) ? Number(s) : NaN);

function validateClass(m: Record<string, string>): Err {
  const [k, v] = getKey(m, AutoscalingKeys.class);
  if (
    k &&
    v.endsWith('.autoscaling.knative.dev') &&
    v !== AutoscalingClass.kpa &&
    v !== AutoscalingClass.hpa
  ) {
    return errInvalidValue(v, k);
  }
  return undefined;
}

function intGE0(m: Record<string, string>, keys: readonly string[]): [number, Err] {
  const [k, v] = getKey(m, keys);
  if (!k) return [0, undefined];
  const i = goInt(v);
  if (Number.isNaN(i)) return [0, errInvalidValue(v, k)];
  if (i < 0 || i > MAX_INT32) return [0, errOutOfBoundsValue(v, 0, MAX_INT32, k)];
  return [i, undefined];
}

function validateMinMaxScale(m: Record<string, string>, ctx: ApisContext): Err {
  const [min, e1] = intGE0(m, AutoscalingKeys.minScale);
  const [max, e2] = intGE0(m, AutoscalingKeys.maxScale);
  let errs = also(e1, e2);
  if (max !== 0 && max < min) {
    errs = also(
      errs,
      FieldError.of(`max-scale=${max} is less than min-scale=${min}`, [
        Annotations.maxScale,
        Annotations.minScale,
      ]),
    );
  }
  const [maxKey] = getKey(m, AutoscalingKeys.maxScale);
  const limit = ctx.autoscaler.maxScaleLimit;
  if (maxKey && limit > 0) {
    if (max > limit) errs = also(errs, errOutOfBoundsValue(max, 1, limit, maxKey));
    if (max === 0)
      errs = also(errs, FieldError.of(`max-scale=0 (unlimited), must be less than ${limit}`, [maxKey]));
  }
  const [ak, av] = getKey(m, AutoscalingKeys.activationScale);
  if (ak) {
    const nz = goInt(av);
    if (Number.isNaN(nz)) errs = also(errs, errInvalidValue(av, ak));
    else if (min > nz)
      errs = also(errs, FieldError.of(`min-scale=${min} is greater than min-activate-scale=${nz}`, [ak]));
    else if (max < nz && max !== 0)
      errs = also(errs, FieldError.of(`max-scale=${max} is less than min-activate-scale=${nz}`, [ak]));
    else if (nz < 2)
      errs = also(errs, FieldError.of(`min-activate-scale=${nz} must be greater than 1`, [ak]));
  }
  return errs;
}

function validateFloats(m: Record<string, string>): Err {
  const B = AutoscalingBounds;
  let errs: Err;
  const check = (keys: readonly string[], fn: (k: string, v: string, f: number) => Err) => {
    const [k, v] = getKey(m, keys);
    if (!k) return;
    const f = goFloat(v);
    errs = also(errs, Number.isNaN(f) ? errInvalidValue(v, k) : fn(k, v, f));
  };
  check(AutoscalingKeys.panicWindowPercentage, (k, v, f) =>
    f < B.panicWindowPercentageMin || f > B.panicWindowPercentageMax
      ? errOutOfBoundsValue(v, B.panicWindowPercentageMin, B.panicWindowPercentageMax, k)
      : undefined,
  );
  check(AutoscalingKeys.panicThresholdPercentage, (k, v, f) =>
    f < B.panicThresholdPercentageMin || f > B.panicThresholdPercentageMax
      ? errOutOfBoundsValue(v, B.panicThresholdPercentageMin, B.panicThresholdPercentageMax, k)
      : undefined,
  );
  check(AutoscalingKeys.target, (k, v, f) =>
    f < B.targetMin ? errGeneric(`target ${v} should be at least ${B.targetMin}`, k) : undefined,
  );
  check(AutoscalingKeys.targetUtilization, (k, v, f) =>
    f < 1 || f > 100 ? errOutOfBoundsValue(v, 1, 100, k) : undefined,
  );
  check(AutoscalingKeys.targetBurstCapacity, (k, v, f) =>
    f < 0 && f !== -1 ? errInvalidValue(v, k) : undefined,
  );
  return errs;
}

function validateWindow(m: Record<string, string>): Err {
  const [k, v] = getKey(m, AutoscalingKeys.window);
  if (!k) return undefined;
  const B = AutoscalingBounds;
  const d = parseGoDuration(v);
  if (d === undefined) return errInvalidValue(v, k);
  if (d < B.windowMin || d > B.windowMax)
    return errOutOfBoundsValue(v, formatGoDuration(B.windowMin), formatGoDuration(B.windowMax), k);
  if (Math.trunc(d / 1000) * 1000 !== d)
    return errGeneric('must be specified with at most second precision', k);
  return undefined;
}

function validatePodRetention(m: Record<string, string>): Err {
  const [k, v] = getKey(m, AutoscalingKeys.scaleToZeroPodRetentionPeriod);
  if (!k) return undefined;
  const d = parseGoDuration(v);
  if (d === undefined) return errInvalidValue(v, k);
  if (d < 0 || d > AutoscalingBounds.windowMax)
    return errOutOfBoundsValue(v, '0s', formatGoDuration(AutoscalingBounds.windowMax), k);
  return undefined;
}

// knlite: `off` or a duration in [0s, 1h] (longer would hold memory for a revision nobody calls).
function validateFrozenRetention(m: Record<string, string>): Err {
  const [k, v] = getKey(m, AutoscalingKeys.frozenRetention);
  if (!k || v.trim().toLowerCase() === 'off') return undefined;
  const d = parseGoDuration(v);
  if (d === undefined) return errInvalidValue(v, k);
  if (d < 0 || d > AutoscalingBounds.windowMax)
    return errOutOfBoundsValue(v, '0s', formatGoDuration(AutoscalingBounds.windowMax), k);
  return undefined;
}

function validateScaleDownDelay(m: Record<string, string>): Err {
  const [k, v] = getKey(m, AutoscalingKeys.scaleDownDelay);
  if (!k) return undefined;
  const d = parseGoDuration(v);
  if (d === undefined) return errInvalidValue(v, k);
  if (d < 0 || d > AutoscalingBounds.windowMax)
    return errOutOfBoundsValue(v, '0s', formatGoDuration(AutoscalingBounds.windowMax), k);
  if (Math.round(d / 1000) * 1000 !== d)
    return errGeneric('must be specified with at most second precision', k);
  return undefined;
}

function validateMetric(m: Record<string, string>): Err {
  const [k, metric] = getKey(m, AutoscalingKeys.metric);
  if (!k) return undefined;
  const [ck, cls] = getKey(m, AutoscalingKeys.class);
  const klass = ck ? cls : AutoscalingClass.kpa;
  if (klass === AutoscalingClass.kpa) {
    if (metric === 'concurrency' || metric === 'rps') return undefined;
  } else if (klass === AutoscalingClass.hpa) {
    if (metric !== '') return undefined;
  } else {
    // Leave other classes of PodAutoscaler alone.
    return undefined;
  }
  return errInvalidValue(metric, Annotations.metric);
}

function validateAlgorithm(m: Record<string, string>): Err {
  const [, cls] = getKey(m, AutoscalingKeys.class);
  if (cls !== AutoscalingClass.kpa) return undefined;
  const [k, v] = getKey(m, AutoscalingKeys.metricAggregationAlgorithm);
  if (!k || v === '') return undefined;
  return ['linear', 'weighted-exponential', 'weightedExponential'].includes(v)
    ? undefined
    : errInvalidValue(v, k);
}

function validateInitialScale(m: Record<string, string>, ctx: ApisContext): Err {
  const [k, v] = getKey(m, AutoscalingKeys.initialScale);
  if (!k) return undefined;
  const n = goInt(v);
  if (Number.isNaN(n)) return errInvalidValue(v, k);
  if (n < 0) return errInvalidValue(v, `${k} must be greater than 0`);
  if (!ctx.autoscaler.allowZeroInitialScale && n === 0)
    return errInvalidValue(v, `${k}=0 not allowed by cluster`);
  return undefined;
}
