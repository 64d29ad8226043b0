/**
 * The local data plane: gateway (ingress + activator + queue-proxy in one), metrics and the
 * KPA/HPA autoscaler, programmed from the cluster through informers.
 *
 * Protocol notes (best effort, documented gaps):
 * - Clients speak HTTP/1.1 or prior-knowledge HTTP/2 (h2c, e.g. gRPC in plaintext) on the gateway
 *   port, chosen per connection (gateway/connections.ts), and either over TLS (ALPN) on the HTTPS
 *   port. A revision whose container port is named `h2c` is reached over cleartext HTTP/2 with
 *   response trailers relayed (gRPC status); other revisions over HTTP/1.1. `Upgrade: h2c` and
 *   WebSocket upgrades are tunnelled as bytes.
 * - Request trailers are not forwarded (gRPC clients send none).
 * - The gateway is always in the request path (Knative's TBC = -1 behaviour): it buffers for
 *   revisions at zero and enforces containerConcurrency itself.
 */
import { ConfigStore, invalidConfigMessage } from '../apis/config-store.js';
import { deploymentName } from '../apis/names.js';
import { SYSTEM_NAMESPACE } from '../apis/keys.js';
import { Kinds } from '../kube/kinds.js';
import { LeaderElector } from '../kube/leader.js';
import type { RestClient } from '../kube/rest.js';
import { startAdminServer } from './admin.js';
import { Autoscaler, type ScaleTarget } from './autoscaler/loop.js';
import { DecisionPublisher, makeDecision } from './autoscaler/publish.js';
import { makeGatewayDeps, type GatewayLimits } from './gateway/deps.js';
import { startGateway } from './gateway/server.js';
import { startInformers, type DataPlaneCaches } from './informers.js';
import { GATEWAY_DOMAIN_INTERNAL, IngressStatusWriter } from './ingress-status.js';
import { DataPlaneMetrics, type FrozenInstanceSample } from './metrics.js';
import { ColdStarts } from './cold-start.js';
import { GatewayState, revisionKey } from './state.js';
import { CertificateStore } from './tls.js';

/** Longest start-up wait for the informers' first list. */
const SYNC_WAIT_MS = 5000;

/** Options of `startDataPlane`. Ports 0 pick free ones. */
export interface DataPlaneOptions {
  host?: string;
  port: number;
  /** The HTTPS port (certificates by SNI from the KIngresses' spec.tls); none when undefined. */
  httpsPort?: number;
  /** The HTTPS port clients see, for redirects (default: the bound HTTPS port, else 443). */
  httpsRedirectPort?: number;
  adminPort: number;
  limits?: Partial<GatewayLimits>;
  log?: (msg: string) => void;
  /** The in-cluster name the gateway is reached at, reported as the KIngress load balancer. */
  loadBalancerDomain?: string;
  /**
   * Leader election for the autoscaler on the Lease knative-serving/knlite-autoscaler: only the
   * holder writes /scale (and reports ready); false scales unconditionally (one replica).
   */
  leaderElection?: { identity: string; leaseDurationSeconds?: number } | false;
  /**
   * CPU readings for the HPA class's `cpu` metric: usage per pod (`namespace/pod` → millicores,
   * 1000 = one core). The local stack passes its runtime's meter; without it (`knlite gateway run`
   * on a real cluster) revisions of class hpa with metric cpu are not scaled on CPU.
   */
  podCpuMillicores?: () => ReadonlyMap<string, number>;
  /**
   * The instances the local runtime keeps frozen after scale to zero, for the frozen-instance
   * gauges (the local stack passes its runtime's; without it they stay empty).
   */
  frozenInstances?: () => FrozenInstanceSample[];
}

/** A running data plane. */
export interface DataPlane {
  port: number;
  httpsPort?: number;
  adminPort: number;
  /** Whether this replica holds the autoscaler Lease (always true without leader election). */
  isLeader(): boolean;
  stop(): Promise<void>;
}

/** The Lease the gateway replicas elect the autoscaler on. */
export const AUTOSCALER_LEASE = 'knlite-autoscaler';

/** Scale target backed by the Deployment cache and the /scale subresource. */
function makeScaleTarget(
  rest: RestClient,
  caches: DataPlaneCaches,
  state: GatewayState,
  leading: () => boolean,
  podCpuMillicores: (() => ReadonlyMap<string, number>) | undefined,
  coldStarts: ColdStarts,
): ScaleTarget {
  return {
    replicas: (namespace, revision) =>
      caches.deployments.get(namespace, deploymentName(revision))?.spec?.replicas,
    setReplicas: async (namespace, revision, replicas) => {
      // A standby replica decides like the leader but never writes.
      if (!leading()) return;
      const fromZero = caches.deployments.get(namespace, deploymentName(revision))?.spec?.replicas === 0;
      await rest.updateScale(Kinds.deployment, namespace, deploymentName(revision), replicas);
      if (fromZero && replicas > 0) coldStarts.mark(revisionKey(namespace, revision), 'scale_decided');
    },
    cpuUtilization: (namespace, revision) => {
      if (!podCpuMillicores) return undefined;
      const key = revisionKey(namespace, revision);
      const pods = state.readyInstances(key).flatMap((i) => (i.pod ? [i.pod] : []));
      const cpu = podCpuMillicores();
      const used = pods.map((p) => cpu.get(`${namespace}/${p}`)).filter((v): v is number => v !== undefined);
      if (used.length === 0) return undefined;
      // Processes have no CPU request unless the user sets one: then one core is the 100 % mark.
      const requested = state.getRevision(key)?.cpuRequestMillis ?? 1000;
      return (used.reduce((a, b) => a + b, 0) / used.length / requested) * 100;
    },
  };
}

