import { Args } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { namespaceFlags, outputFlags, targetFlags } from '../../lib/cli/flags.js';
import { listServices } from '../../lib/cli/service/list.js';
import { printServiceList, SERVICE_LIST_IDS } from '../../lib/cli/service-list.js';
import { parseOutputFlag } from '../../lib/printers/output.js';
import type { KubeList, Service } from '../../lib/apis/types.js';

/** `knlite service list [NAME]`: the services of a namespace (or all with -A). */
export default class ServiceList extends KnCommand {
  static override summary = 'List services.';
  static override description =
    'Lists Knative services with their URL, latest ready revision, age and readiness, sorted by namespace and name.';
  // One list of the ids `service list` answers to: bin/run.js's fast path reads the same one.
  static override aliases = SERVICE_LIST_IDS.filter((id) => id !== 'service:list');
  static override examples = [
    '<%= config.bin %> service list',
    '<%= config.bin %> service list -A',
    '<%= config.bin %> service list hello -o yaml',
    "<%= config.bin %> service list -o jsonpath='{.items[*].metadata.name}'",
  ];
  static override args = {
    name: Args.string({ description: 'only the service with this name', required: false }),
  };
  static override flags = {
    ...namespaceFlags({ allNamespaces: true }),
    ...outputFlags({ list: true }),
    ...targetFlags(),
  };

  async run(): Promise<KubeList<Service>> {
    const { args, flags } = await this.parse(ServiceList);
    const output = parseOutputFlag(flags.output);
    const list = await listServices(await this.serviceStore(flags), {
      name: args.name,
      allNamespaces: flags['all-namespaces'],
    });
    this.write(
      await printServiceList(list, output, {
        allNamespaces: flags['all-namespaces'],
        noHeaders: flags['no-headers'],
      }),
    );
    return list;
  }
}
