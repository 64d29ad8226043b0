/**
 * Seeds a fresh local cluster with Knative's ConfigMaps (shipped defaults) plus the local
 * settings that make printed URLs work on this machine: the `localhost` domain, the gateway port
 * and automatic domain claims. Existing ConfigMaps are never overwritten — a user's edits to
 * config-gc or config-autoscaler survive restarts; only knlite's own keys are kept current.
 */
import { defaultConfigMaps } from '../apis/config/seed.js';
import { ConfigMaps, KnliteConfig, SYSTEM_NAMESPACE } from '../apis/keys.js';
import type { ConfigMap, KubeObject } from '../apis/types.js';
import { isAlreadyExists } from '../kube/errors.js';
import { Kinds, type Kind } from '../kube/kinds.js';
import type { RestClient } from '../kube/rest.js';

/** Name of knlite's own ConfigMap describing the local data plane (read by `traffic rollout`). */
export const KNLITE_CONFIG_MAP = KnliteConfig.name;

/** Where the local data plane listens; published into the cluster for the CLI and reconciler. */
export interface LocalEndpoints {
  gatewayPort: number;
  /** The gateway's HTTPS port (https URLs carry it). */
  gatewayHttpsPort?: number;
  adminPort: number;
}

/** The keys knlite owns on a local cluster, per ConfigMap; kept current on every start. */
export function localOverrides(endpoints: LocalEndpoints): Record<string, Record<string, string>> {
  return {
    [ConfigMaps.network]: {
      [KnliteConfig.localGatewayPort]: String(endpoints.gatewayPort),
      ...(endpoints.gatewayHttpsPort
        ? { [KnliteConfig.localGatewayHttpsPort]: String(endpoints.gatewayHttpsPort) }
        : {}),
      'autocreate-cluster-domain-claims': 'true',
    },
    [KNLITE_CONFIG_MAP]: {
      [KnliteConfig.gatewayUrl]: `http://127.0.0.1:${endpoints.gatewayPort}`,
      ...(endpoints.gatewayHttpsPort
        ? { [KnliteConfig.gatewayHttpsUrl]: `https://127.0.0.1:${endpoints.gatewayHttpsPort}` }
        : {}),
      [KnliteConfig.metricsUrl]: `http://127.0.0.1:${endpoints.adminPort}/metrics`,
    },
  };
}

/** Creates the knative-serving namespace's ConfigMaps when missing and refreshes knlite's keys. */
export async function seedLocalConfig(rest: RestClient, endpoints: LocalEndpoints): Promise<void> {
  await ensureObject(rest, Kinds.namespace, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: SYSTEM_NAMESPACE },
  });

  const shipped = defaultConfigMaps();
  // On this machine the domain that resolves to loopback is `localhost` (curl and browsers map
  // *.localhost to 127.0.0.1), so the default domain is set before the first Route is reconciled.
  const domain = shipped.find((cm) => cm.metadata.name === ConfigMaps.domain);
  if (domain) domain.data = { ...(domain.data ?? {}), localhost: '' };
  const knlite: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: KNLITE_CONFIG_MAP, namespace: SYSTEM_NAMESPACE },
    data: {},
  };
  for (const cm of [...shipped, knlite]) {
    cm.metadata.namespace = SYSTEM_NAMESPACE;
    await ensureObject(rest, Kinds.configMap, { apiVersion: 'v1', kind: 'ConfigMap', ...cm });
  }
  for (const [name, data] of Object.entries(localOverrides(endpoints)))
    await patchConfigData(rest, name, data);
}

/** Merge-patches keys into a ConfigMap in knative-serving (other keys are left as they are). */
export async function patchConfigData(
  rest: RestClient,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  await rest.patch(Kinds.configMap, SYSTEM_NAMESPACE, name, { data });
}

async function ensureObject(rest: RestClient, kind: Kind, obj: KubeObject): Promise<void> {
  try {
    await rest.create(kind, obj);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}
