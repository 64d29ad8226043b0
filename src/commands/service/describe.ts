import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { namespaceFlags, outputFlags, targetFlags } from '../../lib/cli/flags.js';
import { getServiceWithRevisions } from '../../lib/cli/service/describe.js';
import { formatObject, parseOutputFlag } from '../../lib/printers/output.js';
import { describeService } from '../../lib/printers/service-describe.js';
import type { Service } from '../../lib/apis/types.js';

/** `knlite service describe NAME`: details, revisions with traffic, conditions. */
export default class ServiceDescribe extends KnCommand {
  static override summary = 'Show details of a service.';
  static override description =
    'Prints the service metadata, URL, its revisions with traffic share, tags, image, env and scale, and the conditions (++ ok, !! failed, ?? unknown). -o url prints just the URL; -o yaml|json the object.';
  static override aliases = ['ksvc:describe', 'services:describe'];
  static override examples = [
    '<%= config.bin %> service describe hello',
    '<%= config.bin %> service describe hello -o url',
    '<%= config.bin %> service describe hello -v',
  ];
  static override args = { name: Args.string({ description: 'the service name', required: true }) };
  static override flags = {
    ...namespaceFlags(),
    ...outputFlags({ url: true }),
    verbose: Flags.boolean({
      char: 'v',
      summary: 'More output: every revision, bookkeeping labels and annotations, condition messages.',
    }),
    ...targetFlags(),
  };

  async run(): Promise<Service> {
    const { args, flags } = await this.parse(ServiceDescribe);
    const output = parseOutputFlag(flags.output, { url: true });
    if (flags.target) {
      const svc = await (await this.serviceStore(flags)).getService(args.name);
      this.write(
        output
          ? await formatObject(svc, output)
          : describeService(svc, [], { verbose: flags.verbose, width: this.terminalWidth }),
      );
      return svc;
    }
    const { service, revisions, rootCause, autoscaler, rollout } = await getServiceWithRevisions(
      await this.client(),
      args.name,
      { verbose: flags.verbose },
    );
    this.write(
      output
        ? await formatObject(service, output)
        : describeService(service, revisions, {
            verbose: flags.verbose,
            width: this.terminalWidth,
            rootCause,
            autoscaler,
            rollout,
          }),
    );
    return service;
  }
}
