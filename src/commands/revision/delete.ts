import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { dryRunFlags, namespaceFlags, waitFlags } from '../../lib/cli/flags.js';
import { deleteRevisions } from '../../lib/cli/revision-actions.js';

/** `knlite revision delete NAME... | --prune SERVICE | --prune-all`. */
export default class RevisionDelete extends KnCommand {
  static override summary = 'Delete revisions.';
  static override description =
    "Deletes revisions by name, or the unreferenced revisions of a service (--prune SERVICE) or of the namespace (--prune-all). Each name is deleted on its own, like kn: a missing revision, or one that still receives traffic or carries a tag (move its traffic away first with 'traffic split'), is reported at the end with exit code 1, and the other names are still deleted. By default it does not wait; --wait waits until each is gone.";
  static override aliases = ['revisions:delete'];
  static override strict = false;
  static override examples = [
    '<%= config.bin %> revision delete hello-00001',
    '<%= config.bin %> revision delete hello-00001 hello-00002 --wait',
    '<%= config.bin %> revision delete --prune hello',
    '<%= config.bin %> revision delete --prune-all -n dev',
  ];
  static override args = { name: Args.string({ description: 'the revision name(s)', required: false }) };
  static override flags = {
    ...namespaceFlags(),
    prune: Flags.string({
      summary: 'Delete the revisions of this service that receive no traffic and carry no tag.',
      helpValue: 'SERVICE',
      exclusive: ['prune-all'],
    }),
    'prune-all': Flags.boolean({
      summary: 'Delete every revision of the namespace that receives no traffic and carries no tag.',
    }),
    ...waitFlags({ waitByDefault: false }),
    ...dryRunFlags(),
  };

  async run(): Promise<string[]> {
    const { argv, flags } = await this.parse(RevisionDelete);
    return deleteRevisions(() => this.client(), this.io(), {
      names: argv as string[],
      prune: flags.prune,
      pruneAll: flags['prune-all'],
      wait: this.waitSettings(flags),
      dryRun: this.dryRun(flags),
    });
  }
}
