/**
 * config-gc: revision garbage collection (pkg/gc/config.go); `DISABLED` (-1) marks settings set to "disabled".
 */
import { parseGoDuration } from '../durations.js';
import type { ConfigMap } from '../types.js';
import { ConfigError, HOUR, dataOf, asInt } from './parse.js';

/** Value of a GC setting that was set to "disabled". */
export const DISABLED = -1;

/** config-gc (durations in milliseconds; DISABLED = -1). */
export interface GCConfig {
  retainSinceCreateTime: number;
  retainSinceLastActiveTime: number;
  minNonActiveRevisions: number;
  maxNonActiveRevisions: number;
}

/** Parses config-gc with Knative's defaults (48h, 15h, 20, 1000) and checks. */
export function parseGCConfig(cm: ConfigMap | undefined): GCConfig {
  const data = dataOf(cm);
  const cfg: GCConfig = {
    retainSinceCreateTime: disabledOrDuration(data, 'retain-since-create-time', 48 * HOUR),
    retainSinceLastActiveTime: disabledOrDuration(data, 'retain-since-last-active-time', 15 * HOUR),
    minNonActiveRevisions: asInt(data, 'min-non-active-revisions', 20),
    maxNonActiveRevisions: disabledOrInt(data, 'max-non-active-revisions', 1000),
  };
  if (cfg.minNonActiveRevisions < 0) {
    throw new ConfigError(`min-non-active-revisions must be non-negative, was: ${cfg.minNonActiveRevisions}`);
  }
  if (cfg.maxNonActiveRevisions >= 0 && cfg.minNonActiveRevisions > cfg.maxNonActiveRevisions) {
    throw new ConfigError(
      `min-non-active-revisions(${cfg.minNonActiveRevisions}) must be <= max-non-active-revisions(${cfg.maxNonActiveRevisions})`,
    );
  }
  return cfg;
}

function disabledOrDuration(data: Record<string, string>, key: string, def: number): number {
  const v = data[key];
  if (v === undefined || v === '') return def;
  if (v.toLowerCase() === 'disabled') return DISABLED;
  const d = parseGoDuration(v);
  if (d === undefined) throw new ConfigError(`failed to parse ${key}: time: invalid duration "${v}"`);
  if (d < 0) throw new ConfigError(`failed to parse ${key}: must be non-negative`);
  return d;
}

function disabledOrInt(data: Record<string, string>, key: string, def: number): number {
  const v = data[key];
  if (v === undefined || v === '') return def;
  if (v.toLowerCase() === 'disabled') return DISABLED;
  if (!/^\d+$/.test(v))
    throw new ConfigError(`failed to parse ${key}: strconv.ParseUint: parsing "${v}": invalid syntax`);
  return parseInt(v, 10);
}
