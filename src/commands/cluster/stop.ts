import { KnCommand } from '../../lib/cli/base.js';
import { localPaths } from '../../lib/local/paths.js';
import { stopDaemon } from '../../lib/local/daemon.js';

/** `knlite cluster stop`: graceful shutdown of the local cluster daemon and every app process. */
export default class ClusterStop extends KnCommand {
  static override summary = 'Stop the embedded local cluster (data is kept).';
  static override description =
    'Stops the daemon gracefully: app processes get SIGTERM, the API server flushes and exits. Data in $KNLITE_HOME is kept; `cluster start` resumes where it stopped.';
  static override examples = ['<%= config.bin %> cluster stop'];
  // The local cluster is this machine's: no --kubeconfig/--context/--no-color.
  static override baseFlags = {};

  async run(): Promise<{ stopped: boolean }> {
    await this.parse(ClusterStop);
    const stopped = await stopDaemon(localPaths());
    this.log(stopped ? 'Local cluster stopped.' : 'Local cluster is not running.');
    return { stopped };
  }
}
