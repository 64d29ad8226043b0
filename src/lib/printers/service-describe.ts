/**
 * `knlite service describe` output (kn `pkg/commands/service/describe.go`): metadata, URL,
 * revisions with traffic share, tags, image, env and scale, a gradual rollout in progress, then
 * the conditions table.
 */
import type { Revision, Service, TrafficTarget, Container } from '../apis/types.js';
import { Annotations, Labels } from '../apis/keys.js';
import { formatGoDuration } from '../apis/durations.js';
import type { Rollout } from '../apis/rollout.js';
import { READY, getCondition } from '../apis/conditions.js';
import { ROLLOUT_IN_PROGRESS } from '../apis/lifecycle/route.js';
import type { RootCause } from '../client/root-cause.js';
import type { AutoscalerDecision } from '../apis/autoscaler-decision.js';
import { writeAutoscaler } from './autoscaler-describe.js';
import { DescribeWriter, writeConditions, writeMetadata, writeRootCause } from './describe.js';
import { shortAge } from './cells.js';

/** Options for describe output. */
export interface DescribeOptions {
  verbose?: boolean;
  now?: Date;
  /** Terminal width to trim lines to. */
  width?: number;
  /** Why the service (or its newest revision) is not Ready. */
  rootCause?: RootCause;
  /** With -v: the autoscaler's last decision per revision name. */
  autoscaler?: Map<string, AutoscalerDecision>;
  /** A gradual rollout in progress (from the route's KIngress). */
  rollout?: Rollout;
}

interface RevisionEntry {
  name: string;
  percent: number;
  tag?: string;
  latestTarget: boolean;
  revision?: Revision;
}

/** Renders a Service and its revisions the way `kn service describe` does. */
export function describeService(svc: Service, revisions: Revision[], opts: DescribeOptions = {}): string {
  const w = new DescribeWriter();
  writeMetadata(w, svc, opts);
  w.attr('URL', svc.status?.url ?? '');
  if (opts.verbose && svc.status?.address?.url) w.attr('Cluster', svc.status.address.url);
  const spec = svc.spec.template.spec;
  if (spec.serviceAccountName) w.attr('Service Account', spec.serviceAccountName);
  if (spec.imagePullSecrets?.length)
    w.attr('Image Pull Secret', spec.imagePullSecrets.map((s) => s.name).join(', '));
  w.blank();
  w.section('Revisions');
  for (const entry of revisionEntries(svc, revisions, opts.verbose)) writeRevisionEntry(w, svc, entry, opts);
  w.blank();
  if (opts.rollout) writeRollout(w, opts.rollout, opts.now ?? new Date());
  writeConditions(w, svc.status, opts);
  // A rollout in progress is shown above as progress, not as a failure.
  const inRollout = opts.rollout && opts.rootCause?.condition?.reason === ROLLOUT_IN_PROGRESS;
  writeRootCause(w, inRollout ? undefined : opts.rootCause);
  return w.toString(opts.width);
}

// One entry per traffic target, plus the latest created/ready revisions when not routed (kn order:
// configuration generation descending).
function revisionEntries(svc: Service, revisions: Revision[], verbose?: boolean): RevisionEntry[] {
  const byName = new Map(revisions.map((r) => [r.metadata.name!, r]));
  const entries: RevisionEntry[] = [];
  for (const t of svc.status?.traffic ?? []) entries.push(fromTarget(t, byName));
  const extra = [svc.status?.latestCreatedRevisionName, svc.status?.latestReadyRevisionName];
  if (verbose) extra.push(...revisions.map((r) => r.metadata.name));
  for (const name of extra) {
    if (name && !entries.some((e) => e.name === name))
      entries.push({ name, percent: 0, latestTarget: false, revision: byName.get(name) });
  }
  const gen = (e: RevisionEntry): number =>
    Number(e.revision?.metadata.labels?.[Labels.configurationGeneration] ?? 0);
  return entries.sort((a, b) => gen(b) - gen(a));
}

function fromTarget(t: TrafficTarget, byName: Map<string, Revision>): RevisionEntry {
  const name = t.revisionName ?? '';
  return {
    name,
    percent: t.percent ?? 0,
    tag: t.tag,
    latestTarget: t.latestRevision === true,
    revision: byName.get(name),
  };
}

