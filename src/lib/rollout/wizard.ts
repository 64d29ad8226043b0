/**
 * The traffic wizard: what `knlite traffic split SERVICE` opens on a terminal when no
 * --traffic/--tag/--untag is given. It shows the service's revisions, asks what to do (canary in
 * steps, all at once, blue/green, percentages by hand, add or remove a tag, roll back to the
 * previous revision), validates every answer as it is typed and re-asks, shows the change as a
 * before/after table plus the equivalent non-interactive command, asks for confirmation, and
 * applies it — stepped rollouts through the same engine as `knlite traffic rollout`, with live
 * per-revision figures and a continue / hold / roll back question after every step.
 *
 * Prompts are @inquirer/prompts, loaded lazily, reading `ctx.input` and writing `ctx.output` so
 * tests drive them with keystrokes. Ctrl-C (inquirer's ExitPromptError) or `ctx.signal` leaves the
 * service at the last fully applied step and says so.
 */
import { Writable } from 'node:stream';
import type { Revision, Service, TrafficTarget } from '../apis/types.js';
import { renderTable, type Column } from '../printers/table.js';
import { humanAge } from '../printers/cells.js';
import { applyTraffic, runRollout, type StepDecision, type StepReport } from './engine.js';
import { findMetricsUrl, makeMetricsSource, type MetricsSource, type RevisionFigures } from './metrics.js';
import {
  DEFAULT_INTERVAL_MS,
  DEFAULT_STEPS,
  formatDuration,
  isRevisionReady,
  makeBlueGreenPlan,
  makeCanaryPlan,
  parseDuration,
  parseErrorRate,
  parseSteps,
  previousRevision,
  rolloutCommandLine,
  shareOf,
  splitCommandLine,
  startingTraffic,
  tagProblem,
  targetRevision,
  withPercentages,
  withTag,
  withoutTag,
  type RolloutPlan,
} from './plan.js';
import {
  describeFigures,
  describeStep,
  describeTraffic,
  formatRate,
  NO_METRICS_MESSAGE,
  type RolloutReadClient,
} from './prepare.js';

/** What the wizard needs: the cluster operations, the service, and the terminal. */
export interface WizardContext {
  /** ServingClient (or anything with the same methods). */
  client: RolloutReadClient;
  namespace: string;
  service: string;
  /** Keystrokes (default process.stdin). */
  input?: NodeJS.ReadableStream;
  /** Screen (default process.stdout). */
  output?: NodeJS.WritableStream;
  /** Aborting stops a running rollout at its last applied step. */
  signal?: AbortSignal;
  /** Live-view sampling period during a step (default 1 s, at most the step's interval). */
  sampleEveryMs?: number;
  /** How long to wait for the Service to become Ready after each write (default 120 s). */
  waitTimeoutMs?: number;
  /** Clock for the AGE column. */
  now?: () => Date;
}

/** The actions the wizard offers. */
export type WizardAction =
  'canary' | 'all-at-once' | 'blue-green' | 'percentages' | 'add-tag' | 'remove-tag' | 'previous' | 'quit';

/** How the wizard ended. */
export interface WizardOutcome {
  action: WizardAction;
  /**
   * applied/completed: the change is in place; rolled-back: a stepped rollout restored the
   * starting traffic; stopped: the user stopped a rollout at a step; cancelled: Ctrl-C (the
   * message says where the service was left); declined: nothing was confirmed; failed: the service
   * did not become Ready.
   */
  status: 'applied' | 'completed' | 'rolled-back' | 'stopped' | 'cancelled' | 'declined' | 'failed';
  /** The equivalent non-interactive command(s), when a change was planned. */
  commandLine?: string;
  /** One sentence describing the end state. */
  message: string;
}

type Prompts = typeof import('@inquirer/prompts');

/** Thrown inside the wizard when the user pressed Ctrl-C at a prompt. */
class Interrupted extends Error {
  override name = 'Interrupted';
}

