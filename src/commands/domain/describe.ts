import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { namespaceFlags, outputFlags } from '../../lib/cli/flags.js';
import { formatObject, parseOutputFlag } from '../../lib/printers/output.js';
import { describeDomainMapping } from '../../lib/printers/domain-printers.js';
import type { DomainMapping } from '../../lib/apis/types.js';

/** `knlite domain describe DOMAIN`: URL, reference and conditions of a domain mapping. */
export default class DomainDescribe extends KnCommand {
  static override summary = 'Show details of a domain mapping.';
  static override description =
    'Prints the domain mapping metadata, URL, TLS secret, the referenced object (API version, kind, name) and the conditions. -o url prints just the URL.';
  static override aliases = ['domains:describe'];
  static override examples = [
    '<%= config.bin %> domain describe hello.example.com',
    '<%= config.bin %> domain describe hello.example.com -o url',
  ];
  static override args = {
    name: Args.string({ description: 'the name of the domain mapping', required: true }),
  };
  static override flags = {
    ...namespaceFlags(),
    ...outputFlags({ url: true }),
    verbose: Flags.boolean({
      char: 'v',
      summary: 'More output: bookkeeping labels and annotations, condition messages.',
    }),
  };

  async run(): Promise<DomainMapping> {
    const { args, flags } = await this.parse(DomainDescribe);
    const output = parseOutputFlag(flags.output, { url: true });
    const dm = await (await this.client()).getDomainMapping(args.name);
    this.write(
      output
        ? await formatObject(dm, output)
        : describeDomainMapping(dm, { verbose: flags.verbose, width: this.terminalWidth }),
    );
    return dm;
  }
}
