/**
 * The embedded default: when the user has no kubeconfig at all, knlite commands talk to the local
 * cluster and start it on demand, saying so in one line on stderr.
 */
import { localPaths } from './paths.js';
import { readDaemonState, startDaemon } from './daemon.js';

/** Ensures the local cluster daemon runs; resolves the kubeconfig file that reaches it. */
export async function ensureLocalCluster(): Promise<{ kubeconfigPath: string }> {
  const paths = localPaths(undefined, true);
  if (!readDaemonState(paths)) {
    process.stderr.write(
      `No kubeconfig found: starting the local knlite cluster (data in ${paths.home})...\n`,
    );
  }
  const { state } = await startDaemon(paths);
  return { kubeconfigPath: state.kubeconfig };
}
