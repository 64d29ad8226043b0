/**
 * What every Knative ConfigMap parser shares (knative.dev/pkg/configmap): the `_example` key,
 * ConfigError, reading a ConfigMap's data safely and the typed AsX readers. Parsers are pure:
 * `parseXConfig(cm | undefined)` returns the config or throws ConfigError with a message shaped
 * like Knative's. Durations are milliseconds.
 */
import { parseGoDuration } from '../durations.js';
import type { ConfigMap } from '../types.js';

/** The key every Knative ConfigMap uses for its documented example block. */
export const EXAMPLE_KEY = '_example';

/** An hour in milliseconds. */
export const HOUR = 3_600_000;

/** A ConfigMap value Knative refuses; the message reads like Knative's. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the data of a ConfigMap, ignoring the `_example` block. The API server only stores strings,
 * but a parser must never trust that: a value of another type is a ConfigError, not a crash.
 */
export function dataOf(cm: ConfigMap | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const data: unknown = cm?.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`data must be a map of strings, got ${describeJson(data)}`);
  }
  for (const [k, v] of Object.entries(data)) {
    if (k === EXAMPLE_KEY) continue;
    if (typeof v !== 'string')
      throw new ConfigError(`failed to parse "${k}": expected a string, got ${describeJson(v)}`);
    out[k] = v;
  }
  return out;
}

/** A JSON value's type and text for error messages: `number 60`, `array [1]`. */
export function describeJson(v: unknown): string {
  const type = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  const text = JSON.stringify(v) ?? String(v);
  return `${type} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

export function asInt(data: Record<string, string>, key: string, def: number): number {
  const v = data[key];
  if (v === undefined || v === '') return def;
  if (!/^[-+]?\d+$/.test(v.trim())) throw new ConfigError(`failed to parse "${key}": invalid integer "${v}"`);
  return parseInt(v, 10);
}

export function asFloat(data: Record<string, string>, key: string, def: number): number {
  const v = data[key];
  if (v === undefined || v === '') return def;
  const n = Number(v.trim());
  if (!Number.isFinite(n)) throw new ConfigError(`failed to parse "${key}": invalid float "${v}"`);
  return n;
}

/** Go's strconv.ParseBool. */
export function asBool(data: Record<string, string>, key: string, def: boolean): boolean {
  const v = data[key];
  if (v === undefined || v === '') return def;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new ConfigError(`failed to parse "${key}": invalid boolean "${v}"`);
}

export function asDuration(data: Record<string, string>, key: string, def: number): number {
  const v = data[key];
  if (v === undefined || v === '') return def;
  const d = parseGoDuration(v.trim());
  if (d === undefined) throw new ConfigError(`failed to parse "${key}": time: invalid duration "${v}"`);
  return d;
}
