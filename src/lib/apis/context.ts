/**
 * The context Knative's defaulting and validation read (their `ctx`): the parsed config-defaults,
 * config-autoscaler and config-features, and the user making the request.
 */
import { parseAutoscalerConfig, type AutoscalerConfig } from './config/autoscaler.js';
import { parseDefaultsConfig, type DefaultsConfig } from './config/defaults.js';
import { parseFeaturesConfig, type FeaturesConfig } from './config/features.js';

/** Configs (and caller) that defaulting and validation depend on. */
export interface ApisContext {
  defaults: DefaultsConfig;
  autoscaler: AutoscalerConfig;
  features: FeaturesConfig;
  /** The authenticated user; sets creator/lastModifier annotations when present. */
  username?: string;
}

/** Fills the missing parts of a context with Knative's shipped defaults. */
export function apisContext(partial: Partial<ApisContext> = {}): ApisContext {
  return {
    defaults: partial.defaults ?? parseDefaultsConfig(undefined),
    autoscaler: partial.autoscaler ?? parseAutoscalerConfig(undefined),
    features: partial.features ?? parseFeaturesConfig(undefined),
    ...(partial.username !== undefined ? { username: partial.username } : {}),
  };
}

/** Semantic deep equality of JSON values (key order and undefined-valued keys ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}
