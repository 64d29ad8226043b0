/**
 * `--scale*`, `--concurrency-limit` and `--timeout` → revision-template annotations and spec fields
 * (kn `pkg/commands/service/configuration_edit_flags.go`), validated with Knative's bounds before
 * anything is written.
 */
import type { RevisionTemplateSpec } from '../apis/types.js';
import { Annotations } from '../apis/keys.js';
import { invalidValue, usageError } from '../client/errors.js';
import { parseGoDuration } from '../apis/durations.js';

/** min/max replicas parsed from `--scale`. */
export interface ScaleRange {
  min?: number;
  max?: number;
}

/** Parses `--scale`: `5` (min = max = 5), `1..5`, `1..` (min only), `..5` (max only). */
export function parseScale(value: string): ScaleRange {
  const bad = (): never => {
    throw invalidValue(`Scale must be of the format x..y or x (got '${value}')`);
  };
  const n = (s: string): number => (/^\d+$/.test(s) ? Number(s) : bad());
  if (!value.includes('..')) return { min: n(value), max: n(value) };
  const [lo, hi, ...rest] = value.split('..');
  if (rest.length || (lo === '' && hi === '')) bad();
  const range: ScaleRange = {};
  if (lo !== '') range.min = n(lo);
  if (hi !== '') range.max = n(hi);
  if (range.min !== undefined && range.max !== undefined && range.max > 0 && range.min > range.max) {
    throw invalidValue(`--scale ${value}: the minimum ${range.min} is greater than the maximum ${range.max}`);
  }
  return range;
}

/** Parsed scale/concurrency flag values (oclif output keys). */
export interface ScaleFlagValues {
  scale?: string;
  'scale-min'?: number;
  'scale-max'?: number;
  'scale-init'?: number;
  'scale-activation'?: number;
  'scale-target'?: number;
  'scale-metric'?: string;
  'scale-utilization'?: number;
  'scale-window'?: string;
  'concurrency-limit'?: number;
  timeout?: number;
  annotation?: string[];
}

const METRICS = ['concurrency', 'rps', 'cpu', 'memory'];

/** Applies the scale and concurrency flags to the revision template, checking conflicts and bounds. */
export function editScale(template: RevisionTemplateSpec, f: ScaleFlagValues): void {
  if (f.scale !== undefined && f['scale-max'] !== undefined)
    throw usageError('only --scale or --scale-max can be specified');
  if (f.scale !== undefined && f['scale-min'] !== undefined)
    throw usageError('only --scale or --scale-min can be specified');
  if (
    f['scale-init'] !== undefined &&
    (f.annotation ?? []).some((a) => a.startsWith(`${Annotations.initialScale}=`))
  ) {
    throw usageError(
      `only one of the --scale-init or --annotation ${Annotations.initialScale} can be specified`,
    );
  }
  const set: Record<string, string> = {};
  const nonNegative = (flag: string, v: number | undefined, key: string): void => {
    if (v === undefined) return;
    if (!Number.isInteger(v) || v < 0 || v > 2147483647)
      throw invalidValue(`expected 0 <= ${v} <= 2147483647: ${key} (--${flag})`);
    set[key] = String(v);
  };
  if (f.scale !== undefined) {
    const r = parseScale(f.scale);
    if (r.min !== undefined) set[Annotations.minScale] = String(r.min);
    if (r.max !== undefined) set[Annotations.maxScale] = String(r.max);
  }
  nonNegative('scale-min', f['scale-min'], Annotations.minScale);
  nonNegative('scale-max', f['scale-max'], Annotations.maxScale);
  nonNegative('scale-init', f['scale-init'], Annotations.initialScale);
  if (f['scale-activation'] !== undefined) {
    if (f['scale-activation'] < 1)
      throw invalidValue(
        `expected 1 <= ${f['scale-activation']} <= 2147483647: ${Annotations.activationScale} (--scale-activation)`,
      );
    set[Annotations.activationScale] = String(f['scale-activation']);
  }
  if (f['scale-target'] !== undefined) {
    // Knative: target must be at least 0.01.
    if (f['scale-target'] < 0.01)
      throw invalidValue(
        `target ${f['scale-target']} should be at least 0.01: ${Annotations.target} (--scale-target)`,
      );
    set[Annotations.target] = String(f['scale-target']);
  }
  if (f['scale-utilization'] !== undefined) {
    const u = f['scale-utilization'];
    if (u < 1 || u > 100)
      throw invalidValue(`expected 1 <= ${u} <= 100: ${Annotations.targetUtilization} (--scale-utilization)`);
    set[Annotations.targetUtilization] = String(u);
  }
  if (f['scale-metric'] !== undefined) {
    if (!METRICS.includes(f['scale-metric']))
      throw invalidValue(
        `invalid --scale-metric '${f['scale-metric']}': use concurrency or rps (cpu and memory need the HPA class)`,
      );
    set[Annotations.metric] = f['scale-metric'];
  }
  if (f['scale-window'] !== undefined) {
    const ms = parseGoDuration(f['scale-window']);
    const s = ms === undefined ? NaN : ms / 1000;
    // Knative's bounds for the stable window: 6s to 1h.
    if (Number.isNaN(s))
      throw invalidValue(
        `invalid --scale-window '${f['scale-window']}': expected a duration such as 10s or 1m`,
      );
    if (s < 6 || s > 3600)
      throw invalidValue(`invalid --scale-window '${f['scale-window']}': must be between 6s and 1h`);
    set[Annotations.window] = f['scale-window'];
  }
  const min = Number(
    set[Annotations.minScale] ?? template.metadata?.annotations?.[Annotations.minScale] ?? 0,
  );
  const max = Number(
    set[Annotations.maxScale] ?? template.metadata?.annotations?.[Annotations.maxScale] ?? 0,
  );
  if (max > 0 && min > max) throw invalidValue(`min-scale ${min} is greater than max-scale ${max}`);
  if (Object.keys(set).length) {
    template.metadata = {
      ...(template.metadata ?? {}),
      annotations: { ...(template.metadata?.annotations ?? {}), ...set },
    };
  }
  if (f['concurrency-limit'] !== undefined) {
    if (f['concurrency-limit'] < 0)
      throw invalidValue(`invalid concurrency-limit ${f['concurrency-limit']} (must not be less than 0)`);
    template.spec.containerConcurrency = f['concurrency-limit'];
  }
  if (f.timeout !== undefined) {
    if (f.timeout < 0) throw invalidValue(`invalid --timeout ${f.timeout} (must not be less than 0)`);
    template.spec.timeoutSeconds = f.timeout;
  }
}
