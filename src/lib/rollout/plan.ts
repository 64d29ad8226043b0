/**
 * Rollout plans as pure functions: parsing the rollout flags (`--steps`, `--interval`,
 * `--max-error-rate`, `--max-p99`) into values, and turning a service's current `spec.traffic` plus
 * a user's intent (canary in steps, all at once, blue/green, percentages by hand, tag edits, roll
 * back to the previous revision) into the exact `spec.traffic` to write at every step, together
 * with the rollback traffic (the starting `spec.traffic`, unchanged). Nothing here talks to a
 * cluster; the engine and the wizard apply what these builders return.
 */
import type { Revision, Service, TrafficTarget } from '../apis/types.js';
import { Labels } from '../apis/keys.js';
import { invalidValue } from '../client/errors.js';
import { parseGoDuration } from '../apis/durations.js';

/** Default canary steps (percent of traffic on the candidate). */
export const DEFAULT_STEPS = [10, 25, 50, 100];
/** Default observation time per step. */
export const DEFAULT_INTERVAL_MS = 30_000;
/** `@latest` as a rollout target: the service's latest ready revision. */
export const LATEST_REF = '@latest';

/** What one step writes: the candidate's share and the whole traffic block. */
export interface PlanStep {
  /** Percent of traffic on the candidate after this step. */
  percent: number;
  /** The complete spec.traffic to write for this step. */
  traffic: TrafficTarget[];
}

/** Thresholds a step is checked against (candidate revision only). */
export interface RolloutChecks {
  /** Highest tolerated 5xx ratio (0.01 = 1%). */
  maxErrorRate?: number;
  /** Highest tolerated p99 latency in milliseconds. */
  maxP99Ms?: number;
}

/** A complete rollout: the candidate, each step's traffic, and the traffic to restore on failure. */
export interface RolloutPlan {
  service: string;
  candidate: string;
  /** Tag placed on the candidate target (`--tag`), if any. */
  tag?: string;
  steps: PlanStep[];
  /** The starting spec.traffic, exactly; written back on rollback. */
  rollback: TrafficTarget[];
  /** How long each step is observed before it is judged. */
  intervalMs: number;
  checks: RolloutChecks;
}

// ---- flag parsing -------------------------------------------------------------------------------

/** Parses `--steps 10,25,50,100`: whole percentages 1..100, strictly increasing, ending at 100. */
export function parseSteps(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim().replace(/%$/, ''));
  const steps = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (steps.some((n) => !Number.isInteger(n) || n < 1 || n > 100)) {
    throw invalidValue(`steps must be whole percentages between 1 and 100, got ${value}`);
  }
  const increasing = steps.every((n, i) => i === 0 || n > steps[i - 1]!);
  if (!increasing || steps[steps.length - 1] !== 100) {
    throw invalidValue(`steps must increase and end at 100, got ${value}`);
  }
  return steps;
}

/**
 * Parses a Go-style duration (`500ms`, `30s`, `2m`, `1m30s`, `1.5s`) into milliseconds; `flag`
 * names the flag in the error, `example` shows a valid value.
 */
export function parseDuration(value: string, flag = 'interval', example = 'use e.g. 30s or 2m'): number {
  const ms = parseGoDuration(value.trim());
  if (ms === undefined || !(ms > 0)) {
    throw invalidValue(`${flag} "${value}" is not a duration (${example})`);
  }
  return ms;
}

/** Parses `--max-error-rate`: a percentage (`1%`, `0.5%`) or a fraction (`0.01`), into a fraction. */
export function parseErrorRate(value: string): number {
  const text = value.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
  const rate = pct ? Number(pct[1]) / 100 : /^\d*\.?\d+$/.test(text) ? Number(text) : NaN;
  if (!(rate >= 0 && rate <= 1)) {
    throw invalidValue(`max-error-rate "${value}" is not a rate (use e.g. 1% or 0.01)`);
  }
  return rate;
}

// ---- reading the service ------------------------------------------------------------------------

/** The traffic block Knative defaults to when spec.traffic is empty. */
function defaultTraffic(): TrafficTarget[] {
  return [{ latestRevision: true, percent: 100 }];
}

