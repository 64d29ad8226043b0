/**
 * Every Knative ConfigMap knlite uses, parsed at once (a missing ConfigMap → Knative's defaults).
 */
import { ConfigMaps } from '../keys.js';
import type { ConfigMap } from '../types.js';
import { type DomainConfig, parseDomainConfig } from './domain.js';
import { type NetworkConfig, parseNetworkConfig } from './network.js';
import { type GCConfig, parseGCConfig } from './gc.js';
import { type AutoscalerConfig, parseAutoscalerConfig } from './autoscaler.js';
import { type DefaultsConfig, parseDefaultsConfig } from './defaults.js';
import { type FeaturesConfig, parseFeaturesConfig } from './features.js';
import { type DeploymentConfig, parseDeploymentConfig } from './deployment.js';

/** Every parsed Knative config knlite uses. */
export interface KnativeConfigs {
  domain: DomainConfig;
  network: NetworkConfig;
  gc: GCConfig;
  autoscaler: AutoscalerConfig;
  defaults: DefaultsConfig;
  features: FeaturesConfig;
  deployment: DeploymentConfig;
}

/** Parses all configs from a lookup of knative-serving ConfigMaps by name (missing → defaults). */
export function parseConfigs(lookup: (name: string) => ConfigMap | undefined): KnativeConfigs {
  return {
    domain: parseDomainConfig(lookup(ConfigMaps.domain)),
    network: parseNetworkConfig(lookup(ConfigMaps.network)),
    gc: parseGCConfig(lookup(ConfigMaps.gc)),
    autoscaler: parseAutoscalerConfig(lookup(ConfigMaps.autoscaler)),
    defaults: parseDefaultsConfig(lookup(ConfigMaps.defaults)),
    features: parseFeaturesConfig(lookup(ConfigMaps.features)),
    deployment: parseDeploymentConfig(lookup(ConfigMaps.deployment)),
  };
}

/** All configs at their shipped defaults. */
export function defaultConfigs(): KnativeConfigs {
  return parseConfigs(() => undefined);
}
