/**
 * The `Autoscaler:` block of `revision describe` (and `service describe -v`): the KPA's last
 * published decision — its inputs (observed stable and panic values, target per pod, panic mode,
 * excess burst capacity and proxy/serve mode), the desired pods and the rule that bounded them.
 */
import type { AutoscalerDecision } from '../apis/autoscaler-decision.js';
import { shortAge } from './cells.js';
import type { DescribeWriter } from './describe.js';

const num = (x: number): string => String(Math.round(x * 100) / 100);

/** Writes the block under `label` (nothing without a decision). */
export function writeAutoscaler(
  w: DescribeWriter,
  d: AutoscalerDecision | undefined,
  opts: { now?: Date; label?: string } = {},
): void {
  if (!d) return;
  const now = opts.now ?? new Date();
  const age = shortAge(d.decidedAt, now);
  w.attr(opts.label ?? 'Autoscaler', `${d.class}, ${d.metric}, ${d.active} (decided ${age} ago)`);
  const inner = w.nested();
  const pods = (n: number): string => `${n} pod${n === 1 ? '' : 's'}`;
  inner.attr(
    'Observed',
    `stable ${num(d.observed.stable)} over ${d.stableWindowSeconds}s, panic ${num(d.observed.panic)} over ${d.panicWindowSeconds}s, ${pods(d.observed.readyPods)} ready`,
  );
  inner.attr('Target', `${num(d.targetPerPod)} per pod (of ${num(d.totalPerPod)})`);
  inner.attr('Panic', d.panic.active ? `yes, since ${d.panic.since ?? '?'}` : 'no');
  inner.attr(
    'Burst',
    `excess capacity ${d.excessBurstCapacity} (${d.mode} mode, target-burst-capacity ${d.limits.targetBurstCapacity})`,
  );
  const written = d.replicas !== undefined ? `, writes ${d.replicas}` : ', leaves replicas as they are';
  inner.attr(
    'Desired',
    d.desiredPods < 0
      ? `no data yet (want ${d.want}${written})`
      : `${pods(d.desiredPods)} → ${d.want}${written}`,
  );
  inner.attr('Bounded by', `${d.bound.rule} (${d.bound.detail})`);
  const l = d.limits;
  inner.attr(
    'Limits',
    `min-scale ${l.minScale}, max-scale ${l.maxScale || '∞'}, max-scale-up-rate ${l.maxScaleUpRate}, max-scale-down-rate ${l.maxScaleDownRate}, scale-down-delay ${l.scaleDownDelaySeconds}s`,
  );
  const c = d.coldStarts;
  if (c) {
    const s = c.last.stages;
    const stage = (k: string, label: string): string | undefined =>
      s[k] === undefined ? undefined : `${label} ${num(s[k])}s`;
    const parts = [
      stage('scale_decided', 'scale decided'),
      stage('process_spawned', 'process spawned'),
      stage('ready', 'ready'),
      stage('first_byte', 'first byte'),
    ].filter(Boolean);
    inner.attr('Cold starts', `${c.count}, first byte p50 ${num(c.p50)}s, p99 ${num(c.p99)}s`);
    inner.attr('Last cold start', `${shortAge(c.last.at, now)} ago: ${parts.join(', ')}`);
  }
}
