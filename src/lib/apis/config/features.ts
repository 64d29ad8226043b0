/**
 * config-features: Knative's feature flags (pkg/apis/config/features.go).
 */
import type { ConfigMap } from '../types.js';
import { dataOf } from './parse.js';

/** Knative's feature flags and their shipped defaults (pkg/apis/config/features.go). */
export const DEFAULT_FEATURES: Readonly<Record<string, string>> = {
  'multi-container': 'enabled',
  'multi-container-probing': 'disabled',
  'kubernetes.podspec-affinity': 'disabled',
  'kubernetes.podspec-topologyspreadconstraints': 'disabled',
  'kubernetes.podspec-dryrun': 'allowed',
  'kubernetes.podspec-hostaliases': 'disabled',
  'kubernetes.podspec-fieldref': 'disabled',
  'kubernetes.podspec-nodeselector': 'disabled',
  'kubernetes.podspec-runtimeclassname': 'disabled',
  'kubernetes.podspec-securitycontext': 'disabled',
  'kubernetes.podspec-priorityclassname': 'disabled',
  'kubernetes.podspec-schedulername': 'disabled',
  'kubernetes.containerspec-addcapabilities': 'disabled',
  'kubernetes.podspec-tolerations': 'disabled',
  'kubernetes.podspec-volumes-emptydir': 'enabled',
  'kubernetes.podspec-volumes-hostpath': 'disabled',
  'kubernetes.podspec-init-containers': 'disabled',
  'kubernetes.podspec-persistent-volume-claim': 'disabled',
  'kubernetes.podspec-persistent-volume-write': 'disabled',
  'kubernetes.podspec-dnspolicy': 'disabled',
  'kubernetes.podspec-dnsconfig': 'disabled',
  'kubernetes.podspec-hostipc': 'disabled',
  'kubernetes.podspec-hostpid': 'disabled',
  'kubernetes.podspec-hostnetwork': 'disabled',
  'kubernetes.podspec-shareprocessnamespace': 'disabled',
  'secure-pod-defaults': 'disabled',
  'tag-header-based-routing': 'disabled',
  'autodetect-http2': 'disabled',
  'queueproxy.mount-podinfo': 'disabled',
};

/** config-features: flag → "enabled" | "disabled" | "allowed". */
export type FeaturesConfig = Record<string, string>;

/** Parses config-features over the defaults (values lower-cased, like Knative). */
export function parseFeaturesConfig(cm: ConfigMap | undefined): FeaturesConfig {
  const out: FeaturesConfig = { ...DEFAULT_FEATURES };
  for (const [k, v] of Object.entries(dataOf(cm))) out[k] = v.trim().toLowerCase();
  return out;
}

/** Whether a feature flag is "enabled". */
export function featureEnabled(features: FeaturesConfig, flag: string): boolean {
  return (features[flag] ?? DEFAULT_FEATURES[flag]) === 'enabled';
}