/** The service's spec.traffic (Knative's default when empty), deep-copied. */
export function startingTraffic(svc: Service): TrafficTarget[] {
  const traffic = svc.spec.traffic?.length ? svc.spec.traffic : defaultTraffic();
  return structuredClone(traffic);
}

/** The revision a target sends traffic to (a `latestRevision` target follows the latest ready one). */
export function targetRevision(t: TrafficTarget, latestReady: string | undefined): string | undefined {
  return t.latestRevision ? latestReady : t.revisionName;
}

/** Whether a revision's Ready condition is True. */
export function isRevisionReady(rev: Revision): boolean {
  return rev.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/**
 * Resolves the rollout target (`@latest` or a revision name) against the service and its revisions,
 * refusing unknown or not-Ready revisions with one sentence.
 */
export function resolveCandidate(svc: Service, revisions: Revision[], ref: string): string {
  const name = svc.metadata.name!;
  let candidate = ref;
  if (ref === LATEST_REF) {
    const latest = svc.status?.latestReadyRevisionName;
    if (!latest)
      throw invalidValue(`service '${name}' has no ready revision to roll out (@latest is not resolved yet)`);
    candidate = latest;
  }
  const rev = revisions.find((r) => r.metadata.name === candidate);
  if (!rev || rev.metadata.labels?.[Labels.service] !== name) {
    throw invalidValue(
      `revision '${candidate}' not found for service '${name}' in namespace '${svc.metadata.namespace}'`,
    );
  }
  if (!isRevisionReady(rev)) {
    const ready = rev.status?.conditions?.find((c) => c.type === 'Ready');
    const why = ready?.message ? `: ${ready.message}` : '';
    throw invalidValue(`revision '${candidate}' is not ready, refusing to send it traffic${why}`);
  }
  return candidate;
}

/** Percent of traffic a revision receives under a traffic block. */
export function shareOf(traffic: TrafficTarget[], revision: string, latestReady: string | undefined): number {
  return traffic
    .filter((t) => targetRevision(t, latestReady) === revision)
    .reduce((sum, t) => sum + (t.percent ?? 0), 0);
}

// ---- arithmetic ---------------------------------------------------------------------------------

/**
 * Splits `total` whole percent over `weights` proportionally (largest remainder method; ties go to
 * the earlier entry). E.g. 75 over [60, 40] → [45, 30]; 50 over [1, 1, 1] → [17, 17, 16].
 */
export function distribute(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, frac: x - Math.floor(x) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i]! += 1;
    left -= 1;
  }
  return shares;
}

/** Drops targets with 0% and no tag (kn's prune rule), keeping order. */
export function pruneTraffic(traffic: TrafficTarget[]): TrafficTarget[] {
  return traffic.filter((t) => (t.percent ?? 0) > 0 || t.tag);
}

/** Tag names must be DNS labels (they become part of a host name). */
const TAG_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Checks a tag name: a lowercase DNS label of at most 63 characters; returns the problem or undefined. */
export function tagProblem(tag: string): string | undefined {
  if (tag.length > 63 || !TAG_RE.test(tag)) {
    return `tag "${tag}" is not valid: use lowercase letters, digits and '-', starting with a letter (e.g. candidate)`;
  }
  return undefined;
}

// ---- plan builders ------------------------------------------------------------------------------

/** Inputs of a canary plan. */
export interface CanaryInput {
  service: Service;
  /** Resolved candidate revision name (see resolveCandidate). */
  candidate: string;
  steps: number[];
  intervalMs: number;
  checks?: RolloutChecks;
  tag?: string;
}

/**
 * Builds a stepped rollout: at each step the candidate gets `step`% on one pinned target (tagged
 * with `tag` if given) and the rest is split over the previous targets in proportion to their
 * starting shares, each keeping its tag; previous targets that fall to 0% disappear unless tagged.
 * Steps at or below the candidate's current share are skipped.
 */
