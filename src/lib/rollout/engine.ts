/**
 * The rollout step engine shared by `knlite traffic rollout` and the traffic wizard. For each step
 * of a plan it writes the step's spec.traffic (read-modify-write with conflict retry), waits for
 * the Service to be Ready for that generation, observes the step for the plan's interval (gateway
 * metrics sampled at the start, the end, and optionally in between for a live view), checks the
 * candidate (Ready; 5xx rate and p99 against the thresholds), then asks `decide` what to do next:
 * continue, hold (observe the same step again), roll back to the starting traffic, or stop here.
 * Cancellation through an AbortSignal leaves the service at the last applied step and says which.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Revision, Service, TrafficTarget } from '../apis/types.js';
import { Annotations } from '../apis/keys.js';
import { declaredMinScale, keptPercent, shrunkMinScale } from './capacity.js';
import { computeFigures, type MetricsSource, type RevisionFigures, type Scrape } from './metrics.js';
import { formatDuration, formatPercent, type PlanStep, type RolloutPlan } from './plan.js';

/** The ServingClient operations the engine needs (ServingClient satisfies this). */
export interface RolloutClient {
  updateServiceWithRetry(
    name: string,
    mutate: (svc: Service) => void | Service | Promise<void | Service>,
  ): Promise<{ before: Service; after: Service }>;
  waitForService(
    name: string,
    opts: { generation: number; timeoutMs: number; windowMs?: number },
  ): Promise<{ ready: boolean; reason?: string; message?: string; service: Service }>;
  getRevision(name: string): Promise<Revision>;
  /** Sets (or with undefined removes) one annotation of a revision; without it capacity is not shrunk. */
  annotateRevision?(name: string, key: string, value: string | undefined): Promise<void>;
}

/** What happens after a step has been judged. */
export type StepDecision = 'continue' | 'hold' | 'rollback' | 'stop';

/** The outcome of observing one step. */
export interface StepReport {
  /** 0-based step index. */
  index: number;
  total: number;
  step: PlanStep;
  /** Per-revision figures over the observation window; undefined without gateway metrics. */
  figures?: Map<string, RevisionFigures>;
  /** The candidate's figures (also in `figures`). */
  candidate?: RevisionFigures;
  /** Why the step failed its checks, as one phrase ("error rate 12.5% > 1% on hello-00002"). */
  failure?: string;
  /** Why metrics could not be read for this step, if they could not. */
  metricsError?: string;
}

/** Callbacks through which the CLI prints lines and the wizard draws its live view and asks. */
export interface EngineHooks {
  /** A step's traffic is about to be written. */
  onApplying?(index: number, step: PlanStep): void;
  /** The step's traffic was written and the Service is Ready for it. */
  onApplied?(index: number, step: PlanStep): void;
  /** Figures since the step's observation started (every `sampleEveryMs`). */
  onSample?(index: number, figures: Map<string, RevisionFigures>, elapsedMs: number): void;
  /** The step was observed and judged. */
  onStepDone?(report: StepReport): void;
  /** What to do after a step; default: continue when it passed, roll back when it failed. */
  decide?(report: StepReport): Promise<StepDecision>;
  /** The engine is about to restore the starting traffic. */
  onRollingBack?(reason: string): void;
}

/** Engine settings. */
export interface EngineOptions {
  /** Gateway metrics; undefined → checks are readiness-only. */
  metrics?: MetricsSource;
  /** Aborting leaves the service at the last applied step. */
  signal?: AbortSignal;
  /** Live-view sampling period; by default the step is sampled at its start and end only. */
  sampleEveryMs?: number;
  /** How long to wait for the Service to become Ready after each write (default 120 s). */
  waitTimeoutMs?: number;
}

/** How a rollout ended. */
export type RolloutOutcome =
  | { status: 'completed'; reports: StepReport[] }
  | { status: 'rolled-back'; reason: string; failedStep: number; reports: StepReport[] }
  | {
      status: 'stopped';
      /** Index of the last step whose traffic was written (-1: none; the service is unchanged). */
      lastApplied: number;
      /** Why: 'cancelled' (AbortSignal / Ctrl-C) or 'stopped' (the user chose to stop here). */
      cause: 'cancelled' | 'stopped';
      reports: StepReport[];
    };

