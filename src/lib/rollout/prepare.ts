/**
 * Everything `knlite traffic rollout` checks and reads before changing anything: the service and
 * its revisions exist, the candidate resolves and is Ready, the plan is well formed, and where the
 * gateway metrics are (if anywhere). Also the one-line texts the command prints for a plan and for
 * each step, shared with the wizard.
 */
import type { KubeList, Revision, Service, TrafficTarget } from '../apis/types.js';
import type { RolloutClient, StepReport } from './engine.js';
import {
  findMetricsUrl,
  makeMetricsSource,
  type ConfigMapReader,
  type MetricsSource,
  type RevisionFigures,
} from './metrics.js';
import {
  formatDuration,
  formatPercent,
  makeCanaryPlan,
  resolveCandidate,
  type RolloutChecks,
  type RolloutPlan,
} from './plan.js';

/** What the ServingClient must offer for a rollout (ServingClient satisfies this). */
export interface RolloutReadClient extends RolloutClient, ConfigMapReader {
  readonly namespace: string;
  getService(name: string): Promise<Service>;
  listRevisions(opts: { service?: string }): Promise<KubeList<Revision>>;
}

/** The parsed flags of a rollout. */
export interface RolloutRequest {
  service: string;
  /** Revision name or `@latest`. */
  to: string;
  steps: number[];
  intervalMs: number;
  checks: RolloutChecks;
  tag?: string;
}

/** A validated rollout, ready to run. */
export interface PreparedRollout {
  plan: RolloutPlan;
  service: Service;
  revisions: Revision[];
  /** Gateway metrics for the service, or undefined (checks are readiness-only). */
  metrics?: MetricsSource;
}

/** Message printed when no gateway metrics exist (a cluster without the knlite gateway). */
export const NO_METRICS_MESSAGE = 'no knlite gateway metrics available: checks are readiness-only';

/** Reads the service, its revisions and the metrics location; refuses bad input before any change. */
export async function prepareRollout(
  client: RolloutReadClient,
  req: RolloutRequest,
): Promise<PreparedRollout> {
  const service = await client.getService(req.service);
  const revisions = (await client.listRevisions({ service: req.service })).items;
  const candidate = resolveCandidate(service, revisions, req.to);
  const plan = makeCanaryPlan({
    service,
    candidate,
    steps: req.steps,
    intervalMs: req.intervalMs,
    checks: req.checks,
    tag: req.tag,
  });
  const url = await findMetricsUrl(client);
  const metrics = url
    ? makeMetricsSource(url, service.metadata.namespace ?? client.namespace, req.service)
    : undefined;
  return { plan, service, revisions, metrics };
}

/** `hello-00001 90%, hello-00002 (candidate) 10%, @latest 0%` — one traffic block on one line. */
export function describeTraffic(traffic: TrafficTarget[], latestReady?: string): string {
  return traffic
    .map((t) => {
      const who = t.latestRevision
        ? `@latest${latestReady ? ` (${latestReady})` : ''}`
        : (t.revisionName ?? '?');
      return `${who}${t.tag ? ` [${t.tag}]` : ''} ${t.percent ?? 0}%`;
    })
    .join(', ');
}

/** The lines `--dry-run` prints: the plan, each step's traffic and the rollback traffic. */
export function describePlan(
  plan: RolloutPlan,
  namespace: string,
  metrics: boolean,
  latestReady?: string,
): string[] {
  const checks = [
    plan.checks.maxErrorRate !== undefined
      ? `error rate <= ${formatPercent(plan.checks.maxErrorRate)}`
      : undefined,
    plan.checks.maxP99Ms !== undefined ? `p99 <= ${formatDuration(plan.checks.maxP99Ms)}` : undefined,
  ].filter(Boolean);
  const lines = [
    `rollout of ${plan.candidate} to service '${plan.service}' in namespace '${namespace}': ${plan.steps.length} step(s), observed ${formatDuration(plan.intervalMs)} each`,
    `checks: candidate ready${metrics ? checks.map((c) => `, ${c}`).join('') : ' (no gateway metrics)'}`,
  ];
  plan.steps.forEach((s, i) =>
    lines.push(`step ${i + 1}/${plan.steps.length}: ${describeTraffic(s.traffic, latestReady)}`),
  );
  lines.push(`on failure: roll back to ${describeTraffic(plan.rollback, latestReady)}`);
  return lines;
}

/** `12.3 req/s, 0.0% errors, p99 41ms` (or `no requests`). */
export function describeFigures(f: RevisionFigures | undefined): string {
  if (!f || f.requests === 0) return 'no requests';
  const errors = f.errorRate === undefined ? 'n/a' : formatRate(f.errorRate);
  const p99 = f.p99Ms === undefined ? 'n/a' : formatDuration(f.p99Ms);
  return `${f.rps.toFixed(1)} req/s, ${errors} errors, p99 ${p99}`;
}

/** A 5xx rate with one decimal, as the step lines print it (`0.0%`, `12.5%`). */
export function formatRate(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/** `step 2/4: hello-00002 25% — 12.3 req/s, 0.0% errors, p99 41ms — ok` (or `— failed: <why>`). */
export function describeStep(plan: RolloutPlan, report: StepReport): string {
  const figures = report.figures ? describeFigures(report.candidate) : 'ready';
  const verdict = report.failure ? `failed: ${report.failure}` : 'ok';
  return `step ${report.index + 1}/${report.total}: ${plan.candidate} ${report.step.percent}% — ${figures} — ${verdict}`;
}
