import { Args } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { dryRunFlags, namespaceFlags, trafficFlags, waitFlags } from '../../lib/cli/flags.js';
import { updateService } from '../../lib/cli/service/update.js';
import type { Service } from '../../lib/apis/types.js';
import type { WizardOutcome } from '../../lib/rollout/wizard.js';

/** `knlite traffic split SERVICE --traffic REF=PCT --tag REF=TAG --untag TAG` (kn's `service update` traffic flags). */
export default class TrafficSplit extends KnCommand {
  static override summary = 'Split traffic between revisions, tag and untag them.';
  static override description = [
    "Sets the service's traffic block with kn's syntax: --traffic REF=PERCENT (REF is a revision name, a tag or @latest;",
    'a bare PERCENT means @latest), --tag REVISION=TAG (a bare TAG means @latest=TAG) and --untag TAG; each repeatable',
    'or comma-separated. Everything is validated before the service is changed: percents are integers from 0 to 100',
    'summing to 100 (when one routed revision is left out it gets the rest), @latest and each reference at most once,',
    'revisions must exist, tags must not collide. The update is retried on conflicts, then the command waits until the',
    'service is Ready, like `service update`.',
    'Without --traffic/--tag/--untag on a terminal it opens an interactive wizard (canary in steps, all at once,',
    'blue/green, percentages, tags, previous revision).',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> traffic split hello --traffic hello-00001=50 --traffic @latest=50',
    '<%= config.bin %> traffic split hello --tag hello-00001=stable --traffic stable=90,@latest=10',
    '<%= config.bin %> traffic split hello --untag stable --traffic @latest=100',
    '<%= config.bin %> traffic split hello',
  ];
  static override args = { service: Args.string({ description: 'the service name', required: true }) };
  static override flags = { ...namespaceFlags(), ...trafficFlags(), ...waitFlags(), ...dryRunFlags() };

  async run(): Promise<Service | WizardOutcome> {
    const { args, flags } = await this.parse(TrafficSplit);
    const edits = { traffic: flags.traffic, tag: flags.tag, untag: flags.untag };
    if (!edits.traffic?.length && !edits.tag?.length && !edits.untag?.length) {
      return this.wizard(args.service);
    }
    return updateService(() => this.client(), this.io(), {
      name: args.service,
      flags: {},
      traffic: edits,
      wait: this.waitSettings(flags),
      dryRun: this.dryRun(flags),
    });
  }

  // No edit flags: the interactive wizard on a terminal, else a usage error naming the flags.
  private async wizard(service: string): Promise<WizardOutcome> {
    if (!this.isTty || !process.stdin.isTTY) {
      this.fail(
        `'${this.commandLabel}' needs --traffic REF=PERCENT, --tag REF=TAG or --untag TAG when not run on a terminal (the interactive wizard needs one)`,
        { exitCode: 2 },
      );
    }
    const client = await this.client();
    // Lazy: the wizard pulls in @inquirer/prompts, which non-interactive runs never need.
    const { runTrafficWizard } = await import('../../lib/rollout/wizard.js');
    const outcome = await runTrafficWizard({ client, namespace: client.namespace, service });
    if (outcome.status === 'failed' || outcome.status === 'rolled-back')
      this.fail(outcome.message, { name: 'NotReady' });
    return outcome;
  }
}
