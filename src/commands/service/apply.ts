import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import {
  dryRunFlags,
  namespaceFlags,
  serviceEditFlags,
  waitFlags,
  editFlagValues,
} from '../../lib/cli/flags.js';
import { applyService } from '../../lib/cli/service/apply.js';
import type { Service } from '../../lib/apis/types.js';

/** `knlite service apply NAME --image IMAGE`: declaratively create or update a service. */
export default class ServiceApply extends KnCommand {
  static override summary = 'Create or update a service declaratively.';
  static override description =
    'Makes the service look like the given flags (or -f FILE plus flags): creates it when missing, replaces its template, labels and annotations when they differ, and does nothing when they match. The full spec is required every time (--image is mandatory without -f).';
  static override aliases = ['ksvc:apply', 'services:apply'];
  static override examples = [
    '<%= config.bin %> service apply hello --image ./examples/hello --env TARGET=v1',
    '<%= config.bin %> service apply -f hello.yaml',
  ];
  static override args = { name: Args.string({ description: 'the service name', required: false }) };
  static override flags = {
    ...namespaceFlags(),
    ...serviceEditFlags(),
    filename: Flags.string({
      char: 'f',
      summary: 'Apply the service from a YAML or JSON file; other flags modify it.',
      helpValue: 'FILE',
    }),
    ...waitFlags(),
    ...dryRunFlags(),
  };

  async run(): Promise<Service> {
    const { args, flags } = await this.parse(ServiceApply);
    return applyService(() => this.client(), this.io(), {
      name: args.name,
      file: flags.filename,
      flags: editFlagValues(flags),
      wait: this.waitSettings(flags),
      dryRun: this.dryRun(flags),
    });
  }
}
