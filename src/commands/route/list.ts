import { Args } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { namespaceFlags, outputFlags } from '../../lib/cli/flags.js';
import { parseOutputFlag } from '../../lib/printers/output.js';
import { printList } from '../../lib/printers/print.js';
import { routeColumns } from '../../lib/printers/route-printers.js';
import type { KubeList, Route } from '../../lib/apis/types.js';

/** `knlite route list [NAME]`: routes with URL and readiness. */
export default class RouteList extends KnCommand {
  static override summary = 'List routes.';
  static override description =
    'Lists the routes (one per service; traffic is edited with `traffic split` or `service update --traffic`) with their URL and readiness. Like kn, no NAMESPACE column is shown even with -A.';
  static override aliases = ['route:ls', 'routes:list', 'routes:ls'];
  static override examples = [
    '<%= config.bin %> route list',
    '<%= config.bin %> route list hello -o yaml',
    '<%= config.bin %> route list -A --no-headers',
  ];
  static override args = {
    name: Args.string({ description: 'only the route with this name', required: false }),
  };
  static override flags = { ...namespaceFlags({ allNamespaces: true }), ...outputFlags({ list: true }) };

  async run(): Promise<KubeList<Route>> {
    const { args, flags } = await this.parse(RouteList);
    const output = parseOutputFlag(flags.output);
    const list = await (await this.client()).listRoutes({ allNamespaces: flags['all-namespaces'] });
    if (args.name) list.items = list.items.filter((r) => r.metadata.name === args.name);
    this.write(
      await printList(list, output, {
        columns: routeColumns(),
        empty: 'No routes found.',
        noHeaders: flags['no-headers'],
      }),
    );
    return list;
  }
}
