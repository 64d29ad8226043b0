import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import {
  dryRunFlags,
  namespaceFlags,
  serviceEditFlags,
  tagFlags,
  targetFlags,
  waitFlags,
  editFlagValues,
} from '../../lib/cli/flags.js';
import { createService } from '../../lib/cli/service/create.js';
import type { Service } from '../../lib/apis/types.js';

/** `knlite service create NAME --image IMAGE`: create a service and wait until it is ready. */
export default class ServiceCreate extends KnCommand {
  static override summary = 'Create a service.';
  static override description =
    'Creates a Knative service from --image (or -f FILE, which other flags then modify) and waits until its first revision is ready, printing the URL. --force replaces an existing service; --target writes the service to a file or directory instead of the cluster.';
  static override aliases = ['ksvc:create', 'services:create'];
  static override examples = [
    '<%= config.bin %> service create hello --image ./examples/hello',
    '<%= config.bin %> service create hello --image ghcr.io/knative/helloworld-go --env TARGET=World --port 8080',
    '<%= config.bin %> service create hello --image ./app --scale 1..5 --concurrency-limit 10',
    '<%= config.bin %> service create hello -f hello.yaml --env DEBUG=1',
    '<%= config.bin %> service create hello --image ./app --force --no-wait',
    '<%= config.bin %> service create hello --image ./app --target ./gitops',
  ];
  static override args = { name: Args.string({ description: 'the service name', required: false }) };
  static override flags = {
    ...namespaceFlags(),
    ...serviceEditFlags(),
    ...tagFlags(),
    filename: Flags.string({
      char: 'f',
      summary: 'Create the service from a YAML or JSON file; other flags modify it.',
      helpValue: 'FILE',
    }),
    force: Flags.boolean({ summary: 'Replace the service if it already exists.' }),
    ...waitFlags(),
    ...targetFlags(),
    ...dryRunFlags(),
  };

  async run(): Promise<Service> {
    const { args, flags } = await this.parse(ServiceCreate);
    return createService(() => this.serviceStore(flags), this.io(), {
      name: args.name,
      file: flags.filename,
      force: flags.force,
      flags: editFlagValues(flags),
      traffic: { tag: flags.tag },
      wait: this.waitSettings(flags),
      dryRun: this.dryRun(flags),
    });
  }
}
