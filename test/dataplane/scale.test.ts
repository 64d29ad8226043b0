import { describe, expect, it } from 'vitest';
import { scale, type DeciderState } from '../../src/lib/dataplane/autoscaler/scale.js';
import { parseAutoscalerConfig } from '../../src/lib/apis/config/autoscaler.js';
import { parseGoDuration } from '../../src/lib/apis/durations.js';
import { makeAutoscalerSpec } from '../../src/lib/dataplane/autoscaler/spec.js';
import { hpaScale } from '../../src/lib/dataplane/autoscaler/hpa.js';
import { windowAverage, type Sample } from '../../src/lib/dataplane/autoscaler/window.js';

const NOW = 1_000_000_000;
const A = 'autoscaling.knative.dev/';

/** config-autoscaler with the given data, parsed and validated as the components read it. */
const autoscalerConfig = (data: Record<string, string>) =>
  parseAutoscalerConfig({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'config-autoscaler' },
    data,
  });

/** `seconds` one-per-second samples ending at `end` with the given values. */
function steady(
  value: number,
  seconds: number,
  end = NOW,
  metric: 'concurrency' | 'rps' = 'concurrency',
): Sample[] {
  return Array.from({ length: seconds }, (_, i) => ({
    time: end - (seconds - 1 - i) * 1000,
    concurrency: metric === 'concurrency' ? value : 0,
    rps: metric === 'rps' ? value : 0,
  }));
}

/** A long-running, non-panicking, Active autoscaler. */
function calm(over: Partial<DeciderState> = {}): DeciderState {
  return {
    maxPanicPods: 0,
    recent: [],
    active: 'Active',
    activeSince: NOW - 3_600_000,
    initialized: true,
    ...over,
  };
}

describe('target per pod (target.go)', () => {
  it.each([
    ['CC=0 → default 100 × 70%', {}, 0, {}, 70],
    ['CC=1 → 0.7', {}, 1, {}, 0.7],
    ['CC=10 → 7', {}, 10, {}, 7],
    ['annotation target capped by CC', { [`${A}target`]: '50' }, 10, {}, 7],
    ['annotation target below CC', { [`${A}target`]: '5' }, 10, {}, 3.5],
    ['utilization annotation', { [`${A}target-utilization-percentage`]: '50' }, 10, {}, 5],
    ['config percentage as a fraction', {}, 10, { 'container-concurrency-target-percentage': '0.5' }, 5],
    ['config default target', {}, 0, { 'container-concurrency-target-default': '10' }, 7],
    ['rps metric → 200 × 0.7', { [`${A}metric`]: 'rps' }, 0, {}, 140],
    ['rps with target', { [`${A}metric`]: 'rps', [`${A}target`]: '100' }, 0, {}, 70],
    ['floor at 0.01', { [`${A}target`]: '0.01' }, 0, {}, 0.01],
  ])('%s', (_name, annotations, cc, config, expected) => {
    expect(makeAutoscalerSpec(annotations, cc, autoscalerConfig(config)).target).toBeCloseTo(expected, 10);
  });

  it('reads windows, thresholds and bounds from annotations and config-autoscaler', () => {
    const spec = makeAutoscalerSpec(
      {
        [`${A}window`]: '20s',
        [`${A}panic-window-percentage`]: '20',
        [`${A}minScale`]: '1',
        [`${A}max-scale`]: '4',
      },
      0,
      autoscalerConfig({
        'scale-to-zero-grace-period': '45s',
        'max-scale-down-rate': '4',
        'panic-threshold-percentage': '300',
      }),
    );
    expect(spec).toMatchObject({
      stableWindowMs: 20_000,
      panicWindowMs: 4000,
      minScale: 1,
      maxScale: 4,
      scaleToZeroGracePeriodMs: 45_000,
      maxScaleDownRate: 4,
      panicThreshold: 3,
    });
    expect(makeAutoscalerSpec({}, 0)).toMatchObject({
      stableWindowMs: 60_000,
      panicWindowMs: 6000,
      panicThreshold: 2,
    });
  });

  it('parses Go durations', () => {
    expect([
      parseGoDuration('60s'),
      parseGoDuration('1m30s'),
      parseGoDuration('500ms'),
      parseGoDuration('0'),
    ]).toEqual([60_000, 90_000, 500, 0]);
    expect(parseGoDuration('soon')).toBeUndefined();
  });
});