/** Runs the interactive traffic wizard for one service; resolves with what happened. */
export async function runTrafficWizard(ctx: WizardContext): Promise<WizardOutcome> {
  const wizard = new Wizard(ctx, await import('@inquirer/prompts'));
  try {
    return await wizard.run();
  } catch (err) {
    if (err instanceof Interrupted) {
      const where = wizard.leftAt
        ? `service '${ctx.service}' left at ${wizard.leftAt}`
        : 'nothing was changed';
      const outcome: WizardOutcome = {
        action: wizard.action,
        status: 'cancelled',
        message: `Interrupted: ${where}.`,
      };
      wizard.say(outcome.message);
      return outcome;
    }
    throw err;
  }
}

class Wizard {
  action: WizardAction = 'quit';
  /** The traffic last written, described (for the Ctrl-C message); undefined while nothing changed. */
  leftAt?: string;
  private svc!: Service;
  private revisions: Revision[] = [];
  private readonly out: NodeJS.WritableStream;

  constructor(
    private readonly ctx: WizardContext,
    private readonly prompts: Prompts,
  ) {
    this.out = ctx.output ?? process.stdout;
  }

  /** Writes one line to the screen. */
  say(text = ''): void {
    this.out.write(`${text}\n`);
  }

  async run(): Promise<WizardOutcome> {
    await this.load();
    this.say(`Service '${this.ctx.service}' in namespace '${this.ctx.namespace}':`);
    this.say();
    this.out.write(this.revisionTable());
    this.say();
    this.action = await this.ask(() =>
      this.prompts.select<WizardAction>(
        { message: 'What do you want to do?', choices: this.actionChoices() },
        this.io(),
      ),
    );
    switch (this.action) {
      case 'canary':
        return this.canary();
      case 'all-at-once':
        return this.allAtOnce();
      case 'blue-green':
        return this.blueGreen();
      case 'percentages':
        return this.percentages();
      case 'add-tag':
        return this.addTag();
      case 'remove-tag':
        return this.removeTag();
      case 'previous':
        return this.previous();
      case 'quit':
        return { action: 'quit', status: 'declined', message: 'Nothing was changed.' };
    }
  }

  // ---- actions ----------------------------------------------------------------------------------

  private async canary(): Promise<WizardOutcome> {
    const candidate = await this.pickRevision('Which revision should receive the traffic?', {
      excludeFullShare: true,
    });
    const steps = parseSteps(
      await this.input('Steps (percent on the new revision after each step):', DEFAULT_STEPS.join(','), (v) =>
        problemOf(() => parseSteps(v)),
      ),
    );
    const intervalMs = parseDuration(
      await this.input('Observe each step for:', formatDuration(DEFAULT_INTERVAL_MS), (v) =>
        problemOf(() => parseDuration(v)),
      ),
    );
    const rate = await this.input('Roll back above this 5xx error rate:', '1%', (v) =>
      problemOf(() => parseErrorRate(v)),
    );
    const p99 = await this.input('Roll back above this p99 latency (empty: no latency check):', '', (v) =>
      v.trim() === '' ? undefined : problemOf(() => parseDuration(v, 'max-p99', 'use e.g. 500ms or 1s')),
    );
    const plan = makeCanaryPlan({
      service: this.svc,
      candidate,
      steps,
      intervalMs,
      checks: { maxErrorRate: parseErrorRate(rate), maxP99Ms: p99.trim() ? parseDuration(p99) : undefined },
    });
    return this.runStepped(plan, rolloutCommandLine(plan, this.nsFlag()));
  }

  private async allAtOnce(): Promise<WizardOutcome> {
    const candidate = await this.pickRevision('Which revision should receive all the traffic?', {
      excludeFullShare: true,
    });
    const plan = makeCanaryPlan({ service: this.svc, candidate, steps: [100], intervalMs: 0 });
    const command = splitCommandLine(this.ctx.service, ['--traffic', `${candidate}=100`], this.nsFlag());
    return this.applyOnce(plan.steps[0]!.traffic, command);
  }

