/** scale() returns the rule that bounded its decision, with the arithmetic; the published document. */
import { describe, expect, it } from 'vitest';
import { scale, type DeciderState } from '../../src/lib/dataplane/autoscaler/scale.js';
import { makeAutoscalerSpec } from '../../src/lib/dataplane/autoscaler/spec.js';
import { makeDecision } from '../../src/lib/dataplane/autoscaler/publish.js';
import type { Sample } from '../../src/lib/dataplane/autoscaler/window.js';

const NOW = 1_000_000_000;
const A = 'autoscaling.knative.dev/';

const steady = (value: number, seconds: number): Sample[] =>
  Array.from({ length: seconds }, (_, i) => ({
    time: NOW - (seconds - 1 - i) * 1000,
    concurrency: value,
    rps: 0,
  }));

const calm = (over: Partial<DeciderState> = {}): DeciderState => ({
  maxPanicPods: 0,
  recent: [],
  active: 'Active',
  activeSince: NOW - 3_600_000,
  initialized: true,
  ...over,
});

const run = (annotations: Record<string, string>, value: number, ready: number, state = calm(), cc = 10) =>
  scale(
    { readyPods: ready, samples: steady(value, 60), reachable: true, state },
    makeAutoscalerSpec(annotations, cc),
    NOW,
  );

describe('ScaleResult.bound', () => {
  it.each([
    ['load', {}, 14, 2, 'load', 'ceil(stable 14 / target 7) = 2'],
    ['min-scale', { [`${A}min-scale`]: '3' }, 7, 1, 'min-scale', 'min-scale 3'],
    ['max-scale', { [`${A}max-scale`]: '2' }, 70, 5, 'max-scale', 'max-scale 2'],
    ['max-scale-down-rate', {}, 0.5, 10, 'max-scale-down-rate', 'floor(10 ready / 2) = 5'],
    ['activation-scale', { [`${A}activation-scale`]: '3' }, 1, 1, 'activation-scale', 'activation-scale 3'],
    ['no data', {}, -1, 1, 'no-data', 'no samples yet'],
  ])('%s', (_n, annotations, value, ready, rule, detail) => {
    const r =
      value < 0
        ? scale(
            { readyPods: ready, samples: [], reachable: true, state: calm() },
            makeAutoscalerSpec(annotations, 10),
            NOW,
          )
        : run(annotations, value, ready);
    expect(r.bound).toEqual({ rule, detail });
  });

  it('panic holds the largest count since panic began', () => {
    const r = run({}, 70, 1, calm({ panicTime: NOW - 2000, maxPanicPods: 12 }));
    expect(r.panicking).toBe(true);
    expect(r.want).toBe(12);
    expect(r.bound.rule).toBe('panic');
  });

  it('scale-down delay holds the recent maximum', () => {
    const state = calm({ recent: [{ time: NOW - 5000, pods: 4 }] });
    const r = run({ [`${A}scale-down-delay`]: '30s' }, 7, 4, state);
    expect(r.want).toBe(4);
    expect(r.bound).toEqual({ rule: 'scale-down-delay', detail: 'max over the last 30s = 4' });
  });

  it('an idle, inactive revision waits out the grace period', () => {
    const r = run({}, 0, 1, calm({ active: 'Inactive', activeSince: NOW - 10_000 }));
    expect(r.replicas).toBeUndefined();
    expect(r.bound).toEqual({ rule: 'scale-to-zero-grace-period', detail: 'inactive for 10s of 30s' });
  });
});

describe('makeDecision', () => {
  it('turns a tick into the published document (proxy mode while burst capacity is negative)', () => {
    const spec = makeAutoscalerSpec({ [`${A}max-scale`]: '2' }, 10);
    const result = run({ [`${A}max-scale`]: '2' }, 70, 1);
    const d = makeDecision('hello-00001', spec, result, 1, NOW);
    expect(d).toMatchObject({
      revision: 'hello-00001',
      decidedAt: new Date(NOW).toISOString(),
      observed: { stable: 70, panic: 70, readyPods: 1 },
      targetPerPod: 7,
      totalPerPod: 10,
      panic: { active: true, since: new Date(NOW).toISOString() },
      excessBurstCapacity: Math.floor(1 * 10 - 211 - 70),
      mode: 'proxy',
      want: 2,
      replicas: 2,
      bound: { rule: 'max-scale', detail: 'max-scale 2' },
      limits: { minScale: 0, maxScale: 2 },
    });
  });
});
