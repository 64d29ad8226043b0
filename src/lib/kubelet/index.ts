/**
 * The local runtime: turns the local cluster's apps/v1 Deployments into processes on 127.0.0.1 and
 * reports them back as Pods, Deployment status and Endpoints. See runtime.ts (controller),
 * pod-process.ts (one pod's supervisor), launch.ts (what runs), env.ts (environment),
 * sandbox.ts (the bubblewrap view each pod gets), pod-dirs.ts (logs and HOMEs), process-table.ts
 * (orphan cleanup), cpu.ts (CPU metering for the HPA-class autoscaler) and local-path.ts (the
 * local-path provisioner that binds PersistentVolumeClaims to directories).
 */
import type { RestClient } from '../kube/rest.js';
import { Runtime, type LocalRuntime, type RuntimeOptions } from './runtime.js';

export { podLogPath } from './pod-process.js';
export type { LocalRuntime, RuntimeOptions } from './runtime.js';

/**
 * Starts the local runtime against the cluster `rest` talks to (the caller keeps owning `rest`). Meant for the embedded local cluster
 * only: at start it kills the processes a previous run on `dataDir` left behind and deletes every
 * Deployment-owned Pod on the cluster (none of them has a process behind it any more). Options
 * beyond `dataDir` (backoff base, grace-period cap, watchdog, logger) exist for tests and the daemon.
 */
export async function startRuntime(rest: RestClient, opts: RuntimeOptions): Promise<LocalRuntime> {
  const runtime = new Runtime(rest, opts);
  try {
    await runtime.start();
  } catch (err) {
    await runtime.stop();
    throw err;
  }
  return {
    stop: () => runtime.stop(),
    podCpuMillicores: () => runtime.podCpuMillicores(),
    frozenInstances: () => runtime.frozenInstances(),
    openLog: (req) => runtime.openLog(req),
    exec: (req) => runtime.exec(req),
    dial: (target, port) => runtime.dial(target, port),
    podUsage: () => runtime.podUsage(),
  };
}