  private async blueGreen(): Promise<WizardOutcome> {
    const candidate = await this.pickRevision('Which revision is the new (green) one?', {
      excludeFullShare: true,
    });
    const tag = await this.input('Tag for it (its own URL to try it):', 'green', (v) =>
      this.newTagProblem(v),
    );
    const plan = makeBlueGreenPlan({ service: this.svc, candidate, intervalMs: 0, tag });
    const tagCommand = splitCommandLine(this.ctx.service, ['--tag', `${candidate}=${tag}`], this.nsFlag());
    const flipCommand = splitCommandLine(this.ctx.service, ['--traffic', `${tag}=100`], this.nsFlag());
    const commandLine = `${tagCommand} && ${flipCommand}`;
    this.showChange(startingTraffic(this.svc), plan.steps[0]!.traffic, tagCommand);
    if (!(await this.confirm(`Tag ${candidate} as '${tag}'?`))) return this.declined('blue-green');
    const tagged = await this.write(plan.steps[0]!.traffic);
    if (!tagged.ready) return this.notReady('blue-green', tagged, commandLine);
    const url = tagged.service.status?.traffic?.find((t) => t.tag === tag)?.url;
    this.say(
      `${candidate} is tagged '${tag}' and receives no regular traffic.${url ? ` Try it at ${url}` : ''}`,
    );
    const next = await this.ask(() =>
      this.prompts.select<'flip' | 'keep' | 'undo'>(
        {
          message: `Flip all traffic to ${candidate}?`,
          choices: [
            { name: `Flip: send 100% to ${candidate}`, value: 'flip' },
            { name: `Not now: keep the '${tag}' tag and stop`, value: 'keep' },
            { name: `Undo: remove the '${tag}' tag and stop`, value: 'undo' },
          ],
        },
        this.io(),
      ),
    );
    if (next === 'keep') {
      return {
        action: 'blue-green',
        status: 'stopped',
        commandLine,
        message: `Kept the '${tag}' tag on ${candidate}; no traffic was moved.`,
      };
    }
    if (next === 'undo') {
      const undone = await this.write(plan.rollback);
      if (!undone.ready) return this.notReady('blue-green', undone, commandLine);
      return {
        action: 'blue-green',
        status: 'stopped',
        commandLine,
        message: 'Removed the tag again; the traffic is as it was.',
      };
    }
    this.showChange(plan.steps[0]!.traffic, plan.steps[1]!.traffic, flipCommand);
    const flipped = await this.write(plan.steps[1]!.traffic);
    if (!flipped.ready) return this.notReady('blue-green', flipped, commandLine);
    return this.done('blue-green', commandLine, `${candidate} ('${tag}') now receives 100% of the traffic.`);
  }

  private async percentages(): Promise<WizardOutcome> {
    const start = startingTraffic(this.svc);
    const latestReady = this.svc.status?.latestReadyRevisionName;
    const ready = this.revisions.filter(isRevisionReady);
    const percents: Record<string, number> = {};
    let sum = 0;
    for (const [i, rev] of ready.entries()) {
      const name = rev.metadata.name!;
      const last = i === ready.length - 1;
      const now = shareOf(start, name, latestReady);
      const answer = await this.input(
        `Percent for ${name} (now ${now}%):`,
        last ? String(Math.max(0, 100 - sum)) : String(now),
        (v) => {
          if (!/^\d+%?$/.test(v.trim()) || Number(v.trim().replace('%', '')) > 100)
            return 'enter a whole percentage between 0 and 100';
          const total = sum + Number(v.trim().replace('%', ''));
          if (total > 100) return `percentages must sum to 100, this makes ${total}`;
          if (last && total !== 100)
            return `percentages must sum to 100, this makes ${total}: enter ${100 - sum}`;
          return undefined;
        },
      );
      percents[name] = Number(answer.trim().replace('%', ''));
      sum += percents[name]!;
    }
    const given = Object.fromEntries(Object.entries(percents).filter(([, p]) => p > 0));
    const after = withPercentages(start, given);
    const flags = Object.entries(given).flatMap(([rev, p]) => ['--traffic', `${rev}=${p}`]);
    return this.applyOnce(after, splitCommandLine(this.ctx.service, flags, this.nsFlag()));
  }

