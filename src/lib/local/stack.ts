/**
 * The local cluster in one process: the embedded API server, then the data plane (so its port is
 * known), then Knative's ConfigMaps, then the reconciler and the local runtime. The daemon
 * (`knlite cluster start`) and the end-to-end tests both start exactly this.
 */
import { knativeAdmission } from '../webhook/admission.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { startReconciler } from '../controller/index.js';
import { startDataPlane } from '../dataplane/index.js';
import { RestClient } from '../kube/rest.js';
import { startRuntime, type LocalRuntime } from '../kubelet/index.js';
import { ensureIngressCa } from './ca.js';
import { startComponentThread } from './component-thread.js';
import { seedLocalConfig } from './seed.js';

/** Options for one local stack. Ports 0 mean "pick a free one". */
export interface LocalStackOptions {
  /** API server data directory. */
  dataDir: string;
  /** Local runtime directory (pod logs, pid records). */
  runtimeDir: string;
  apiPort?: number;
  gatewayPort?: number;
  /** The gateway's HTTPS port (0 or absent: a free one). */
  gatewayHttpsPort?: number;
  adminPort?: number;
  /** Which parts beside the API server to run (all by default). */
  reconciler?: boolean;
  runtime?: boolean;
  dataplane?: boolean;
  /**
   * Run the reconciler and the data plane each on a worker thread of its own (what the daemon
   * does) instead of this thread's event loop; they talk to the API server exactly as in-process.
   */
  threads?: boolean;
  /** Called with a one-line progress message as each part comes up. */
  log?: (line: string) => void;
}

/** A running local stack. */
export interface LocalStack {
  server: ApiServer;
  /** The REST client every part shares (one keep-alive pool); closed by `stop()`. */
  client: RestClient;
  /** The local runtime, when it runs in this process. */
  runtime?: LocalRuntime;
  gatewayPort?: number;
  gatewayHttpsPort?: number;
  adminPort?: number;
  /** The ingress CA's certificate (trust it for https Route URLs). */
  caFile: string;
  stop(): Promise<void>;
}

