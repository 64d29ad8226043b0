/**
 * client-node informers that program the gateway state and feed the autoscaler: KIngresses (of
 * knlite's ingress class), Revisions, Endpoints, Deployments and knative-serving ConfigMaps.
 * client-node's informers stop on error; these restart with backoff.
 */
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  type Informer,
  type KubeConfig,
  type ObjectCache,
} from '@kubernetes/client-node';
import { ConfigMaps, NETWORKING_INTERNAL_GROUP, SERVING_GROUP, SYSTEM_NAMESPACE } from '../apis/keys.js';
import type { ConfigMap, Deployment, Endpoints, Ingress, Revision } from '../apis/types.js';
import { isKnliteIngress, makeIngressTable } from './ingress-table.js';
import type { IngressStatusWriter } from './ingress-status.js';
import { makeInstances, makeRevisionTarget } from './routing-table.js';
import { revisionKey, type GatewayState } from './state.js';

type Cache<T> = Informer<any> & ObjectCache<T>;

/** Caches other data-plane parts read from. */
export interface DataPlaneCaches {
  deployments: ObjectCache<Deployment>;
  /** A knative-serving ConfigMap (undefined if absent). */
  configMap(name: string): ConfigMap | undefined;
}

/** Running informers. */
export interface DataPlaneInformers {
  caches: DataPlaneCaches;
  /** Resolves once every informer has listed once. */
  synced: Promise<void>;
  stop(): Promise<void>;
}

const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 10_000;

/** Starts an informer that restarts itself after errors (backoff doubling up to 10 s). */
function runInformer<T>(
  informer: Cache<T>,
  stopped: () => boolean,
  log: (msg: string) => void,
): Promise<void> {
  let delay = RESTART_MIN_MS;
  informer.on('connect', () => {
    delay = RESTART_MIN_MS;
  });
  informer.on('error', (err: unknown) => {
    if (stopped()) return;
    log(`informer error, restarting in ${delay} ms: ${(err as Error)?.message ?? String(err)}`);
    setTimeout(() => {
      if (!stopped()) informer.start().catch(() => {});
    }, delay).unref();
    delay = Math.min(delay * 2, RESTART_MAX_MS);
  });
  const first = (): Promise<void> =>
    informer.start().catch((err: Error) => {
      if (stopped()) return;
      log(`informer failed to start, retrying: ${err.message}`);
      return new Promise<void>((r) => setTimeout(r, RESTART_MIN_MS).unref()).then(first);
    });
  return first();
}

/** Wires every informer to the state; `onChange` runs after routing-relevant updates. */
export function startInformers(
  kc: KubeConfig,
  state: GatewayState,
  opts: {
    log?: (msg: string) => void;
    onRevisionDeleted?: (key: string) => void;
    /** Reports each programming's outcomes as KIngress status. */
    statusWriter?: (retry: () => void) => IngressStatusWriter;
  } = {},
): DataPlaneInformers {
  const log = opts.log ?? ((m: string) => process.stderr.write(`knlite dataplane: ${m}\n`));
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const listCustom = (group: string, version: string, plural: string) => () =>
    custom.listClusterCustomObject({ group, version, plural }) as Promise<any>;

  const ingresses = makeInformer<any>(
    kc,
    `/apis/${NETWORKING_INTERNAL_GROUP}/v1alpha1/ingresses`,
    listCustom(NETWORKING_INTERNAL_GROUP, 'v1alpha1', 'ingresses'),
  ) as Cache<Ingress>;
  const revisions = makeInformer<any>(
    kc,
    `/apis/${SERVING_GROUP}/v1/revisions`,
    listCustom(SERVING_GROUP, 'v1', 'revisions'),
  ) as Cache<Revision>;
  const endpoints = makeInformer<any>(
    kc,
    '/api/v1/endpoints',
    () => core.listEndpointsForAllNamespaces() as Promise<any>,
  ) as Cache<Endpoints>;
  const deployments = makeInformer<any>(
    kc,
    '/apis/apps/v1/deployments',
    () => apps.listDeploymentForAllNamespaces() as Promise<any>,
  ) as Cache<Deployment>;
  const configMaps = makeInformer<any>(
    kc,
    `/api/v1/namespaces/${SYSTEM_NAMESPACE}/configmaps`,
    () => core.listNamespacedConfigMap({ namespace: SYSTEM_NAMESPACE }) as Promise<any>,
  ) as Cache<ConfigMap>;

  const reroute = (): void => {
    const mine = ingresses.list().filter((ing) => isKnliteIngress(ing));
    const table = makeIngressTable(mine);
    state.setHosts(table.hosts);
    state.setReachable(table.reachable);
    // Only now would a request to these hosts be routed: report it.
    writer?.report(mine, table.outcomes);
  };
  const writer = opts.statusWriter?.(() => queueReroute());
  // The table is rebuilt from every Route, so a burst of events (one watch chunk carries many)
  // is coalesced into one rebuild at the end of the current turn instead of one per event.
  let rerouteQueued = false;
  const queueReroute = (): void => {
    if (rerouteQueued) return;
    rerouteQueued = true;
    setImmediate(() => {
      rerouteQueued = false;
      reroute();
    });
  };
  ingresses.on('add', queueReroute);
  ingresses.on('update', queueReroute);
  ingresses.on('delete', queueReroute);
  const onRevision = (rev: Revision): void => state.setRevision(makeRevisionTarget(rev));
  revisions.on('add', onRevision);
  revisions.on('update', onRevision);
  revisions.on('delete', (rev: Revision) => {
    const key = revisionKey(rev.metadata.namespace ?? 'default', rev.metadata.name!);
    state.deleteRevision(key);
    opts.onRevisionDeleted?.(key);
  });
  const onEndpoints = (ep: Endpoints): void =>
    state.setInstances(revisionKey(ep.metadata.namespace ?? 'default', ep.metadata.name!), makeInstances(ep));
  endpoints.on('add', onEndpoints);
  endpoints.on('update', onEndpoints);
  endpoints.on('delete', (ep: Endpoints) =>
    state.setInstances(revisionKey(ep.metadata.namespace ?? 'default', ep.metadata.name!), []),
  );

  let stopped = false;
  const all = [ingresses, revisions, endpoints, deployments, configMaps] as Cache<unknown>[];
  const synced = Promise.all(all.map((inf) => runInformer(inf, () => stopped, log))).then(reroute);
  return {
    caches: {
      deployments,
      configMap: (name: string) => configMaps.get(name, SYSTEM_NAMESPACE) as ConfigMap | undefined,
    },
    synced,
    stop: async () => {
      stopped = true;
      await Promise.all(all.map((inf) => inf.stop().catch(() => {})));
    },
  };
}

/** Name of the ConfigMap the autoscaler reads. */
export const AUTOSCALER_CONFIG_MAP = ConfigMaps.autoscaler;
