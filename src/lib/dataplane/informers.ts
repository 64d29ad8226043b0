/**
 * The informers that program the gateway state and feed the autoscaler: KIngresses (knlite's
 * ingress class), Revisions, Endpoints, Deployments and knative-serving ConfigMaps (the kube layer's self-healing
 * informers, restarting with backoff from 500 ms to 10 s).
 */
import { SYSTEM_NAMESPACE } from '../apis/keys.js';
import type { ConfigMap, Deployment, Endpoints, Ingress, KubeObject, Revision } from '../apis/types.js';
import { Informer } from '../kube/informer.js';
import { Kinds, type Kind } from '../kube/kinds.js';
import type { RestClient } from '../kube/rest.js';
import type { Lister } from '../kube/store.js';
import { isKnliteIngress, makeIngressTable } from './ingress-table.js';
import type { IngressStatusWriter } from './ingress-status.js';
import type { CertificateStore } from './tls.js';
import { makeFrozenInstances, makeInstances, makeRevisionTarget } from './routing-table.js';
import { revisionKey, type GatewayState } from './state.js';

/** Caches other data-plane parts read from. */
export interface DataPlaneCaches {
  deployments: Lister<Deployment>;
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

const RESTART_BACKOFF = { baseMs: 500, maxMs: 10_000 };

/** Wires every informer to the state; `onChange` runs after routing-relevant updates. */
export function startInformers(
  rest: RestClient,
  state: GatewayState,
  opts: {
    log?: (msg: string) => void;
    onRevisionDeleted?: (key: string) => void;
    /** Reports each programming's outcomes as KIngress status. */
    statusWriter?: (retry: () => void) => IngressStatusWriter;
    /** A revision's Endpoints list an address, ready or not (a process is up). */
    onAddresses?: (key: string) => void;
    /** Told which Secret holds each host's certificate (KIngress spec.tls). */
    certificates?: CertificateStore;
  } = {},
): DataPlaneInformers {
  const log = opts.log ?? ((m: string) => process.stderr.write(`knlite dataplane: ${m}\n`));
  const informer = <T extends KubeObject>(kind: Kind, namespace?: string): Informer<T> =>
    new Informer<T>(rest, kind, {
      namespace,
      backoff: RESTART_BACKOFF,
      log: (m) => log(`informer error: ${m}`),
    });
  const ingresses = informer<Ingress>(Kinds.ingress);
  const revisions = informer<Revision>(Kinds.revision);
  const endpoints = informer<Endpoints>(Kinds.endpoints);
  const deployments = informer<Deployment>(Kinds.deployment);
  const configMaps = informer<ConfigMap>(Kinds.configMap, SYSTEM_NAMESPACE);

  const reroute = (): void => {
    const mine = ingresses.lister.list().filter((ing) => isKnliteIngress(ing));
    const table = makeIngressTable(mine);
    state.setHosts(table.hosts);
    state.setReachable(table.reachable);
    opts.certificates?.setHosts(table.tls);
    // Only now would a request to these hosts be routed: report it.
    writer?.report(mine, table.outcomes);
  };
  const writer = opts.statusWriter?.(() => queueReroute());
  // The table is rebuilt from every KIngress, so a burst of events (one watch chunk carries many)
  // is coalesced into one rebuild at the end of the current turn instead of one per event; right
  // after a rebuild, the next waits as long as that one took, so a stream of changes to a thousand
  // KIngresses spends at most about half the time rebuilding (a few ms, none with few KIngresses).
  let rerouteQueued = false;
  let lastRerouteEnd = -Infinity;
  let lastRerouteMs = 0;
  const rerouteNow = (): void => {
    rerouteQueued = false;
    const started = performance.now();
    reroute();
    lastRerouteEnd = performance.now();
    lastRerouteMs = lastRerouteEnd - started;
  };
  const queueReroute = (): void => {
    if (rerouteQueued) return;
    rerouteQueued = true;
    const wait = lastRerouteEnd + lastRerouteMs - performance.now();
    if (wait >= 1) setTimeout(rerouteNow, wait);
    else setImmediate(rerouteNow);
  };
  const rerouteOnAny = { add: queueReroute, update: queueReroute, delete: queueReroute };
  ingresses.on(rerouteOnAny);
  const onRevision = (rev: Revision): void => state.setRevision(makeRevisionTarget(rev));
  revisions.on({
    add: onRevision,
    update: (_old, rev) => onRevision(rev),
    delete: (rev) => {
      const key = revisionKey(rev.metadata.namespace ?? 'default', rev.metadata.name!);
      state.deleteRevision(key);
      opts.onRevisionDeleted?.(key);
    },
  });
  const onEndpoints = (ep: Endpoints): void => {
    const key = revisionKey(ep.metadata.namespace ?? 'default', ep.metadata.name!);
    const frozen = makeFrozenInstances(ep);
    // A frozen instance's address is no sign of a process starting.
    const addresses = (ep.subsets ?? []).reduce(
      (n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0),
      0,
    );
    if (addresses > frozen.length) opts.onAddresses?.(key);
    state.setInstances(key, makeInstances(ep), frozen);
  };
  endpoints.on({
    add: onEndpoints,
    update: (_old, ep) => onEndpoints(ep),
    delete: (ep) =>
      state.setInstances(revisionKey(ep.metadata.namespace ?? 'default', ep.metadata.name!), []),
  });

  const all: Informer<any>[] = [ingresses, revisions, endpoints, deployments, configMaps];
  for (const inf of all) inf.start();
  const synced = Promise.all(all.map((inf) => inf.synced)).then(reroute);
  return {
    caches: {
      deployments: deployments.lister,
      configMap: (name: string) => configMaps.lister.get(SYSTEM_NAMESPACE, name),
    },
    synced,
    stop: async () => {
      await Promise.all(all.map((inf) => inf.stop().catch(() => {})));
    },
  };
}
