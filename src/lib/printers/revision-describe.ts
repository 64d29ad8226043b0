/**
 * `knlite revision describe` output (kn `pkg/commands/revision/describe.go`): metadata, Image,
 * Replicas, Port, Env, EnvFrom, Scale, Concurrency, TimeoutSeconds, Service (with -v: generation,
 * latest created/ready, traffic, tags), then the conditions table.
 */
import type { Container, Revision, Service } from '../apis/types.js';
import { Annotations, Labels } from '../apis/keys.js';
import type { RevisionTraffic } from '../apis/traffic-index.js';
import type { RootCause } from '../client/root-cause.js';
import type { AutoscalerDecision } from '../apis/autoscaler-decision.js';
import { writeAutoscaler } from './autoscaler-describe.js';
import { DescribeWriter, writeConditions, writeMetadata, writeRootCause } from './describe.js';

/** A pod the runtime keeps frozen (its `knlite.dev/Frozen` condition). */
export interface FrozenPod {
  pod: string;
  since?: string;
  message: string;
}

/** Options of describe output. */
export interface RevisionDescribeOptions {
  verbose?: boolean;
  now?: Date;
  /** Terminal width to trim lines to. */
  width?: number;
}

/** Renders a revision the way `kn revision describe` does. */
export function describeRevision(
  rev: Revision,
  ctx: {
    service?: Service;
    traffic?: RevisionTraffic;
    rootCause?: RootCause;
    frozen?: FrozenPod[];
    autoscaler?: AutoscalerDecision;
  },
  opts: RevisionDescribeOptions = {},
): string {
  const w = new DescribeWriter();
  writeMetadata(w, rev, opts);
  const c: Container = rev.spec.containers?.[0] ?? {};
  w.attr('Image', imageText(rev, c));
  if (rev.status?.actualReplicas !== undefined || rev.status?.desiredReplicas !== undefined) {
    w.attr('Replicas', `${rev.status?.actualReplicas ?? 0}/${rev.status?.desiredReplicas ?? 0}`);
  }
  if (c.ports?.length) w.attr('Port', String(c.ports[0].containerPort));
  writeEnv(w, c);
  writeScaling(w, rev);
  if (rev.spec.timeoutSeconds !== undefined) w.attr('TimeoutSeconds', rev.spec.timeoutSeconds);
  const svcName = rev.metadata.labels?.[Labels.service];
  if (svcName) {
    w.attr('Service', svcName);
    if (opts.verbose) {
      const inner = w.nested();
      inner.attr('Configuration Generation', rev.metadata.labels?.[Labels.configurationGeneration] ?? '');
      inner.attr(
        'Latest Created',
        String(ctx.service?.status?.latestCreatedRevisionName === rev.metadata.name),
      );
      inner.attr('Latest Ready', String(ctx.service?.status?.latestReadyRevisionName === rev.metadata.name));
      if ((ctx.traffic?.percent ?? 0) > 0) inner.attr('Traffic', `${ctx.traffic!.percent}%`);
      if (ctx.traffic?.tags.length) inner.attr('Tags', ctx.traffic.tags.join(', '));
    }
  }
  w.blank();
  writeConditions(w, rev.status, opts);
  writeRootCause(w, ctx.rootCause);
  // knlite's own sections come after kn's.
  if (ctx.autoscaler || ctx.frozen?.length) w.blank();
  writeAutoscaler(w, ctx.autoscaler, { now: opts.now });
  if (ctx.frozen?.length) {
    w.section('Frozen');
    const inner = w.nested();
    for (const f of ctx.frozen) inner.attr(f.pod, f.message);
  }
  return w.toString(opts.width);
}

// kn shows the digest the revision resolved next to the image, when there is one.
function imageText(rev: Revision, c: Container): string {
  const image = c.image ?? '';
  const digest = rev.status?.containerStatuses?.[0]?.imageDigest;
  const hex = digest?.split('@sha256:')[1];
  if (!hex) return image;
  const user = rev.metadata.annotations?.[Annotations.userImage];
  return `${user ?? image} (${user ? 'pinned to' : 'at'} ${hex.slice(0, 6)})`;
}

function writeEnv(w: DescribeWriter, c: Container): void {
  const env = (c.env ?? []).map((e) => `${e.name}=${e.valueFrom ? '[ref]' : (e.value ?? '')}`);
  if (env.length) w.attr('Env', env.join(', '));
  const from = (c.envFrom ?? []).map((e) =>
    e.configMapRef ? `cm:${e.configMapRef.name}` : `secret:${e.secretRef?.name ?? ''}`,
  );
  if (from.length) w.attr('EnvFrom', from.join(', '));
}

function writeScaling(w: DescribeWriter, rev: Revision): void {
  const a = rev.metadata.annotations ?? {};
  const min = a[Annotations.minScale];
  const max = a[Annotations.maxScale];
  if (min !== undefined || max !== undefined) {
    w.attr('Scale', `${min ?? '0'} ... ${max && max !== '0' ? max : '∞'}`);
  }
  const limit = rev.spec.containerConcurrency;
  const target = a[Annotations.target];
  const utilization = a[Annotations.targetUtilization];
  const window = a[Annotations.window];
  if (!limit && !target && !utilization && !window) return;
  w.section('Concurrency');
  const inner = w.nested();
  if (limit) inner.attr('Limit', limit);
  if (target) inner.attr('Target', target);
  if (window) inner.attr('Window', window);
  if (utilization) inner.attr('TargetUtilization', utilization);
}