  private async addTag(): Promise<WizardOutcome> {
    const revision = await this.pickRevision('Which revision should get a tag?', {});
    const tag = await this.input('Tag:', '', (v) => this.newTagProblem(v));
    const after = withTag(startingTraffic(this.svc), revision, tag);
    return this.applyOnce(
      after,
      splitCommandLine(this.ctx.service, ['--tag', `${revision}=${tag}`], this.nsFlag()),
    );
  }

  private async removeTag(): Promise<WizardOutcome> {
    const latestReady = this.svc.status?.latestReadyRevisionName;
    const tagged = startingTraffic(this.svc).filter((t) => t.tag);
    const tag = await this.ask(() =>
      this.prompts.select<string>(
        {
          message: 'Which tag should be removed?',
          choices: tagged.map((t) => ({
            name: `${t.tag} (${t.latestRevision ? '@latest' : targetRevision(t, latestReady)}, ${t.percent ?? 0}%)`,
            value: t.tag!,
          })),
        },
        this.io(),
      ),
    );
    const after = withoutTag(startingTraffic(this.svc), tag);
    return this.applyOnce(after, splitCommandLine(this.ctx.service, ['--untag', tag], this.nsFlag()));
  }

  private async previous(): Promise<WizardOutcome> {
    const prev = previousRevision(this.svc, this.revisions)!;
    this.say(`The previous ready revision is ${prev}.`);
    const after = withPercentages(startingTraffic(this.svc), { [prev]: 100 });
    return this.applyOnce(
      after,
      splitCommandLine(this.ctx.service, ['--traffic', `${prev}=100`], this.nsFlag()),
    );
  }

  // ---- applying ---------------------------------------------------------------------------------

  /** Shows a one-write change, asks, writes it and waits for Ready. */
  private async applyOnce(after: TrafficTarget[], commandLine: string): Promise<WizardOutcome> {
    this.showChange(startingTraffic(this.svc), after, commandLine);
    if (!(await this.confirm('Apply this change?'))) return this.declined(this.action, commandLine);
    const result = await this.write(after);
    if (!result.ready) return this.notReady(this.action, result, commandLine);
    return this.done(
      this.action,
      commandLine,
      `Traffic of service '${this.ctx.service}' is now: ${describeTraffic(after, this.svc.status?.latestReadyRevisionName)}.`,
    );
  }

  /** Shows a stepped plan, asks, and runs it with a live view and a question after every step. */
  private async runStepped(plan: RolloutPlan, commandLine: string): Promise<WizardOutcome> {
    const latestReady = this.svc.status?.latestReadyRevisionName;
    this.showChange(plan.rollback, plan.steps.at(-1)!.traffic, commandLine);
    plan.steps.forEach((s, i) =>
      this.say(`  step ${i + 1}/${plan.steps.length}: ${describeTraffic(s.traffic, latestReady)}`),
    );
    this.say();
    const metrics = await this.metrics();
    if (!metrics) this.say(NO_METRICS_MESSAGE);
    if (!(await this.confirm('Start the rollout?'))) return this.declined('canary', commandLine);

    const abort = new AbortController();
    const onAbort = (): void => abort.abort();
    this.ctx.signal?.addEventListener('abort', onAbort, { once: true });
    process.once('SIGINT', onAbort);
    let interrupted = false;
    try {
      const outcome = await runRollout(
        this.ctx.client,
        plan,
        {
          metrics,
          signal: abort.signal,
          sampleEveryMs: Math.min(this.ctx.sampleEveryMs ?? 1000, Math.max(plan.intervalMs, 1)),
          waitTimeoutMs: this.ctx.waitTimeoutMs,
        },
        {
          onApplied: (i, step) =>
            this.say(
              `step ${i + 1}/${plan.steps.length} applied: ${describeTraffic(step.traffic, latestReady)} — watching for ${formatDuration(plan.intervalMs)}`,
            ),
          onSample: (_i, figures, elapsedMs) =>
            this.say(
              `  [${(elapsedMs / 1000).toFixed(1)}s/${formatDuration(plan.intervalMs)}] ${liveLine(figures)}`,
            ),
          onStepDone: (report) => this.say(describeStep(plan, report)),
          onRollingBack: (reason) => this.say(`Rolling back to the starting traffic: ${reason}`),
          decide: async (report) => {
            try {
              return await this.decide(plan, report);
            } catch (err) {
              if (!(err instanceof Interrupted)) throw err;
              interrupted = true;
              return 'stop';
            }
          },
        },
      );
      switch (outcome.status) {
        case 'completed':
          return this.done(
            'canary',
            commandLine,
            `Rollout complete: ${plan.candidate} receives 100% of the traffic.`,
          );
        case 'rolled-back': {
          const message = `Rolled back to the starting traffic: ${outcome.reason}.`;
          this.say(message);
          return { action: 'canary', status: 'rolled-back', commandLine, message };
        }
        default: {
          const cancelled = interrupted || outcome.cause === 'cancelled';
          const at = outcome.lastApplied >= 0 ? plan.steps[outcome.lastApplied]! : undefined;
          const where = at
            ? `service '${plan.service}' left at step ${outcome.lastApplied + 1}/${plan.steps.length}: ${describeTraffic(at.traffic, latestReady)}`
            : `nothing was changed`;
          const message = `${cancelled ? 'Interrupted' : 'Stopped'}: ${where}.`;
          this.say(message);
          return { action: 'canary', status: cancelled ? 'cancelled' : 'stopped', commandLine, message };
        }
      }
    } finally {
      this.ctx.signal?.removeEventListener('abort', onAbort);
      process.removeListener('SIGINT', onAbort);
    }
  }

