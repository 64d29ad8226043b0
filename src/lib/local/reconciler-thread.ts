/**
 * Runs the reconciler of the local cluster on a worker thread of its own (reconciler-worker.ts).
 * It shares nothing with the daemon's other parts but the API server's address and the ingress
 * CA, so what it does is what a separate `knlite reconciler run` would do, on the other core.
 * A worker that dies is started again after a pause: reconcilers are level-based, so a new one
 * converges from what the API server holds.
 */
import { Worker } from 'node:worker_threads';
import type { CertificateAuthority } from '../controller/certificate/issuer.js';

/** What the worker is started with (structured-cloned: plain data only). */
export interface ReconcilerThreadData {
  kubeconfig: string;
  identity: string;
  certificateAuthority?: CertificateAuthority;
  /** Whether to post log lines. */
  log: boolean;
}

/** How long a worker that died waits before it is started again. */
const RESTART_DELAY_MS = 1000;
/** How long `stop()` waits for the worker to stop its reconcilers before terminating it. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Creates the worker: the built .js next to this module, or, from the sources (tests, benches,
 * `bin/dev.js`), the .ts through tsx, which a worker thread does not inherit from `--import tsx`.
 */
function newWorker(workerData: ReconcilerThreadData): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./reconciler-worker.js', import.meta.url), { workerData });
  const entry = new URL('./reconciler-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData });
}

/**
 * Starts the reconciler thread and resolves once its informers have synced (rejects if the first
 * start fails). `stop()` stops its reconcilers and ends the thread.
 */
export async function startReconcilerThread(
  data: Omit<ReconcilerThreadData, 'log'>,
  log?: (line: string) => void,
): Promise<{ stop(): Promise<void> }> {
  let stopping = false;
  let current: Worker;
  let restart: NodeJS.Timeout | undefined;

  const spawn = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = newWorker({ ...data, log: log !== undefined });
      current = worker;
      let ready = false;
      worker.on('message', (msg: { log?: string; ready?: boolean }) => {
        if (msg.log !== undefined) log?.(msg.log);
        if (msg.ready) {
          ready = true;
          resolve();
        }
      });
      worker.on('error', (err) => {
        if (!ready) return reject(err);
        log?.(`reconciler thread failed: ${err.message}; starting it again`);
      });
      worker.on('exit', (code) => {
        if (!ready)
          return reject(new Error(`the reconciler thread exited with code ${code} before it was ready`));
        if (stopping) return;
        restart = setTimeout(() => {
          spawn().catch((err: Error) => log?.(`reconciler thread did not start again: ${err.message}`));
        }, RESTART_DELAY_MS);
      });
    });

  await spawn();
  return {
    async stop() {
      stopping = true;
      clearTimeout(restart);
      const worker = current;
      const exited = new Promise<void>((r) => worker.once('exit', () => r()));
      worker.postMessage({ stop: true });
      const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
