import { Flags } from '@oclif/core';
import { rmSync } from 'node:fs';
import { KnCommand } from '../../lib/cli/base.js';
import { localPaths } from '../../lib/local/paths.js';
import { stopDaemon } from '../../lib/local/daemon.js';
import { removeLocalContext } from '../../lib/local/kubeconfig.js';

/** `knlite cluster delete`: stop the daemon, wipe its data, drop the kubeconfig context. */
export default class ClusterDelete extends KnCommand {
  static override summary = 'Delete the local cluster and all of its data.';
  static override description =
    'Stops the daemon, removes $KNLITE_HOME (database, certificates, logs) and the "knlite" kubeconfig context. Asks for confirmation on a terminal; elsewhere it refuses unless --force is given.';
  static override aliases = ['cluster:reset'];
  static override examples = ['<%= config.bin %> cluster delete', '<%= config.bin %> cluster delete --force'];
  // The local cluster is this machine's: no --kubeconfig/--context/--no-color.
  static override baseFlags = {};
  static override flags = {
    force: Flags.boolean({ char: 'f', description: 'Delete without asking.', default: false }),
  };

  async run(): Promise<{ deleted: boolean }> {
    const { flags } = await this.parse(ClusterDelete);
    const paths = localPaths();
    if (!flags.force) {
      if (!process.stdin.isTTY) {
        this.fail(`refusing to delete ${paths.home} without --force (not a terminal)`);
      }
      const { confirm } = await import('@inquirer/prompts');
      const ok = await confirm({
        message: `Delete the local cluster and all data in ${paths.home}?`,
        default: false,
      });
      if (!ok) {
        this.log('Nothing deleted.');
        return { deleted: false };
      }
    }
    await stopDaemon(paths);
    rmSync(paths.home, { recursive: true, force: true });
    removeLocalContext();
    this.log(`Local cluster deleted (${paths.home} removed).`);
    return { deleted: true };
  }
}