  /** Asks continue / hold / roll back after a step, proposing rollback when a check failed. */
  private async decide(plan: RolloutPlan, report: StepReport): Promise<StepDecision> {
    if (report.figures) this.out.write(this.figuresTable(report.figures));
    const last = report.index === plan.steps.length - 1;
    const proceed = {
      name: last
        ? 'Finish: keep this traffic'
        : `Continue to step ${report.index + 2}/${plan.steps.length} (${plan.steps[report.index + 1]?.percent}%)`,
      value: 'continue' as const,
    };
    const hold = {
      name: `Hold: watch this step for another ${formatDuration(plan.intervalMs)}`,
      value: 'hold' as const,
    };
    const rollback = { name: 'Roll back to the starting traffic', value: 'rollback' as const };
    const stop = { name: 'Stop here: keep this traffic and quit', value: 'stop' as const };
    if (report.failure) this.say(`The check failed: ${report.failure}. Rolling back is recommended.`);
    const choices = report.failure ? [rollback, hold, proceed, stop] : [proceed, hold, rollback, stop];
    return this.ask(() =>
      this.prompts.select<StepDecision>(
        { message: report.failure ? 'Roll back?' : 'Next?', choices },
        this.io(),
      ),
    );
  }

  private async write(
    traffic: TrafficTarget[],
  ): Promise<{ ready: boolean; reason?: string; message?: string; service: Service }> {
    this.say('Applying...');
    const result = await applyTraffic(this.ctx.client, this.ctx.service, traffic, this.ctx.waitTimeoutMs);
    this.leftAt = describeTraffic(traffic, this.svc.status?.latestReadyRevisionName);
    return result;
  }

  private done(action: WizardAction, commandLine: string, message: string): WizardOutcome {
    this.say(message);
    return { action, status: action === 'canary' ? 'completed' : 'applied', commandLine, message };
  }

  private declined(action: WizardAction, commandLine?: string): WizardOutcome {
    const message = 'Nothing was changed.';
    this.say(message);
    return { action, status: 'declined', commandLine, message };
  }

  private notReady(
    action: WizardAction,
    r: { reason?: string; message?: string },
    commandLine: string,
  ): WizardOutcome {
    const message = `Service '${this.ctx.service}' did not become ready: ${r.reason ?? 'NotReady'}${r.message ? `: ${r.message}` : ''}.`;
    this.say(message);
    return { action, status: 'failed', commandLine, message };
  }

