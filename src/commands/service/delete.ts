import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { dryRunFlags, namespaceFlags, targetFlags, waitFlags } from '../../lib/cli/flags.js';
import { deleteServices } from '../../lib/cli/service/delete.js';

/** `knlite service delete NAME... | --all`. */
export default class ServiceDelete extends KnCommand {
  static override summary = 'Delete services.';
  static override description =
    'Deletes one or more services (or all services of the namespace with --all), with their configurations, revisions and routes. By default it does not wait; --wait waits until each is gone.';
  static override aliases = ['ksvc:delete', 'services:delete'];
  static override strict = false;
  static override examples = [
    '<%= config.bin %> service delete hello',
    '<%= config.bin %> service delete hello goodbye --wait',
    '<%= config.bin %> service delete --all -n dev',
  ];
  static override args = { name: Args.string({ description: 'the service name(s)', required: false }) };
  static override flags = {
    ...namespaceFlags(),
    all: Flags.boolean({ summary: 'Delete all services in the namespace.' }),
    ...waitFlags({ waitByDefault: false }),
    ...targetFlags(),
    ...dryRunFlags(),
  };

  async run(): Promise<string[]> {
    const { argv, flags } = await this.parse(ServiceDelete);
    return deleteServices(() => this.serviceStore(flags), this.io(), {
      names: argv as string[],
      all: flags.all,
      wait: this.waitSettings(flags),
      dryRun: this.dryRun(flags),
    });
  }
}
