import { Command } from '@oclif/core';
import { localPaths } from '../../lib/local/paths.js';
import { stopDaemon } from '../../lib/local/daemon.js';

/** `knlite cluster stop`: graceful shutdown of the local cluster daemon and every app process. */
export default class ClusterStop extends Command {
  static override summary = 'Stop the embedded local cluster (data is kept).';
  static override description =
    'Stops the daemon gracefully: app processes get SIGTERM, the API server flushes and exits. Data in $KNLITE_HOME is kept; `cluster start` resumes where it stopped.';
  static override examples = ['<%= config.bin %> cluster stop'];

  async run(): Promise<{ stopped: boolean }> {
    await this.parse(ClusterStop);
    const stopped = await stopDaemon(localPaths());
    this.log(stopped ? 'Local cluster stopped.' : 'Local cluster is not running.');
    return { stopped };
  }
}