  // ---- questions --------------------------------------------------------------------------------

  private actionChoices(): { name: string; value: WizardAction; disabled?: string | boolean }[] {
    const hasTags = startingTraffic(this.svc).some((t) => t.tag);
    const prev = previousRevision(this.svc, this.revisions);
    const otherReady = this.revisions.some((r) => isRevisionReady(r) && this.share(r.metadata.name!) < 100);
    const noCandidate = otherReady ? false : '(no other ready revision)';
    return [
      { name: 'Move traffic to a revision in steps (canary)', value: 'canary', disabled: noCandidate },
      { name: 'Move all traffic to a revision at once', value: 'all-at-once', disabled: noCandidate },
      { name: 'Blue/green: tag a revision, try it, then flip', value: 'blue-green', disabled: noCandidate },
      { name: 'Set percentages by hand', value: 'percentages' },
      { name: 'Add a tag', value: 'add-tag' },
      { name: 'Remove a tag', value: 'remove-tag', disabled: hasTags ? false : '(no tags)' },
      {
        name: `Roll back to the previous revision${prev ? ` (${prev})` : ''}`,
        value: 'previous',
        disabled: prev ? false : '(no earlier ready revision)',
      },
      { name: 'Quit', value: 'quit' },
    ];
  }

  /** Picks a Ready revision; not-Ready ones are listed but cannot be chosen. */
  private async pickRevision(message: string, opts: { excludeFullShare?: boolean }): Promise<string> {
    const latestReady = this.svc.status?.latestReadyRevisionName;
    const choices = this.revisions.map((r) => {
      const name = r.metadata.name!;
      const share = this.share(name);
      const disabled = !isRevisionReady(r)
        ? '(not ready)'
        : opts.excludeFullShare && share >= 100
          ? '(already 100%)'
          : false;
      return { name: `${name}${name === latestReady ? ' (latest)' : ''} — ${share}%`, value: name, disabled };
    });
    return this.ask(() => this.prompts.select<string>({ message, choices }, this.io()));
  }

  private async input(
    message: string,
    def: string,
    validate: (v: string) => string | undefined,
  ): Promise<string> {
    return this.ask(() =>
      this.prompts.input(
        {
          message,
          default: def || undefined,
          validate: (v: string) => validate(v) ?? true,
        },
        this.io(),
      ),
    );
  }

  private async confirm(message: string): Promise<boolean> {
    return this.ask(() => this.prompts.confirm({ message, default: true }, this.io()));
  }

  /** Runs a prompt; Ctrl-C becomes Interrupted. */
  private async ask<T>(prompt: () => Promise<T>): Promise<T> {
    try {
      return await prompt();
    } catch (err) {
      if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError'))
        throw new Interrupted();
      throw err;
    }
  }