describe('window average (bucketing.go)', () => {
  it('averages over the buckets written so far, not the whole window', () => {
    expect(windowAverage(steady(100, 10), 'concurrency', 60_000, NOW)).toBe(100);
  });
  it('averages a full window', () => {
    const samples = [...steady(0, 54, NOW - 6000), ...steady(60, 6)];
    expect(windowAverage(samples, 'concurrency', 60_000, NOW)).toBe(6);
    expect(windowAverage(samples, 'concurrency', 6000, NOW)).toBe(60);
  });
  it('is 0 after a window without data', () => {
    expect(windowAverage(steady(100, 10, NOW - 61_000), 'concurrency', 60_000, NOW)).toBe(0);
  });
});

describe('scale(): the KPA decider', () => {
  const spec = makeAutoscalerSpec({}, 0); // T = 70

  it.each([
    // name, ready pods, steady load, expected desired
    ['holds 2 pods for 100 concurrent at T=70', 2, 100, 2],
    ['limits scale-down to half of R (max-scale-down-rate 2)', 10, 7, 5],
    ['scales down gradually from 3', 3, 100, 2],
    ['scales up to ceil(load/T)', 5, 350, 5],
    ['grows with load', 5, 500, 8],
  ])('%s', (_name, ready, load, desired) => {
    const r = scale(
      { readyPods: ready, samples: steady(load, 60), reachable: true, state: calm() },
      spec,
      NOW,
    );
    expect(r.desiredPods).toBe(desired);
    expect(r.replicas).toBe(desired);
    expect(r.panicking).toBe(false);
  });

  it('limits scale-up to max-scale-up-rate × R', () => {
    const limited = makeAutoscalerSpec({}, 0, autoscalerConfig({ 'max-scale-up-rate': '2' }));
    const r = scale(
      { readyPods: 2, samples: steady(1000, 60), reachable: true, state: calm() },
      limited,
      NOW,
    );
    expect(r.desiredPods).toBe(4); // ceil(1000/70) = 15, capped at ceil(2 × 2)
  });

  it('reports no decision without data', () => {
    const r = scale({ readyPods: 1, samples: [], reachable: true, state: calm() }, spec, NOW);
    expect(r.desiredPods).toBe(-1);
    expect(r.replicas).toBeUndefined();
  });

  it('enters panic when the panic window needs 2× the ready pods, and never scales down in panic', () => {
    // 54 quiet seconds then 6 s at 700: stable = 70 → 1 pod; panic = 700 → 10 pods ≥ 2 × 2 ready.
    const burst = [...steady(0, 54, NOW - 6000), ...steady(700, 6)];
    const entered = scale({ readyPods: 2, samples: burst, reachable: true, state: calm() }, spec, NOW);
    expect(entered).toMatchObject({ panicking: true, desiredPods: 10, replicas: 10 });
    expect(entered.state.panicTime).toBe(NOW);

    // 10 s later the burst is over, but panic holds the high-water mark for a stable window.
    const later = NOW + 10_000;
    const quiet = [...burst, ...steady(0, 10, later)];
    const held = scale({ readyPods: 10, samples: quiet, reachable: true, state: entered.state }, spec, later);
    expect(held).toMatchObject({ panicking: true, desiredPods: 10 });

    // More than a stable window after the last over-threshold tick: panic ends, scale-down resumes at rate 2.
    const after = NOW + 61_000;
    const calmSamples = [...quiet, ...steady(0, 51, after)];
    const exited = scale(
      { readyPods: 10, samples: calmSamples, reachable: true, state: held.state },
      spec,
      after,
    );
    expect(exited).toMatchObject({ panicking: false, desiredPods: 5 });
    expect(exited.state.maxPanicPods).toBe(0);
  });

  it('takes the larger of the stable and panic counts while panicking', () => {
    const state = calm({ panicTime: NOW - 1000, maxPanicPods: 3 });
    const r = scale({ readyPods: 3, samples: steady(420, 60), reachable: true, state }, spec, NOW);
    expect(r.desiredPods).toBe(6);
  });

  it('starts a fresh autoscaler in panic when more than one pod is ready (no dip after restart)', () => {
    const r = scale({ readyPods: 3, samples: steady(0, 5), reachable: true }, spec, NOW);
    expect(r).toMatchObject({ panicking: true, desiredPods: 3 });
  });

  it('uses the rps metric with target 200 × 0.7', () => {
    const rps = makeAutoscalerSpec({ [`${A}metric`]: 'rps' }, 0);
    const r = scale(
      { readyPods: 2, samples: steady(300, 60, NOW, 'rps'), reachable: true, state: calm() },
      rps,
      NOW,
    );
    expect(r.desiredPods).toBe(3); // ceil(300 / 140)
  });

  it('reproduces the Knative docs example: target 10 at 100% utilization, 100 concurrent → 10 pods', () => {
    const s = makeAutoscalerSpec({ [`${A}target`]: '10', [`${A}target-utilization-percentage`]: '100' }, 0);
    expect(
      scale({ readyPods: 10, samples: steady(100, 60), reachable: true, state: calm() }, s, NOW).desiredPods,
    ).toBe(10);
  });

  it('CC=1 with one request always in flight needs ceil(1 / 0.7) = 2 pods', () => {
    const s = makeAutoscalerSpec({}, 1);
    expect(
      scale({ readyPods: 2, samples: steady(1, 60), reachable: true, state: calm() }, s, NOW).desiredPods,
    ).toBe(2);
  });

  it('holds the maximum of the scale-down-delay window', () => {
    const delayed = makeAutoscalerSpec({ [`${A}scale-down-delay`]: '10s' }, 0);
    const state = calm({ recent: [{ time: NOW - 5000, pods: 6 }] });
    const r = scale({ readyPods: 6, samples: steady(0, 60), reachable: true, state }, delayed, NOW);
    expect(r.desiredPods).toBe(6);
    const stale = calm({ recent: [{ time: NOW - 11_000, pods: 6 }] });
    expect(
      scale({ readyPods: 6, samples: steady(0, 60), reachable: true, state: stale }, delayed, NOW)
        .desiredPods,
    ).toBe(3);
  });

  it('computes excess burst capacity floor(R·total − TBC − panic)', () => {
    const r3 = scale({ readyPods: 3, samples: steady(0, 60), reachable: true, state: calm() }, spec, NOW);
    expect(r3.excessBurstCapacity).toBe(89);
    const tbc = makeAutoscalerSpec({ [`${A}target-burst-capacity`]: '-1' }, 0);
    expect(
      scale({ readyPods: 3, samples: steady(0, 60), reachable: true, state: calm() }, tbc, NOW)
        .excessBurstCapacity,
    ).toBe(-1);
  });
});