class Aborted extends Error {
  override name = 'Aborted';
}

/** Runs a plan step by step; resolves with how it ended (API failures reject with the client's errors). */
export async function runRollout(
  client: RolloutClient,
  plan: RolloutPlan,
  opts: EngineOptions = {},
  hooks: EngineHooks = {},
): Promise<RolloutOutcome> {
  const reports: StepReport[] = [];
  let lastApplied = -1;
  const capacity = new OldCapacity(client, plan);
  const rollback = async (reason: string, failedStep: number): Promise<RolloutOutcome> => {
    hooks.onRollingBack?.(reason);
    // Full capacity first, then the traffic: the old revisions must not be short when it returns.
    await capacity.restore();
    await applyTraffic(client, plan.service, plan.rollback, opts.waitTimeoutMs);
    return { status: 'rolled-back', reason, failedStep, reports };
  };
  try {
    for (let index = 0; index < plan.steps.length; index++) {
      const step = plan.steps[index]!;
      throwIfAborted(opts.signal);
      hooks.onApplying?.(index, step);
      const { generation, written } = await writeTraffic(client, plan.service, step.traffic);
      if (written) lastApplied = index;
      // After the traffic moved: an old revision gives up pods only once it serves less.
      await capacity.shrinkFor(step.traffic);
      const wait = await abortable(
        client.waitForService(plan.service, { generation, timeoutMs: opts.waitTimeoutMs ?? 120_000 }),
        opts.signal,
      );
      if (!wait.ready) {
        return await rollback(
          `service not ready at ${step.percent}%: ${wait.reason ?? 'NotReady'}: ${wait.message ?? ''}`.trim(),
          index,
        );
      }
      lastApplied = index;
      hooks.onApplied?.(index, step);
      for (;;) {
        const report = await observeStep(client, plan, index, opts, hooks);
        reports.push(report);
        hooks.onStepDone?.(report);
        const decision = hooks.decide ? await hooks.decide(report) : report.failure ? 'rollback' : 'continue';
        if (decision === 'hold') continue;
        if (decision === 'rollback') return await rollback(report.failure ?? 'rolled back on request', index);
        if (decision === 'stop') return { status: 'stopped', lastApplied, cause: 'stopped', reports };
        break;
      }
    }
    await capacity.restore();
    return { status: 'completed', reports };
  } catch (err) {
    if (err instanceof Aborted || (opts.signal?.aborted && isAbortError(err))) {
      return { status: 'stopped', lastApplied, cause: 'cancelled', reports };
    }
    throw err;
  }
}

/**
 * The old revisions' min-scale during a rollout (rollout/capacity.ts): shrunk to the share of
 * traffic each keeps after every step, restored when the rollout finishes or rolls back. A stopped
 * or cancelled rollout keeps the shrunk values, which match the traffic it leaves in place.
 */
class OldCapacity {
  private readonly shrunk = new Set<string>();
  private declared?: Map<string, number>;

  constructor(
    private readonly client: RolloutClient,
    private readonly plan: RolloutPlan,
  ) {}

  private async minScales(): Promise<Map<string, number>> {
    if (this.declared) return this.declared;
    const names = [
      ...new Set(this.plan.rollback.map((t) => t.revisionName).filter((n): n is string => !!n)),
    ].filter((n) => n !== this.plan.candidate);
    const revs = await Promise.all(names.map((n) => this.client.getRevision(n).catch(() => undefined)));
    this.declared = new Map(revs.flatMap((r) => (r ? [[r.metadata.name!, declaredMinScale(r)]] : [])));
    return this.declared;
  }

  async shrinkFor(traffic: TrafficTarget[]): Promise<void> {
    if (!this.client.annotateRevision) return;
    for (const [name, min] of await this.minScales()) {
      const value = shrunkMinScale(min, keptPercent(traffic, name));
      if (value === undefined) continue;
      await this.client.annotateRevision(name, Annotations.rolloutMinScale, String(value));
      this.shrunk.add(name);
    }
  }

