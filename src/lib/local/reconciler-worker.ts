/**
 * The reconciler's own thread in the local cluster (reconciler-thread.ts starts it): a worker that
 * runs exactly what `knlite reconciler run` runs, against the same API server through its own
 * client and keep-alive pool. Nothing but the API connects it to the rest of the daemon, so its
 * informers' parsing and its reconciles use the machine's other core instead of the event loop the
 * API server, gateway and runtime share.
 *
 * Protocol with the parent: workerData carries the kubeconfig and the reconciler's options (plain
 * data); the worker posts `{ log }` lines and `{ ready: true }` once its informers have synced,
 * and stops on `{ stop: true }`, posting `{ stopped: true }` before its thread ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startReconciler } from '../controller/index.js';
import { RestClient } from '../kube/rest.js';
import type { ReconcilerThreadData } from './reconciler-thread.js';

const port = parentPort!;
const data = workerData as ReconcilerThreadData;
const client = RestClient.fromKubeconfig(data.kubeconfig);
const reconciler = await startReconciler(client, {
  leaderElection: false,
  identity: data.identity,
  certificateAuthority: data.certificateAuthority,
  log: data.log ? (line) => port.postMessage({ log: line }) : undefined,
});
port.postMessage({ ready: true });
port.on('message', (msg: { stop?: boolean }) => {
  if (!msg.stop) return;
  void reconciler
    .stop()
    .finally(() => client.close())
    .then(() => {
      port.postMessage({ stopped: true });
      // Ends this thread only, whatever timers the stopped parts left behind.
      process.exit(0);
    });
});
