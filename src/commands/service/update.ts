import { Args } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import {
  dryRunFlags,
  namespaceFlags,
  serviceEditFlags,
  targetFlags,
  trafficFlags,
  waitFlags,
  editFlagValues,
} from '../../lib/cli/flags.js';
import { updateService } from '../../lib/cli/service/update.js';
import type { Service } from '../../lib/apis/types.js';

/** `knlite service update NAME [flags]`: change a service (new revision when the template changes). */
export default class ServiceUpdate extends KnCommand {
  static override summary = 'Update a service.';
  static override description =
    'Changes a service with the same flags as create, plus --traffic, --tag and --untag. The change is a read-modify-write retried on conflicts, so concurrent updates all land. When the revision template changes, a new revision is created and the command waits until it is ready.';
  static override aliases = ['ksvc:update', 'services:update'];
  static override examples = [
    '<%= config.bin %> service update hello --env TARGET=Knative',
    '<%= config.bin %> service update hello --env TARGET-',
    '<%= config.bin %> service update hello --scale-min 1 --scale-max 3',
    '<%= config.bin %> service update hello --tag hello-00001=stable --traffic stable=50,@latest=50',
    '<%= config.bin %> service update hello --untag stable --traffic @latest=100',
  ];
  static override args = { name: Args.string({ description: 'the service name', required: true }) };
  static override flags = {
    ...namespaceFlags(),
    ...serviceEditFlags(),
    ...trafficFlags(),
    ...waitFlags(),
    ...targetFlags(),
    ...dryRunFlags(),
  };

  async run(): Promise<Service> {
    const { args, flags } = await this.parse(ServiceUpdate);
    return updateService(() => this.serviceStore(flags), this.io(), {
      name: args.name,
      flags: editFlagValues(flags),
      traffic: { tag: flags.tag, untag: flags.untag, traffic: flags.traffic },
      wait: this.waitSettings(flags),
      dryRun: this.dryRun(flags),
    });
  }
}
