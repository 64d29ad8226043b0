/**
 * Runs a component of the local cluster (the reconciler, or the data plane: gateway, activator and
 * autoscaler) on a worker thread of its own (component-worker.ts). Such a component shares nothing
 * with the daemon's other parts but the API server's address and plain data passed at its start,
 * so what it does is what `knlite reconciler run` or `knlite gateway run` would do, on another core
 * than the event loop of the API server and the runtime. The data plane also gets the runtime's
 * CPU and frozen-instance readings as messages, in place of the callbacks it takes in-process.
 *
 * A worker that dies is started again after a pause with the same settings (a data plane on the
 * ports it had): components are level-based, so a new one converges from what the API holds.
 */
import { Worker } from 'node:worker_threads';
import type { CertificateAuthority } from '../controller/certificate/issuer.js';
import type { FrozenInstanceSample } from '../dataplane/metrics.js';

/** What a component thread is started with (structured-cloned: plain data only). */
export type ComponentThreadData = { kubeconfig: string; log: boolean } & (
  | { component: 'reconciler'; identity: string; certificateAuthority?: CertificateAuthority }
  | {
      component: 'dataplane';
      host: string;
      port: number;
      httpsPort: number;
      adminPort: number;
      identity: string;
    }
);

/** What a worker posts to its parent. */
export interface ComponentMessage {
  log?: string;
  /** Started; for the data plane, with the ports it bound. */
  ready?: { port?: number; httpsPort?: number; adminPort?: number };
}

/** What the parent posts to a data-plane worker: the runtime's latest readings. */
export interface ReadingsMessage {
  readings: { cpu: [string, number][]; frozen: FrozenInstanceSample[] };
}

/** How long a worker that died waits before it is started again. */
const RESTART_DELAY_MS = 1000;
/** How long `stop()` waits for the worker to stop its component before terminating it. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Creates the worker: the built .js next to this module, or, from the sources (tests, benches,
 * `bin/dev.js`), the .ts through tsx, which a worker thread does not inherit from `--import tsx`.
 */
function newWorker(workerData: ComponentThreadData): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./component-worker.js', import.meta.url), { workerData });
  const entry = new URL('./component-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData });
}

/** A running component thread. */
export interface ComponentThread {
  /** What the first start reported. */
  ready: NonNullable<ComponentMessage['ready']>;
  /** Posts a message to the current worker (dropped while it is being started again). */
  post(msg: ReadingsMessage): void;
  stop(): Promise<void>;
}

/**
 * Starts the component's thread and resolves once it reports ready (rejects if the first start
 * fails). `stop()` stops the component and ends the thread.
 */
export async function startComponentThread(
  data: Omit<ComponentThreadData, 'log'>,
  log?: (line: string) => void,
): Promise<ComponentThread> {
  let stopping = false;
  let current: Worker | undefined;
  let restart: NodeJS.Timeout | undefined;
  let settings = { ...data, log: log !== undefined } as ComponentThreadData;

  const spawn = (): Promise<NonNullable<ComponentMessage['ready']>> =>
    new Promise((resolve, reject) => {
      const worker = newWorker(settings);
      let ready = false;
      worker.on('message', (msg: ComponentMessage) => {
        if (msg.log !== undefined) log?.(msg.log);
        if (msg.ready) {
          ready = true;
          current = worker;
          resolve(msg.ready);
        }
      });
      worker.on('error', (err) => {
        if (!ready) return reject(err);
        log?.(`${settings.component} thread failed: ${err.message}; starting it again`);
      });
      worker.on('exit', (code) => {
        if (!ready)
          return reject(
            new Error(`the ${settings.component} thread exited with code ${code} before it was ready`),
          );
        current = undefined;
        if (stopping) return;
        restart = setTimeout(() => {
          spawn().catch((err: Error) =>
            log?.(`${settings.component} thread did not start again: ${err.message}`),
          );
        }, RESTART_DELAY_MS);
      });
    });

  const ready = await spawn();
  // A restarted data plane binds the ports the first one had (clients and the seeded config know them).
  if (settings.component === 'dataplane')
    settings = { ...settings, port: ready.port!, httpsPort: ready.httpsPort!, adminPort: ready.adminPort! };
  return {
    ready,
    post(msg) {
      current?.postMessage(msg);
    },
    async stop() {
      stopping = true;
      clearTimeout(restart);
      const worker = current;
      if (!worker) return;
      const exited = new Promise<void>((r) => worker.once('exit', () => r()));
      worker.postMessage({ stop: true });
      const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