/** Starts gateway, admin endpoint, informers and autoscaler against the cluster `rest` talks to. */
export async function startDataPlane(rest: RestClient, opts: DataPlaneOptions): Promise<DataPlane> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? ((m: string) => process.stderr.write(`knlite dataplane: ${m}\n`));
  const state = new GatewayState();
  const metrics = new DataPlaneMetrics();
  if (opts.frozenInstances) metrics.setFrozenSource(opts.frozenInstances);
  const coldStarts = new ColdStarts(metrics.registry);
  let onRevisionDeleted = (_key: string): void => {};
  const election = opts.leaderElection ?? false;
  const elector = election
    ? new LeaderElector(rest, {
        namespace: SYSTEM_NAMESPACE,
        name: AUTOSCALER_LEASE,
        identity: election.identity,
        leaseDurationSeconds: election.leaseDurationSeconds,
        onStartedLeading: () => log(`autoscaler: leading as ${election.identity}`),
        onStoppedLeading: () => log(`autoscaler: standing by (${election.identity})`),
        log,
      })
    : undefined;
  const configs = new ConfigStore((cm, err) => log(invalidConfigMessage(cm, err)));
  const loadBalancers = [{ domainInternal: opts.loadBalancerDomain ?? GATEWAY_DOMAIN_INTERNAL }];
  const certificates = new CertificateStore(rest, log);
  const informers = startInformers(rest, state, {
    log,
    certificates,
    onRevisionDeleted: (key) => onRevisionDeleted(key),
    statusWriter: (retry) => new IngressStatusWriter(rest, loadBalancers, log, retry),
    onAddresses: (key) => coldStarts.mark(key, 'process_spawned'),
  });
  const publisher = new DecisionPublisher(rest, () => elector?.isLeader ?? true, log);
  const autoscaler = new Autoscaler({
    state,
    metrics,
    target: makeScaleTarget(
      rest,
      informers.caches,
      state,
      () => elector?.isLeader ?? true,
      opts.podCpuMillicores,
      coldStarts,
    ),
    config: () => {
      // The reconciler records the Event for a bad ConfigMap; the data plane logs and keeps going.
      configs.reload((name) => informers.caches.configMap(name), ['autoscaler']);
      return configs.get().autoscaler;
    },
    onDecision: (rev, spec, result, ready, now) =>
      publisher.publish(
        rev.namespace,
        {
          ...makeDecision(rev.name, spec, result, ready, now),
          coldStarts: coldStarts.summary(revisionKey(rev.namespace, rev.name)),
        },
        now,
      ),
    log,
  });
  onRevisionDeleted = (key) => {
    autoscaler.forget(key);
    publisher.forget(key);
    coldStarts.forget(key);
  };
  const deps = makeGatewayDeps({
    state,
    metrics,
    poke: (key) => autoscaler.poke(key),
    dialPod: (...args) => rest.dialPod(...args),
    limits: opts.limits,
    coldStarts,
    httpsRedirectPort: opts.httpsRedirectPort,
  });
  let gateway;
  let admin;
  try {
    gateway = await startGateway(deps, {
      host,
      port: opts.port,
      tls:
        opts.httpsPort === undefined
          ? undefined
          : { port: opts.httpsPort, context: (name) => certificates.context(name) },
    });
    // Redirects name the port actually bound unless told what clients see.
    if (opts.httpsRedirectPort === undefined && gateway.httpsPort !== undefined)
      deps.httpsRedirectPort = gateway.httpsPort;
    admin = await startAdminServer(metrics, {
      host,
      port: opts.adminPort,
      // Ready once programmed from a synced cache, and (with election) only while leading: a
      // Service in front of several replicas then sends traffic to the one that scales.
      ready: () => synced && (elector?.isLeader ?? true),
    });
  } catch (err) {
    await gateway?.close();
    await informers.stop();
    await certificates.stop();
    throw err;
  }
  let synced = false;
  void informers.synced.then(() => (synced = true));
  elector?.start();
  autoscaler.start();
  // Serve with a synced routing table when the API server answers promptly; never block start-up on it.
  await Promise.race([informers.synced, new Promise((r) => setTimeout(r, SYNC_WAIT_MS).unref())]);
  const [gatewayServer, adminServer] = [gateway, admin];
  return {
    port: gatewayServer.port,
    httpsPort: gatewayServer.httpsPort,
    adminPort: adminServer.port,
    isLeader: () => elector?.isLeader ?? true,
    stop: async () => {
      autoscaler.stop();
      await elector?.stop();
      await informers.stop();
      await certificates.stop();
      await Promise.all([gatewayServer.close(), adminServer.close()]);
    },
  };
}
