import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { namespaceFlags, outputFlags } from '../../lib/cli/flags.js';
import { exportService } from '../../lib/cli/service/export.js';
import { formatObject, parseOutputFlag } from '../../lib/printers/output.js';
import { usageError } from '../../lib/client/errors.js';
import type { KubeObject } from '../../lib/apis/types.js';

/** `knlite service export NAME -o yaml`: the service without runtime fields, for source control. */
export default class ServiceExport extends KnCommand {
  static override summary = 'Export a service and its active revisions.';
  static override description =
    "Prints the service stripped of status and bookkeeping fields so it can be stored and re-created. --with-revisions adds the revisions that receive traffic; --mode replay prints plain Services (a List with revisions) that kubectl can apply, --mode export (default) kn's Export object.";
  static override aliases = ['ksvc:export', 'services:export'];
  static override examples = [
    '<%= config.bin %> service export hello -o yaml',
    '<%= config.bin %> service export hello --with-revisions --mode replay -o yaml > hello.yaml',
  ];
  static override args = { name: Args.string({ description: 'the service name', required: true }) };
  static override flags = {
    ...namespaceFlags(),
    ...outputFlags(),
    'with-revisions': Flags.boolean({ summary: 'Export the revisions that receive traffic as well.' }),
    mode: Flags.string({
      summary: 'export (kn Export object) or replay (plain Services).',
      options: ['export', 'replay'],
      default: 'export',
    }),
  };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(ServiceExport);
    const output = parseOutputFlag(flags.output);
    if (!output) throw usageError("'knlite service export' requires output format, e.g. -o yaml");
    const exported = await exportService(await this.client(), args.name, {
      withRevisions: flags['with-revisions'],
      mode: flags.mode as 'export' | 'replay',
    });
    this.write(await formatObject(exported as unknown as KubeObject, output));
    return exported;
  }
}
