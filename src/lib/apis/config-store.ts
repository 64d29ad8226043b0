/**
 * The last good Knative configs, as Knative's config watchers keep them: each knative-serving
 * ConfigMap is parsed on its own when it changes; one that fails to parse (a bad value, a wrong
 * type, anything a parser throws) is reported and the previous good config for that ConfigMap stays
 * in force. Before any good parse, the shipped defaults are the last good config. A component built
 * on this store therefore cannot be crashed, or kept from starting, by a stored ConfigMap.
 */
import { parseAutoscalerConfig } from './config/autoscaler.js';
import { parseDefaultsConfig } from './config/defaults.js';
import { parseDeploymentConfig } from './config/deployment.js';
import { parseDomainConfig } from './config/domain.js';
import { parseFeaturesConfig } from './config/features.js';
import { parseGCConfig } from './config/gc.js';
import type { KnativeConfigs } from './config/index.js';
import { parseNetworkConfig } from './config/network.js';
import { jsonEqual } from './context.js';
import { ConfigMaps } from './keys.js';
import type { ConfigMap } from './types.js';

/** Called once per ConfigMap version that failed to parse. */
export type ConfigReporter = (cm: ConfigMap, error: Error) => void;

type Parsers = { [K in keyof KnativeConfigs]: (cm: ConfigMap | undefined) => KnativeConfigs[K] };

const PARSERS: Parsers = {
  domain: parseDomainConfig,
  network: parseNetworkConfig,
  gc: parseGCConfig,
  autoscaler: parseAutoscalerConfig,
  defaults: parseDefaultsConfig,
  features: parseFeaturesConfig,
  deployment: parseDeploymentConfig,
};

const KEYS = Object.keys(PARSERS) as (keyof KnativeConfigs)[];

/** Parses a config, turning anything a parser throws into an Error (never rethrown by the store). */
function tryParse<K extends keyof KnativeConfigs>(
  key: K,
  cm: ConfigMap | undefined,
): { value: KnativeConfigs[K] } | { error: Error } {
  try {
    return { value: PARSERS[key](cm) };
  } catch (err) {
    return { error: err instanceof Error ? err : new Error(String(err)) };
  }
}

/** Knative's configs with last-good semantics per ConfigMap. */
export class ConfigStore {
  private current: KnativeConfigs;
  /** The resourceVersion last parsed per config (good or bad), so an unchanged ConfigMap is not re-parsed. */
  private readonly seen = new Map<keyof KnativeConfigs, string | undefined>();

  constructor(private readonly report: ConfigReporter = () => {}) {
    const defaults = {} as Record<string, unknown>;
    for (const key of KEYS) defaults[key] = PARSERS[key](undefined);
    this.current = defaults as unknown as KnativeConfigs;
  }

  /** The configs in force. */
  get(): KnativeConfigs {
    return this.current;
  }

  /**
   * Re-reads the ConfigMaps `lookup` returns (by name; undefined = absent, i.e. defaults) and
   * returns whether a config in force changed. `only` limits the read to some configs.
   */
  reload(
    lookup: (name: string) => ConfigMap | undefined,
    only: readonly (keyof KnativeConfigs)[] = KEYS,
  ): boolean {
    let next: KnativeConfigs | undefined;
    for (const key of only) {
      const cm = lookup(ConfigMaps[key]);
      const version = cm ? (cm.metadata?.resourceVersion ?? JSON.stringify(cm.data ?? {})) : undefined;
      if (this.seen.has(key) && this.seen.get(key) === version) continue;
      this.seen.set(key, version);
      const parsed = tryParse(key, cm);
      if ('error' in parsed) {
        // cm is defined here: the defaults (cm undefined) always parse.
        if (cm) this.report(cm, parsed.error);
        continue;
      }
      if (jsonEqual(parsed.value, this.current[key])) continue;
      next ??= { ...this.current };
      next = { ...next, [key]: parsed.value };
    }
    if (!next) return false;
    this.current = next;
    return true;
  }
}

/** The Warning Event reason for a ConfigMap that failed to parse. */
export const INVALID_CONFIG_REASON = 'InvalidConfiguration';

/** The log line and Event message for a ConfigMap that failed to parse. */
export function invalidConfigMessage(cm: ConfigMap, error: Error): string {
  return `ignoring invalid ConfigMap ${cm.metadata?.namespace ?? ''}/${cm.metadata?.name ?? ''}, keeping the last good configuration: ${error.message}`;
}
