/**
 * A component of the local cluster on its own thread (component-thread.ts starts it): the
 * reconciler, or the data plane, exactly as `knlite reconciler run` / `knlite gateway run` run
 * them, against the same API server through a client and keep-alive pool of its own.
 *
 * Protocol with the parent: workerData (ComponentThreadData) says which component and with what
 * settings; the worker posts `{ log }` lines and `{ ready }` once started (the data plane with its
 * bound ports), takes the runtime's `{ readings }` (data plane), and on `{ stop: true }` stops the
 * component and ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startReconciler } from '../controller/index.js';
import { startDataPlane } from '../dataplane/index.js';
import type { FrozenInstanceSample } from '../dataplane/metrics.js';
import { RestClient } from '../kube/rest.js';
import type { ComponentMessage, ComponentThreadData, ReadingsMessage } from './component-thread.js';

const port = parentPort!;
const data = workerData as ComponentThreadData;
const client = RestClient.fromKubeconfig(data.kubeconfig);
const post = (msg: ComponentMessage): void => port.postMessage(msg);
const log = data.log ? (line: string) => post({ log: line }) : undefined;

let cpu: ReadonlyMap<string, number> = new Map();
let frozen: FrozenInstanceSample[] = [];
let stop: () => Promise<void>;
if (data.component === 'reconciler') {
  const reconciler = await startReconciler(client, {
    leaderElection: false,
    identity: data.identity,
    certificateAuthority: data.certificateAuthority,
    log,
  });
  stop = () => reconciler.stop();
  post({ ready: {} });
} else {
  const dp = await startDataPlane(client, {
    host: data.host,
    port: data.port,
    httpsPort: data.httpsPort,
    adminPort: data.adminPort,
    // The same election a separate `knlite gateway run` joins: one autoscaler writes /scale.
    leaderElection: { identity: data.identity },
    podCpuMillicores: () => cpu,
    frozenInstances: () => frozen,
  });
  stop = () => dp.stop();
  post({ ready: { port: dp.port, httpsPort: dp.httpsPort, adminPort: dp.adminPort } });
}

port.on('message', (msg: Partial<ReadingsMessage> & { stop?: boolean }) => {
  if (msg.readings) {
    cpu = new Map(msg.readings.cpu);
    frozen = msg.readings.frozen;
  }
  if (!msg.stop) return;
  void stop()
    .finally(() => client.close())
    // Ends this thread only, whatever timers the stopped parts left behind.
    .then(() => process.exit(0));
});
