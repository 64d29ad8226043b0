import { KnCommand } from '../../lib/cli/base.js';
import { namespaceFlags, outputFlags } from '../../lib/cli/flags.js';
import { parseOutputFlag } from '../../lib/printers/output.js';
import { printList } from '../../lib/printers/print.js';
import { domainColumns } from '../../lib/printers/domain-printers.js';
import type { DomainMapping, KubeList } from '../../lib/apis/types.js';

/** `knlite domain list`: domain mappings with URL, readiness and the service they point to. */
export default class DomainList extends KnCommand {
  static override summary = 'List domain mappings.';
  static override description =
    'Lists domain mappings with their URL, readiness and the service they point to (KSVC), sorted by namespace and name.';
  static override aliases = ['domain:ls', 'domains:list', 'domains:ls'];
  static override examples = ['<%= config.bin %> domain list', '<%= config.bin %> domain list -A -o name'];
  static override flags = { ...namespaceFlags({ allNamespaces: true }), ...outputFlags({ list: true }) };

  async run(): Promise<KubeList<DomainMapping>> {
    const { flags } = await this.parse(DomainList);
    const output = parseOutputFlag(flags.output);
    const list = await (await this.client()).listDomainMappings({ allNamespaces: flags['all-namespaces'] });
    this.write(
      await printList(list, output, {
        columns: domainColumns(),
        empty: 'No domain mapping found.',
        allNamespaces: flags['all-namespaces'],
        noHeaders: flags['no-headers'],
      }),
    );
    return list;
  }
}
