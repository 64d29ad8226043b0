import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { namespaceFlags, outputFlags } from '../../lib/cli/flags.js';
import { getRevisionDetails } from '../../lib/cli/revision-actions.js';
import { formatObject, parseOutputFlag } from '../../lib/printers/output.js';
import { describeRevision } from '../../lib/printers/revision-describe.js';
import type { Revision } from '../../lib/apis/types.js';

/** `knlite revision describe NAME`: image, env, scale, service and conditions of a revision. */
export default class RevisionDescribe extends KnCommand {
  static override summary = 'Show details of a revision.';
  static override description =
    'Prints the revision metadata, image, replicas, port, env, scale, concurrency and timeout, its service (with -v: generation, whether it is the latest created/ready revision, its traffic and tags) and the conditions (++ ok, !! failed, ?? unknown).';
  static override aliases = ['revisions:describe'];
  static override examples = [
    '<%= config.bin %> revision describe hello-00001',
    '<%= config.bin %> revision describe hello-00001 -v',
    '<%= config.bin %> revision describe hello-00001 -o yaml',
  ];
  static override args = { name: Args.string({ description: 'the name of the revision', required: true }) };
  static override flags = {
    ...namespaceFlags(),
    ...outputFlags(),
    verbose: Flags.boolean({
      char: 'v',
      summary: 'More output: service details, bookkeeping labels and annotations, condition messages.',
    }),
  };

  async run(): Promise<Revision> {
    const { args, flags } = await this.parse(RevisionDescribe);
    const output = parseOutputFlag(flags.output);
    const details = await getRevisionDetails(await this.client(), args.name);
    this.write(
      output
        ? await formatObject(details.revision, output)
        : describeRevision(details.revision, details, { verbose: flags.verbose, width: this.terminalWidth }),
    );
    return details.revision;
  }
}