export function makeCanaryPlan(input: CanaryInput): RolloutPlan {
  const { service, candidate, tag } = input;
  const name = service.metadata.name!;
  const latestReady = service.status?.latestReadyRevisionName;
  const start = startingTraffic(service);
  const current = shareOf(start, candidate, latestReady);
  if (current >= 100 && !tag)
    throw invalidValue(`revision '${candidate}' already receives 100% of the traffic of service '${name}'`);
  if (tag) {
    const problem = tagProblem(tag);
    if (problem) throw invalidValue(problem);
    const holder = start.find((t) => t.tag === tag);
    if (holder && targetRevision(holder, latestReady) !== candidate) {
      throw invalidValue(
        `tag '${tag}' is already used by another target of service '${name}'; choose another tag or untag it first`,
      );
    }
  }
  const steps = input.steps.filter((p) => p > current || p === 100);
  return {
    service: name,
    candidate,
    tag,
    steps: steps.map((percent) => ({
      percent,
      traffic: trafficWithCandidateAt(start, candidate, latestReady, percent, tag),
    })),
    rollback: structuredClone(start),
    intervalMs: input.intervalMs,
    checks: input.checks ?? {},
  };
}

/**
 * Builds a blue/green plan: step 1 tags the candidate at 0% (so it can be tried at its tag URL),
 * step 2 flips 100% to it; previous tagged targets stay at 0%.
 */
export function makeBlueGreenPlan(input: Omit<CanaryInput, 'steps' | 'tag'> & { tag: string }): RolloutPlan {
  const plan = makeCanaryPlan({ ...input, steps: [100], tag: input.tag });
  const start = plan.rollback;
  const latestReady = input.service.status?.latestReadyRevisionName;
  const tagged = start.some((t) => t.tag === input.tag)
    ? structuredClone(start)
    : withTag(start, input.candidate, input.tag);
  const preview: PlanStep = { percent: shareOf(start, input.candidate, latestReady), traffic: tagged };
  return { ...plan, steps: [preview, ...plan.steps] };
}

/** The traffic block of one canary step (see makeCanaryPlan). */
export function trafficWithCandidateAt(
  start: TrafficTarget[],
  candidate: string,
  latestReady: string | undefined,
  percent: number,
  tag?: string,
): TrafficTarget[] {
  const isCandidate = (t: TrafficTarget): boolean => targetRevision(t, latestReady) === candidate;
  const previous = start.filter((t) => !isCandidate(t));
  const shares = distribute(
    100 - percent,
    previous.map((t) => t.percent ?? 0),
  );
  // The candidate's share sits on one target pinned by name (a latestRevision target would move to
  // a newer revision mid-rollout): the one carrying `tag`, else the first untagged-or-named one.
  const pinned =
    start.find((t) => isCandidate(t) && tag !== undefined && t.tag === tag && !t.latestRevision) ??
    start.find((t) => isCandidate(t) && !t.latestRevision && (tag === undefined || !t.tag));
  const out: TrafficTarget[] = [];
  let prevIndex = 0;
  for (const t of start) {
    if (!isCandidate(t)) {
      out.push({ ...t, percent: shares[prevIndex++] });
    } else if (t === pinned) {
      out.push({ ...t, percent, ...(tag ? { tag } : {}) });
    } else if (tag !== undefined && t.tag === tag) {
      // The tag moves to the pinned target; tags stay unique.
      const { tag: _moved, ...rest } = t;
      out.push({ ...rest, percent: 0 });
    } else {
      out.push({ ...t, percent: 0 });
    }
  }
  if (!pinned) out.push({ ...(tag ? { tag } : {}), revisionName: candidate, percent });
  return pruneTraffic(out);
}

/** Tags the candidate (kn's `--tag rev=tag`): tags its first untagged pinned target, else appends a 0% target. */
export function withTag(start: TrafficTarget[], revision: string, tag: string): TrafficTarget[] {
  const out = structuredClone(start);
  if (out.some((t) => t.tag === tag && t.revisionName === revision)) return out;
  const target = out.find((t) => t.revisionName === revision && !t.latestRevision && !t.tag);
  if (target) target.tag = tag;
  else out.push({ tag, revisionName: revision, percent: 0 });
  return out;
}