  async restore(): Promise<void> {
    if (!this.client.annotateRevision) return;
    for (const name of this.shrunk)
      await this.client.annotateRevision(name, Annotations.rolloutMinScale, undefined);
    this.shrunk.clear();
  }
}

/** Observes one applied step for the plan's interval and judges it. */
async function observeStep(
  client: RolloutClient,
  plan: RolloutPlan,
  index: number,
  opts: EngineOptions,
  hooks: EngineHooks,
): Promise<StepReport> {
  const step = plan.steps[index]!;
  const report: StepReport = { index, total: plan.steps.length, step };
  let first: Scrape | undefined;
  const scrape = async (): Promise<Scrape | undefined> => {
    if (!opts.metrics) return undefined;
    try {
      return await opts.metrics.scrape();
    } catch (err) {
      report.metricsError = `cannot read gateway metrics from ${opts.metrics.url}: ${(err as Error).message}`;
      return undefined;
    }
  };
  first = await scrape();
  const started = Date.now();
  let last = first;
  while (Date.now() - started < plan.intervalMs) {
    const left = plan.intervalMs - (Date.now() - started);
    await sleep(Math.min(left, opts.sampleEveryMs ?? left), undefined, { signal: opts.signal });
    const now = await scrape();
    if (!first) first = now;
    else if (now) {
      last = now;
      hooks.onSample?.(index, computeFigures(first, now), Date.now() - started);
    }
  }
  if (first && last && last !== first) {
    report.figures = computeFigures(first, last);
    report.candidate = report.figures.get(plan.candidate) ?? {
      revision: plan.candidate,
      requests: 0,
      rps: 0,
    };
  }
  report.failure = await judge(client, plan, step, report.candidate);
  return report;
}

/** The first failed check of a step, as a phrase; undefined when the step passed. */
async function judge(
  client: RolloutClient,
  plan: RolloutPlan,
  step: PlanStep,
  figures: RevisionFigures | undefined,
): Promise<string | undefined> {
  const rev = await client.getRevision(plan.candidate);
  const ready = rev.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    return `revision ${plan.candidate} is not ready${ready?.reason ? `: ${ready.reason}` : ''}${ready?.message ? `: ${ready.message}` : ''}`;
  }
  // A step that sends the candidate nothing (blue/green preview) has no figures to judge.
  if (!figures || step.percent === 0) return undefined;
  const { maxErrorRate, maxP99Ms } = plan.checks;
  if (maxErrorRate !== undefined && figures.errorRate !== undefined && figures.errorRate > maxErrorRate) {
    return `error rate ${formatPercent(figures.errorRate)} > ${formatPercent(maxErrorRate)} on ${plan.candidate}`;
  }
  if (maxP99Ms !== undefined && figures.p99Ms !== undefined && figures.p99Ms > maxP99Ms) {
    return `p99 ${formatDuration(figures.p99Ms)} > ${formatDuration(maxP99Ms)} on ${plan.candidate}`;
  }
  return undefined;
}

/** Writes spec.traffic; `written` is false when it already had exactly this value. */
async function writeTraffic(
  client: RolloutClient,
  name: string,
  traffic: TrafficTarget[],
): Promise<{ generation: number; written: boolean }> {
  let written = false;
  const { after } = await client.updateServiceWithRetry(name, (svc) => {
    written = JSON.stringify(svc.spec.traffic ?? []) !== JSON.stringify(traffic);
    svc.spec.traffic = structuredClone(traffic);
  });
  return { generation: after.metadata.generation ?? 0, written };
}

/** Writes spec.traffic and waits for the Service to be Ready for it (used for rollbacks and one-shot changes). */
export async function applyTraffic(
  client: RolloutClient,
  name: string,
  traffic: TrafficTarget[],
  waitTimeoutMs = 120_000,
): Promise<{ ready: boolean; reason?: string; message?: string; service: Service }> {
  const { generation } = await writeTraffic(client, name, traffic);
  return client.waitForService(name, { generation, timeoutMs: waitTimeoutMs });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Aborted();
}

function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'AbortPromptError');
}

/** Races a promise against the signal (the underlying work is left to finish on its own). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new Aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
