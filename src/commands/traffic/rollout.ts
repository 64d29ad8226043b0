import { Args, Flags } from '@oclif/core';
import { KnCommand } from '../../lib/cli/base.js';
import { namespaceFlags } from '../../lib/cli/flags.js';
import { runRollout, type RolloutOutcome } from '../../lib/rollout/engine.js';
import {
  DEFAULT_INTERVAL_MS,
  DEFAULT_STEPS,
  formatDuration,
  parseDuration,
  parseErrorRate,
  parseSteps,
} from '../../lib/rollout/plan.js';
import {
  describePlan,
  describeStep,
  describeTraffic,
  NO_METRICS_MESSAGE,
  prepareRollout,
} from '../../lib/rollout/prepare.js';

/** What `traffic rollout` returns (for -o json callers and tests). */
export interface RolloutResult {
  service: string;
  candidate: string;
  dryRun: boolean;
  outcome?: RolloutOutcome['status'];
  reason?: string;
}

/** `knlite traffic rollout SERVICE --to REVISION|@latest`: move traffic to a revision step by step, checking each step. */
export default class TrafficRollout extends KnCommand {
  static override summary =
    'Move traffic to a revision step by step, checking each step and rolling back on failure.';
  static override description = [
    'Shifts traffic of SERVICE to the revision given by --to (a revision name or @latest, the latest ready revision) in',
    'the percentages given by --steps. After each step it waits for the service to be Ready, observes the step for',
    '--interval, and checks the candidate: it must stay Ready, and — where the knlite gateway publishes metrics (the',
    'local cluster) — its 5xx error rate and p99 latency must stay within --max-error-rate and --max-p99. On a failed',
    'check the starting traffic is restored and the command exits 1 with the reason. The rest of the traffic is split',
    'over the previously routed revisions in proportion to their current shares; their tags are kept.',
    'An old revision with a min-scale gives up pods as it gives up traffic: its min-scale is capped at ceil(min-scale ×',
    'the share it keeps) after each step (autoscaling.knlite.dev/rollout-min-scale), and restored on rollback or at the end.',
    'The interactive twin is `knlite traffic split SERVICE` on a terminal, without --traffic/--tag/--untag.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> traffic rollout hello --to @latest',
    '<%= config.bin %> traffic rollout hello --to hello-00002 --steps 5,20,50,100 --interval 1m --max-error-rate 0.5%',
    '<%= config.bin %> traffic rollout hello --to @latest --max-p99 300ms --tag candidate',
    '<%= config.bin %> traffic rollout hello --to @latest --dry-run',
  ];
  static override args = { service: Args.string({ description: 'the service name', required: true }) };
  static override flags = {
    ...namespaceFlags(),
    to: Flags.string({
      summary: 'Revision to move traffic to: a revision name or @latest.',
      required: true,
      helpValue: 'REVISION|@latest',
    }),
    steps: Flags.string({
      summary: `Percentages of traffic on the revision after each step, increasing and ending at 100 (default ${DEFAULT_STEPS.join(',')}).`,
      helpValue: 'P1,P2,...,100',
    }),
    interval: Flags.string({
      summary: `How long to observe each step before checking it, e.g. 30s, 2m, 1m30s (default ${formatDuration(DEFAULT_INTERVAL_MS)}).`,
      helpValue: 'DURATION',
    }),
    'max-error-rate': Flags.string({
      summary: 'Highest tolerated share of 5xx responses of the revision, e.g. 1% or 0.01.',
      helpValue: 'RATE',
    }),
    'max-p99': Flags.string({
      summary: 'Highest tolerated 99th percentile latency of the revision, e.g. 500ms.',
      helpValue: 'DURATION',
    }),
    tag: Flags.string({
      summary: 'Tag to put on the revision during the rollout (its own URL).',
      helpValue: 'TAG',
    }),
    'dry-run': Flags.boolean({
      summary: 'Print the plan (the traffic of every step and of a rollback) and change nothing.',
    }),
  };

  async run(): Promise<RolloutResult> {
    const { args, flags } = await this.parse(TrafficRollout);
    // Parse every value before touching the cluster, so bad input changes nothing.
    const steps = flags.steps === undefined ? DEFAULT_STEPS : parseSteps(flags.steps);
    const intervalMs = flags.interval === undefined ? DEFAULT_INTERVAL_MS : parseDuration(flags.interval);
    const checks = {
      maxErrorRate:
        flags['max-error-rate'] === undefined ? undefined : parseErrorRate(flags['max-error-rate']),
      maxP99Ms:
        flags['max-p99'] === undefined
          ? undefined
          : parseDuration(flags['max-p99'], 'max-p99', 'use e.g. 500ms or 1s'),
    };
    const client = await this.client();
    const prepared = await prepareRollout(client, {
      service: args.service,
      to: flags.to,
      steps,
      intervalMs,
      checks,
      tag: flags.tag,
    });
    const { plan } = prepared;
    const latestReady = prepared.service.status?.latestReadyRevisionName;
    const result: RolloutResult = {
      service: plan.service,
      candidate: plan.candidate,
      dryRun: Boolean(flags['dry-run']),
    };
    if (!prepared.metrics) this.line(NO_METRICS_MESSAGE);
    if (flags['dry-run']) {
      for (const l of describePlan(plan, client.namespace, Boolean(prepared.metrics), latestReady))
        this.line(l);
      return result;
    }

    // Ctrl-C stops between or during steps and leaves the last applied step in place.
    const abort = new AbortController();
    const onSigint = (): void => abort.abort();
    process.once('SIGINT', onSigint);
    let outcome: RolloutOutcome;
    try {
      outcome = await runRollout(
        client,
        plan,
        { metrics: prepared.metrics, signal: abort.signal },
        {
          onStepDone: (report) => this.line(describeStep(plan, report)),
          onRollingBack: (reason) => this.line(`rolling back to the starting traffic: ${reason}`),
        },
      );
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    result.outcome = outcome.status;
    switch (outcome.status) {
      case 'completed':
        this.line(
          `rollout complete: ${plan.candidate} receives ${plan.steps.at(-1)?.percent ?? 100}% of the traffic of service '${plan.service}'`,
        );
        return result;
      case 'rolled-back':
        result.reason = outcome.reason;
        return this.fail(`rolled back to the starting traffic: ${outcome.reason}`, { name: 'NotReady' });
      case 'stopped': {
        const at = outcome.lastApplied >= 0 ? plan.steps[outcome.lastApplied]! : undefined;
        const where = at
          ? `left at step ${outcome.lastApplied + 1}/${plan.steps.length}: ${describeTraffic(at.traffic, latestReady)}`
          : 'nothing was changed';
        return this.fail(`rollout cancelled: service '${plan.service}' ${where}`, { name: 'NotReady' });
      }
    }
  }
}