describe('scale(): bounds and scale to zero', () => {
  const spec = makeAutoscalerSpec({}, 0);
  const idle = steady(0, 60);

  it('an idle revision goes Inactive after a stable window active, then to zero after the 30 s grace period', () => {
    const first = scale({ readyPods: 1, samples: idle, reachable: true, state: calm() }, spec, NOW);
    expect(first).toMatchObject({ desiredPods: 0, want: 0, replicas: undefined, active: 'Inactive' });
    const at29 = NOW + 29_000;
    const waiting = scale(
      { readyPods: 1, samples: steady(0, 60, at29), reachable: true, state: first.state },
      spec,
      at29,
    );
    expect(waiting.replicas).toBeUndefined();
    const at30 = NOW + 30_000;
    const zero = scale(
      { readyPods: 1, samples: steady(0, 60, at30), reachable: true, state: waiting.state },
      spec,
      at30,
    );
    expect(zero).toMatchObject({ replicas: 0, active: 'Inactive' });
  });

  it('keeps one pod while active for less than the stable window', () => {
    const r = scale(
      { readyPods: 1, samples: idle, reachable: true, state: calm({ activeSince: NOW - 30_000 }) },
      spec,
      NOW,
    );
    expect(r).toMatchObject({ want: 1, replicas: 1, active: 'Active' });
  });

  it('never goes to zero with enable-scale-to-zero false', () => {
    const s = makeAutoscalerSpec({}, 0, autoscalerConfig({ 'enable-scale-to-zero': 'false' }));
    expect(scale({ readyPods: 1, samples: idle, reachable: true, state: calm() }, s, NOW).replicas).toBe(1);
  });

  it('waits for the pod retention period when it is longer than the grace period', () => {
    const s = makeAutoscalerSpec({ [`${A}scale-to-zero-pod-retention-period`]: '1m' }, 0);
    const inactive = calm({ active: 'Inactive', activeSince: NOW - 45_000 });
    expect(
      scale({ readyPods: 1, samples: idle, reachable: true, state: inactive }, s, NOW).replicas,
    ).toBeUndefined();
    const longer = calm({ active: 'Inactive', activeSince: NOW - 60_000 });
    expect(scale({ readyPods: 1, samples: idle, reachable: true, state: longer }, s, NOW).replicas).toBe(0);
    // Unreachable revisions have no retention.
    expect(scale({ readyPods: 1, samples: idle, reachable: false, state: inactive }, s, NOW).replicas).toBe(
      0,
    );
  });

  it('applies min-scale only to reachable revisions, and max-scale always', () => {
    const s = makeAutoscalerSpec({ [`${A}min-scale`]: '2', [`${A}max-scale`]: '3' }, 0);
    expect(scale({ readyPods: 2, samples: idle, reachable: true, state: calm() }, s, NOW).replicas).toBe(2);
    expect(
      scale({ readyPods: 1, samples: steady(1000, 60), reachable: true, state: calm() }, s, NOW).replicas,
    ).toBe(3);
    expect(scale({ readyPods: 2, samples: idle, reachable: false, state: calm() }, s, NOW).want).toBe(0);
  });

  it('uses initial-scale as a floor until the pods first came up', () => {
    const s = makeAutoscalerSpec({ [`${A}initial-scale`]: '3' }, 0);
    const starting = scale({ readyPods: 0, samples: idle, reachable: true }, s, NOW);
    expect(starting).toMatchObject({ replicas: 3, active: 'Activating' });
    const up = scale({ readyPods: 3, samples: idle, reachable: true, state: starting.state }, s, NOW + 2000);
    expect(up.state.initialized).toBe(true);
    expect(up.active).toBe('Active');
  });

  it('a request at zero (activator poke) asks for one pod at once', () => {
    const inactive = calm({ active: 'Inactive', activeSince: NOW - 120_000 });
    const poked = [...steady(0, 59, NOW - 1000), { time: NOW, concurrency: 1, rps: 1 }];
    const r = scale({ readyPods: 0, samples: poked, reachable: true, state: inactive }, spec, NOW);
    expect(r).toMatchObject({ desiredPods: 1, replicas: 1, active: 'Activating' });
  });

  it('activation-scale brings that many pods on the first request', () => {
    const s = makeAutoscalerSpec({ [`${A}activation-scale`]: '3' }, 0);
    const inactive = calm({ active: 'Inactive', activeSince: NOW - 120_000 });
    const poked = [...steady(0, 59, NOW - 1000), { time: NOW, concurrency: 1, rps: 1 }];
    expect(scale({ readyPods: 0, samples: poked, reachable: true, state: inactive }, s, NOW).replicas).toBe(
      3,
    );
  });

  it('a revision stuck activating may drop to zero only after the progress deadline + 30 s', () => {
    const activating = calm({ active: 'Activating', activeSince: NOW - 60_000, initialized: false });
    expect(
      scale({ readyPods: 0, samples: idle, reachable: true, state: activating }, spec, NOW).replicas,
    ).toBeUndefined();
    const stuck = calm({ active: 'Activating', activeSince: NOW - 631_000, initialized: false });
    expect(scale({ readyPods: 0, samples: idle, reachable: true, state: stuck }, spec, NOW).replicas).toBe(0);
  });
});

describe('hpaScale(): Kubernetes HPA on CPU', () => {
  const spec = makeAutoscalerSpec({ [`${A}class`]: 'hpa.autoscaling.knative.dev', [`${A}target`]: '50' }, 0);

  it.each([
    ['scales up by the utilization ratio', 2, 100, 4],
    ['stays within the 10% tolerance', 2, 54, 2],
    ['never below one pod', 1, 0, 1],
  ])('%s', (_name, current, utilization, expected) => {
    expect(hpaScale({ currentReplicas: current, utilization }, spec, NOW).replicas).toBe(expected);
  });

  it('holds the highest recommendation of the last 5 minutes when scaling down', () => {
    const r = hpaScale(
      { currentReplicas: 4, utilization: 10, recent: [{ time: NOW - 60_000, pods: 4 }] },
      spec,
      NOW,
    );
    expect(r.replicas).toBe(4);
    const old = hpaScale(
      { currentReplicas: 4, utilization: 10, recent: [{ time: NOW - 301_000, pods: 4 }] },
      spec,
      NOW,
    );
    expect(old.replicas).toBe(1);
  });
});