function writeRevisionEntry(w: DescribeWriter, svc: Service, e: RevisionEntry, opts: DescribeOptions): void {
  const ready = getCondition(e.revision?.status, READY);
  const bullet =
    e.percent > 0 && ready?.status === 'True'
      ? `${String(e.percent).padStart(3)}%`
      : `   ${ready?.status === 'True' ? '+' : ready?.status === 'False' ? '!' : '?'}`;
  let name = e.name;
  if (e.latestTarget) name = `@latest (${e.name})`;
  else if (e.name === svc.status?.latestReadyRevisionName) name = `${e.name} (current @latest)`;
  else if (e.name === svc.status?.latestCreatedRevisionName) name = `${e.name} (latest created)`;
  if (e.tag) name += ` #${e.tag}`;
  const gen = e.revision?.metadata.labels?.[Labels.configurationGeneration];
  const age = e.revision ? ` (${shortAge(e.revision.metadata.creationTimestamp, opts.now)})` : '';
  // Entries sit 2 spaces in; their attributes line up under the name (2 + 4 + 2 = 8).
  w.nested(2).text(`${bullet}  ${name}${gen ? ` [${gen}]` : ''}${age}`);
  const inner = w.nested(8);
  if (ready?.status === 'False') inner.attr('Error', ready.reason ?? '');
  const rev = e.revision;
  if (!rev) return;
  const c: Container = rev.spec.containers[0] ?? {};
  inner.attr('Image', c.image ?? '');
  if (rev.status?.actualReplicas !== undefined || rev.status?.desiredReplicas !== undefined) {
    inner.attr('Replicas', `${rev.status?.actualReplicas ?? 0}/${rev.status?.desiredReplicas ?? 0}`);
  }
  if (c.ports?.length) inner.attr('Port', String(c.ports[0].containerPort));
  writeEnv(inner, c);
  writeScale(inner, rev);
  if (rev.spec.containerConcurrency) inner.attr('Concurrency Limit', rev.spec.containerConcurrency);
  if (opts.verbose) writeAutoscaler(inner, opts.autoscaler?.get(e.name), { now: opts.now });
}

function writeEnv(w: DescribeWriter, c: Container): void {
  const env = (c.env ?? []).map((e) => `${e.name}=${e.valueFrom ? '[ref]' : (e.value ?? '')}`);
  if (env.length) w.attr('Env', env.join(', '));
  const from = (c.envFrom ?? []).map((e) =>
    e.configMapRef ? `cm:${e.configMapRef.name}` : `secret:${e.secretRef?.name}`,
  );
  if (from.length) w.attr('EnvFrom', from.join(', '));
}

function writeScale(w: DescribeWriter, rev: Revision): void {
  const a = rev.metadata.annotations ?? {};
  const min = a[Annotations.minScale];
  const max = a[Annotations.maxScale];
  if (min === undefined && max === undefined) return;
  w.attr('Scale', `${min ?? '0'} ... ${max && max !== '0' ? max : '∞'}`);
}

// Per configuration (and tag) being rolled: the share it moves, the revisions with their current
// percent (the last one is the target), the step and when the next one is due.
function writeRollout(w: DescribeWriter, rollout: Rollout, now: Date): void {
  const rolling = (rollout.configurations ?? []).filter((c) => (c.revisions?.length ?? 0) > 1);
  if (!rolling.length) return;
  w.text('Rollout:'); // not a section: its attributes align among themselves
  for (const c of rolling) {
    const revs = c.revisions!;
    const target = revs[revs.length - 1];
    const inner = w.nested(2);
    inner.attr('Configuration', c.tag ? `${c.configurationName} #${c.tag}` : c.configurationName);
    inner.attr('Target', `${target.revisionName} (${target.percent}% of ${c.percent}%)`);
    const p = c.stepParams ?? {};
    if (p.stepSize && p.stepDuration) {
      inner.attr('Step', `${p.stepSize}% every ${formatGoDuration(Math.round(p.stepDuration / 1e6))}`);
      const inMs = Math.max(0, (p.nextStepTime ?? 0) / 1e6 - now.getTime());
      inner.attr('Next Step', `in ${formatGoDuration(Math.ceil(inMs / 1000) * 1000)}`);
    } else {
      inner.attr('Step', 'timed once the first 1% is ready');
    }
    for (const r of revs) {
      const mark = r === target ? ' (target)' : '';
      inner.nested(2).text(`${String(r.percent).padStart(3)}%  ${r.revisionName}${mark}`);
    }
  }
  w.blank();
}
