import { Args } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { domainRefFlags, dryRunFlags, namespaceFlags } from '../../lib/cli/flags.js';
import { updateDomainMapping } from '../../lib/cli/domain-edit.js';
import type { DomainMapping } from '../../lib/apis/types.js';

/** `knlite domain update DOMAIN --ref ... [--tls SECRET]`. */
export default class DomainUpdate extends KnCommand {
  static override summary = 'Change what a domain mapping points to.';
  static override description =
    'Updates the --ref (ksvc:NAME, ksvc:NAME:NAMESPACE, kroute:NAME or a service NAME) and/or the --tls secret of a domain mapping (--tls "" removes TLS). The update is retried on conflicts.';
  static override aliases = ['domains:update'];
  static override examples = [
    '<%= config.bin %> domain update hello.example.com --ref hello-v2',
    '<%= config.bin %> domain update hello.example.com --tls hello-cert',
  ];
  static override args = { name: Args.string({ description: 'the domain name', required: true }) };
  static override flags = {
    ...namespaceFlags(),
    ...domainRefFlags('Secret with the TLS certificate ("" removes TLS).'),
    ...dryRunFlags(),
  };

  async run(): Promise<DomainMapping> {
    const { args, flags } = await this.parse(DomainUpdate);
    return updateDomainMapping(() => this.client(), this.io(), {
      name: args.name,
      ref: flags.ref,
      tls: flags.tls,
      dryRun: this.dryRun(flags),
    });
  }
}