  /**
   * The prompt's streams. Inquirer ends its output stream when a prompt finishes, so each prompt
   * writes through its own forwarder and the real screen stays open for the next one.
   */
  private io(): { input?: NodeJS.ReadableStream; output: NodeJS.WritableStream; signal?: AbortSignal } {
    const out = this.out;
    const forward = new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        out.write(chunk, (err) => cb(err ?? null));
      },
    });
    // Inquirer reads the terminal width from its output stream.
    const columns = (out as { columns?: number }).columns;
    if (columns) Object.assign(forward, { columns });
    return { input: this.ctx.input, output: forward, signal: this.ctx.signal };
  }

  private newTagProblem(v: string): string | undefined {
    const tag = v.trim();
    if (!tag) return 'enter a tag name';
    const problem = tagProblem(tag);
    if (problem) return problem;
    if (startingTraffic(this.svc).some((t) => t.tag === tag))
      return `tag '${tag}' is already used by service '${this.ctx.service}'; choose another name`;
    return undefined;
  }

  // ---- reading and drawing ------------------------------------------------------------------------

  private async load(): Promise<void> {
    this.svc = await this.ctx.client.getService(this.ctx.service);
    this.revisions = (await this.ctx.client.listRevisions({ service: this.ctx.service })).items;
  }

  private async metrics(): Promise<MetricsSource | undefined> {
    const url = await findMetricsUrl(this.ctx.client);
    return url ? makeMetricsSource(url, this.ctx.namespace, this.ctx.service) : undefined;
  }

  private share(revision: string): number {
    return shareOf(startingTraffic(this.svc), revision, this.svc.status?.latestReadyRevisionName);
  }

  private tagsOf(traffic: TrafficTarget[], revision: string): string {
    const latestReady = this.svc.status?.latestReadyRevisionName;
    return traffic
      .filter((t) => t.tag && targetRevision(t, latestReady) === revision)
      .map((t) => t.tag!)
      .join(',');
  }

  /** NAME TRAFFIC TAGS READY AGE IMAGE. */
  private revisionTable(): string {
    const now = this.ctx.now?.() ?? new Date();
    const start = startingTraffic(this.svc);
    const columns: Column<Revision>[] = [
      { header: 'NAME', value: (r) => r.metadata.name! },
      { header: 'TRAFFIC', value: (r) => `${this.share(r.metadata.name!)}%` },
      { header: 'TAGS', value: (r) => this.tagsOf(start, r.metadata.name!) },
      {
        header: 'READY',
        value: (r) => r.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '<unknown>',
      },
      { header: 'AGE', value: (r) => humanAge(r.metadata.creationTimestamp, now) },
      { header: 'IMAGE', value: (r) => r.spec.containers?.[0]?.image ?? '' },
    ];
    return renderTable(this.revisions, columns);
  }

  /** The before/after table and the equivalent command. */
  private showChange(before: TrafficTarget[], after: TrafficTarget[], commandLine: string): void {
    const latestReady = this.svc.status?.latestReadyRevisionName;
    const involved = this.revisions.filter((r) => {
      const name = r.metadata.name!;
      return [...before, ...after].some((t) => targetRevision(t, latestReady) === name);
    });
    const columns: Column<Revision>[] = [
      { header: 'REVISION', value: (r) => r.metadata.name! },
      { header: 'BEFORE', value: (r) => `${shareOf(before, r.metadata.name!, latestReady)}%` },
      { header: 'AFTER', value: (r) => `${shareOf(after, r.metadata.name!, latestReady)}%` },
      { header: 'TAGS BEFORE', value: (r) => this.tagsOf(before, r.metadata.name!) },
      { header: 'TAGS AFTER', value: (r) => this.tagsOf(after, r.metadata.name!) },
    ];
    this.say();
    this.out.write(renderTable(involved, columns));
    this.say();
    this.say(`Equivalent command: ${commandLine}`);
    this.say();
  }

  /** Per-revision figures of a step. */
  private figuresTable(figures: Map<string, RevisionFigures>): string {
    const rows = this.revisions.filter((r) => figures.has(r.metadata.name!));
    const f = (r: Revision): RevisionFigures => figures.get(r.metadata.name!)!;
    return renderTable(rows, [
      { header: 'REVISION', value: (r) => r.metadata.name! },
      { header: 'REQ/S', value: (r) => f(r).rps.toFixed(1) },
      { header: '5XX', value: (r) => (f(r).errorRate === undefined ? '-' : formatRate(f(r).errorRate!)) },
      { header: 'P99', value: (r) => (f(r).p99Ms === undefined ? '-' : formatDuration(f(r).p99Ms!)) },
    ]);
  }

  /** `-n` for the equivalent command, so it works from any kubeconfig context (omitted for 'default'). */
  private nsFlag(): string | undefined {
    return this.ctx.namespace === 'default' ? undefined : this.ctx.namespace;
  }
}

/** `hello-00001 9.0 req/s 0% 5xx p99 12ms | hello-00002 ...` — one live-view line. */
function liveLine(figures: Map<string, RevisionFigures>): string {
  if (figures.size === 0) return 'no requests yet';
  return [...figures.values()].map((f) => `${f.revision} ${describeFigures(f)}`).join(' | ');
}

/** A parser's error message, or undefined when it accepts the value (for prompt validation). */
function problemOf(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