/** Removes a tag (kn's `--untag`): clears it on the target carrying it, then prunes 0% untagged targets. */
export function withoutTag(start: TrafficTarget[], tag: string): TrafficTarget[] {
  const out = structuredClone(start);
  const target = out.find((t) => t.tag === tag);
  if (target) delete target.tag;
  return pruneTraffic(out);
}

/**
 * Sets percentages by revision name (kn's `--traffic rev=pct` for every routed revision): every
 * target drops to 0, each named revision's first pinned target (or a new one) gets its share, and
 * untagged 0% targets are pruned. The percentages must sum to 100.
 */
export function withPercentages(start: TrafficTarget[], percents: Record<string, number>): TrafficTarget[] {
  const total = Object.values(percents).reduce((a, b) => a + b, 0);
  if (total !== 100) throw invalidValue(`percentages must sum to 100, got ${total}`);
  const out = structuredClone(start).map((t) => ({ ...t, percent: 0 }));
  for (const [revision, percent] of Object.entries(percents)) {
    const target = out.find((t) => t.revisionName === revision && !t.latestRevision);
    if (target) target.percent = percent;
    else if (percent > 0) out.push({ revisionName: revision, percent });
  }
  return pruneTraffic(out);
}

/** The revision currently receiving the most traffic (ties: the first such target). */
export function mainRevision(svc: Service): string | undefined {
  const latestReady = svc.status?.latestReadyRevisionName;
  let best: { rev?: string; pct: number } = { pct: -1 };
  for (const t of startingTraffic(svc)) {
    const rev = targetRevision(t, latestReady);
    const pct = shareOf(startingTraffic(svc), rev ?? '', latestReady);
    if (rev && pct > best.pct) best = { rev, pct };
  }
  return best.rev;
}

/**
 * The revision to roll back to: the newest Ready revision of the service created before the one
 * receiving the most traffic now (by configuration generation).
 */
export function previousRevision(svc: Service, revisions: Revision[]): string | undefined {
  const main = mainRevision(svc);
  const gen = (r: Revision): number => Number(r.metadata.labels?.[Labels.configurationGeneration] ?? 0);
  const mainRev = revisions.find((r) => r.metadata.name === main);
  if (!mainRev) return undefined;
  return revisions
    .filter((r) => gen(r) < gen(mainRev) && isRevisionReady(r))
    .sort((a, b) => gen(b) - gen(a))
    .map((r) => r.metadata.name!)[0];
}

// ---- command lines ------------------------------------------------------------------------------

/** Formats milliseconds as a Go-style duration (`30s`, `1m30s`, `500ms`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = ms / 1000;
  const m = Math.floor(totalS / 60);
  const s = Math.round((totalS - m * 60) * 1000) / 1000;
  return `${m ? `${m}m` : ''}${s ? `${s}s` : m ? '' : '0s'}`;
}

/** Formats a fraction as a percentage with at most one decimal (`0.125` → `12.5%`). */
export function formatPercent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** The non-interactive command that performs a stepped rollout. */
export function rolloutCommandLine(plan: RolloutPlan, namespace?: string): string {
  const parts = ['knlite traffic rollout', plan.service, '--to', plan.candidate];
  parts.push('--steps', plan.steps.map((s) => s.percent).join(','));
  parts.push('--interval', formatDuration(plan.intervalMs));
  if (plan.checks.maxErrorRate !== undefined)
    parts.push('--max-error-rate', formatPercent(plan.checks.maxErrorRate));
  if (plan.checks.maxP99Ms !== undefined) parts.push('--max-p99', formatDuration(plan.checks.maxP99Ms));
  if (plan.tag) parts.push('--tag', plan.tag);
  if (namespace) parts.push('-n', namespace);
  return parts.join(' ');
}

/** The `knlite traffic split` flags that turn `before` into `after` (for tag edits and percentages). */
export function splitCommandLine(service: string, flags: string[], namespace?: string): string {
  return ['knlite traffic split', service, ...flags, ...(namespace ? ['-n', namespace] : [])].join(' ');
}
