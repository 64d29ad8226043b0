import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { namespaceFlags, outputFlags } from '../../lib/cli/flags.js';
import { listRevisionsWithTraffic } from '../../lib/cli/revision-actions.js';
import { parseOutputFlag } from '../../lib/printers/output.js';
import { printList } from '../../lib/printers/print.js';
import { revisionColumns } from '../../lib/printers/revision-columns.js';
import type { KubeList, Revision } from '../../lib/apis/types.js';

/** `knlite revision list [NAME] [-s SERVICE]`: revisions with the traffic and tags routed to them. */
export default class RevisionList extends KnCommand {
  static override summary = 'List revisions.';
  static override description =
    'Lists revisions with their service, the traffic share and tags their route gives them, configuration generation, age and readiness. Sorted by service, then generation (newest first), so `-o jsonpath={.items[0].metadata.name}` is the newest revision.';
  static override aliases = ['revision:ls', 'revisions:list', 'revisions:ls'];
  static override examples = [
    '<%= config.bin %> revision list',
    '<%= config.bin %> revision list -s hello',
    '<%= config.bin %> revision list -A',
    "<%= config.bin %> revision list -s hello -o jsonpath='{.items[0].metadata.name}'",
  ];
  static override args = {
    name: Args.string({ description: 'only the revision with this name', required: false }),
  };
  static override flags = {
    ...namespaceFlags({ allNamespaces: true }),
    service: Flags.string({
      char: 's',
      summary: 'Only the revisions of this service.',
      helpValue: 'SERVICE',
    }),
    ...outputFlags({ list: true }),
  };

  async run(): Promise<KubeList<Revision>> {
    const { args, flags } = await this.parse(RevisionList);
    const output = parseOutputFlag(flags.output);
    const { list, traffic } = await listRevisionsWithTraffic(await this.client(), {
      name: args.name,
      service: flags.service,
      allNamespaces: flags['all-namespaces'],
    });
    this.write(
      await printList(list, output, {
        columns: revisionColumns(traffic),
        empty: 'No revisions found.',
        allNamespaces: flags['all-namespaces'],
        noHeaders: flags['no-headers'],
      }),
    );
    return list;
  }
}
