/**
 * The configuration the CLI validates services against before writing them: the cluster's own
 * config-autoscaler, config-defaults and config-features (namespace knative-serving), as Knative's
 * webhook will, so a value the cluster allows (e.g. initial-scale 0 with allow-zero-initial-scale)
 * is not refused by the client. A ConfigMap that is missing, unreadable (RBAC) or fails to parse
 * counts as Knative's defaults; offline mode (`--target`) has no cluster and uses the defaults.
 */
import type { ConfigMap } from '../apis/types.js';
import { ConfigMaps, SYSTEM_NAMESPACE } from '../apis/keys.js';
import { parseAutoscalerConfig } from '../apis/config/autoscaler.js';
import { parseDefaultsConfig } from '../apis/config/defaults.js';
import { parseFeaturesConfig } from '../apis/config/features.js';
import { ConfigError } from '../apis/config/parse.js';
import { apisContext, type ApisContext } from '../apis/context.js';
import { KnError } from '../client/errors.js';
import type { ServiceStore } from '../client/service-store.js';

/** Reads a knative-serving ConfigMap; undefined when it is missing or the user may not read it. */
async function readConfigMap(store: ServiceStore, name: string): Promise<ConfigMap | undefined> {
  try {
    return await store.findConfigMap(SYSTEM_NAMESPACE, name);
  } catch (err) {
    if (err instanceof KnError && (err.name === 'Forbidden' || err.name === 'NotFound')) return undefined;
    throw err;
  }
}

/** Parses with `parse`, falling back to the defaults (`parse(undefined)`) when the ConfigMap is invalid. */
function parseOrDefault<T>(parse: (cm: ConfigMap | undefined) => T, cm: ConfigMap | undefined): T {
  try {
    return parse(cm);
  } catch (err) {
    if (err instanceof ConfigError) return parse(undefined);
    throw err;
  }
}

/** The defaulting/validation context of the store's cluster (Knative's defaults offline). */
export async function validationContext(store: ServiceStore): Promise<ApisContext> {
  const [autoscaler, defaults, features] = await Promise.all([
    readConfigMap(store, ConfigMaps.autoscaler),
    readConfigMap(store, ConfigMaps.defaults),
    readConfigMap(store, ConfigMaps.features),
  ]);
  return apisContext({
    autoscaler: parseOrDefault(parseAutoscalerConfig, autoscaler),
    defaults: parseOrDefault(parseDefaultsConfig, defaults),
    features: parseOrDefault(parseFeaturesConfig, features),
  });
}
