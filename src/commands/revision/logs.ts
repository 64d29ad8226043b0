import { Args } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { logFlags, namespaceFlags } from '../../lib/cli/flags.js';
import { logSelector, parseLogFlags, showLogs } from '../../lib/cli/logs.js';

/** `knlite revision logs NAME`: the logs of every instance of a revision, interleaved in time order. */
export default class RevisionLogs extends KnCommand {
  static override summary = 'Print the logs of a revision.';
  static override description =
    "Prints the logs of every instance (pod) of the revision, merged in time order, each line after its instance's [REVISION POD] label. With -f it keeps streaming and follows instances that start later until Ctrl-C. Reads the pods' logs through the Kubernetes API (pods/log), so it works against any cluster.";
  static override aliases = ['revisions:logs'];
  static override examples = [
    '<%= config.bin %> revision logs hello-00001',
    '<%= config.bin %> revision logs hello-00001 -f --tail 10',
    '<%= config.bin %> revision logs hello-00001 --previous',
  ];
  static override args = { name: Args.string({ description: 'the name of the revision', required: true }) };
  static override flags = { ...namespaceFlags(), ...logFlags() };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RevisionLogs);
    const req = parseLogFlags(flags);
    const client = await this.client();
    const selector = await logSelector(client, { revision: args.name });
    await showLogs(
      client,
      selector,
      req,
      { line: (t) => this.line(t), note: (t) => process.stderr.write(`${t}\n`), color: this.color },
      `revision '${args.name}'`,
    );
  }
}
