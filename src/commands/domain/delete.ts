import { Args } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { dryRunFlags, namespaceFlags } from '../../lib/cli/flags.js';
import { deleteDomainMapping } from '../../lib/cli/domain-edit.js';

/** `knlite domain delete DOMAIN`. */
export default class DomainDelete extends KnCommand {
  static override summary = 'Delete a domain mapping.';
  static override description = 'Deletes the domain mapping; the service it pointed to is not touched.';
  static override aliases = ['domains:delete'];
  static override examples = ['<%= config.bin %> domain delete hello.example.com'];
  static override args = { name: Args.string({ description: 'the domain name', required: true }) };
  static override flags = { ...namespaceFlags(), ...dryRunFlags() };

  async run(): Promise<string> {
    const { args, flags } = await this.parse(DomainDelete);
    await deleteDomainMapping(() => this.client(), this.io(), args.name, this.dryRun(flags));
    return args.name;
  }
}