/** Starts the API server and the requested parts; stops whatever started if a later part fails. */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const log = opts.log ?? (() => undefined);
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    // Reverse order: workloads and controllers first, the API server last.
    for (const stop of stoppers.reverse()) {
      try {
        await stop();
      } catch {
        // Keep stopping the rest; a failed stop must not leave other parts running.
      }
    }
  };
  try {
    const server = await startApiServer({
      dataDir: opts.dataDir,
      host: '127.0.0.1',
      port: opts.apiPort ?? 0,
      admission: knativeAdmission(),
    });
    stoppers.push(() => server.close());
    log(`API server listening on ${server.url}`);
    // Every part talks to the same in-process API server through one client: one keep-alive pool
    // instead of a TLS handshake per request (the control-plane bench found ~11% of the daemon's
    // CPU in handshakes before).
    const client = RestClient.fromKubeconfig(server.kubeconfig());
    stoppers.push(async () => client.close());

    const ca = ensureIngressCa(opts.dataDir);
    let gatewayPort: number | undefined;
    let gatewayHttpsPort: number | undefined;
    let adminPort: number | undefined;
    // The runtime starts last (it needs the seeded config); the gateway reads its CPU meter once it runs.
    let runtime: LocalRuntime | undefined;
    if (opts.dataplane !== false) {
      const settings = {
        host: '127.0.0.1',
        port: opts.gatewayPort ?? 0,
        httpsPort: opts.gatewayHttpsPort ?? 0,
        adminPort: opts.adminPort ?? 0,
        // The same election a separate `knlite gateway run` joins: one autoscaler writes /scale.
        identity: 'knlite-daemon',
      };
      const dp = opts.threads
        ? await startDataPlaneThread(
            { kubeconfig: server.kubeconfig(), ...settings },
            () => runtime,
            opts.log,
          )
        : await startDataPlane(client, {
            ...settings,
            leaderElection: { identity: settings.identity },
            podCpuMillicores: () => runtime?.podCpuMillicores() ?? new Map(),
            frozenInstances: () => runtime?.frozenInstances() ?? [],
          });
      stoppers.push(() => dp.stop());
      gatewayPort = dp.port;
      gatewayHttpsPort = dp.httpsPort;
      adminPort = dp.adminPort;
      log(
        `gateway listening on http://127.0.0.1:${gatewayPort} and https://127.0.0.1:${gatewayHttpsPort} (metrics on :${adminPort})${opts.threads ? ', on its own thread' : ''}`,
      );
    }
    // Without an in-process gateway, URLs carry the ports the separate gateway is told to use.
    await seedLocalConfig(client, {
      gatewayPort: gatewayPort ?? (opts.gatewayPort || 80),
      gatewayHttpsPort: gatewayHttpsPort ?? (opts.gatewayHttpsPort || 443),
      adminPort: adminPort ?? 0,
    });

    if (opts.reconciler !== false) {
      const settings = {
        identity: 'knlite-local',
        certificateAuthority: { certPem: ca.certPem, keyPem: ca.keyPem },
      };
      const rec = opts.threads
        ? await startComponentThread(
            { component: 'reconciler', kubeconfig: server.kubeconfig(), ...settings },
            opts.log,
          )
        : await startReconciler(client, { leaderElection: false, log: opts.log, ...settings });
      stoppers.push(() => rec.stop());
      log(opts.threads ? 'reconciler running on its own thread' : 'reconciler running');
    }
    if (opts.runtime !== false) {
      // The API server's data (token, PKI, database) is hidden from sandboxed pods like the runtime's.
      const rt = await startRuntime(client, { dataDir: opts.runtimeDir, hiddenPaths: [opts.dataDir] });
      stoppers.push(() => rt.stop());
      // pods/log and exec reach the runtime in this process, like kube-apiserver reaches a kubelet.
      const disconnect = server.connectPods(rt);
      stoppers.push(async () => disconnect());
      // kubectl top reads the runtime's CPU and memory readings through the metrics API.
      server.setMetricsSource({ pods: () => rt.podUsage() });
      stoppers.push(async () => server.setMetricsSource(undefined));
      runtime = rt;
      log('local runtime running');
    }
    return {
      server,
      client,
      runtime,
      gatewayPort,
      gatewayHttpsPort,
      adminPort,
      caFile: ca.certFile,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** How often the runtime's CPU and frozen-instance readings go to a data-plane thread. */
const READINGS_INTERVAL_MS = 1000;

/**
 * The data plane on its own thread, fed the runtime's readings (CPU per pod for the HPA's `cpu`
 * metric, frozen instances for their gauges) every second instead of reading them in-process.
 */
async function startDataPlaneThread(
  settings: {
    kubeconfig: string;
    host: string;
    port: number;
    httpsPort: number;
    adminPort: number;
    identity: string;
  },
  runtime: () => LocalRuntime | undefined,
  log?: (line: string) => void,
): Promise<{ port: number; httpsPort?: number; adminPort: number; stop(): Promise<void> }> {
  const thread = await startComponentThread({ component: 'dataplane', ...settings }, log);
  const timer = setInterval(() => {
    const rt = runtime();
    if (!rt) return;
    const frozen = rt
      .frozenInstances()
      .map((f) => ({ namespace: f.namespace, revision: f.revision, rssBytes: f.rssBytes }));
    thread.post({ readings: { cpu: [...rt.podCpuMillicores()], frozen } });
  }, READINGS_INTERVAL_MS);
  timer.unref();
  return {
    port: thread.ready.port!,
    httpsPort: thread.ready.httpsPort,
    adminPort: thread.ready.adminPort!,
    stop: async () => {
      clearInterval(timer);
      await thread.stop();
    },
  };
}
