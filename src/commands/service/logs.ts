import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { logFlags, namespaceFlags } from '../../lib/cli/flags.js';
import { logSelector, parseLogFlags, showLogs } from '../../lib/cli/logs.js';

/** `knlite service logs NAME`: the logs of every instance of a service, interleaved in time order. */
export default class ServiceLogs extends KnCommand {
  static override summary = 'Print the logs of a service.';
  static override description =
    "Prints the logs of every instance (pod) of the service, merged in time order, each line after its instance's [REVISION POD] label. With -f it keeps streaming and follows instances that start later (scale from zero, a new revision) until Ctrl-C. Reads the pods' logs through the Kubernetes API (pods/log), so it works against any cluster.";
  static override aliases = ['ksvc:logs', 'services:logs'];
  static override examples = [
    '<%= config.bin %> service logs hello',
    '<%= config.bin %> service logs hello -f',
    '<%= config.bin %> service logs hello --revision hello-00002 --tail 20',
    '<%= config.bin %> service logs hello --since 10m --timestamps',
    '<%= config.bin %> service logs hello --previous',
  ];
  static override args = { name: Args.string({ description: 'the service name', required: true }) };
  static override flags = {
    ...namespaceFlags(),
    ...logFlags(),
    revision: Flags.string({
      summary: 'Only the instances of this revision of the service.',
      helpValue: 'NAME',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ServiceLogs);
    const req = parseLogFlags(flags);
    const client = await this.client();
    const selector = await logSelector(client, { service: args.name, revision: flags.revision });
    await showLogs(
      client,
      selector,
      req,
      { line: (t) => this.line(t), note: (t) => process.stderr.write(`${t}\n`), color: this.color },
      flags.revision ? `revision '${flags.revision}'` : `service '${args.name}'`,
    );
  }
}
