/**
 * Knative's KPA as a pure function of time: `scale(stats, spec, now)` runs the decider
 * (pkg/autoscaler/scaling/autoscaler.go Scale), then the PodAutoscaler reconciler's bounds and
 * scale-to-zero gate (pkg/reconciler/autoscaling/kpa/scaler.go) and Active condition
 * (kpa.go computeActiveCondition). Everything that Knative keeps in memory between ticks travels in
 * `stats.state` and comes back in the result, so there are no timers or clocks in here.
 */
import type { AutoscalerSpec } from './spec.js';
import { windowAverage, type Sample } from './window.js';

/** The PodAutoscaler's Active condition: True / Unknown (Activating) / False (Inactive). */
export type ActiveState = 'Active' | 'Activating' | 'Inactive';

/** What the decider and the PA reconciler remember between ticks. */
export interface DeciderState {
  /** Last time the panic threshold was crossed while panicking; undefined when not panicking. */
  panicTime?: number;
  /** Panic mode never scales down: the largest count seen since panic started. */
  maxPanicPods: number;
  /** Desired counts of the last `scale-down-delay` (2 s granularity in Knative). */
  recent: { time: number; pods: number }[];
  /** PA Active condition and when it last changed. */
  active: ActiveState;
  activeSince: number;
  /** PA ScaleTargetInitialized: ready pods reached the initial minimum once. */
  initialized: boolean;
}

/** Inputs observed at `now`. */
export interface ScaleStats {
  /** Ready pods (endpoints), R. */
  readyPods: number;
  /** Per-second revision totals; anything older than the stable window is ignored. */
  samples: readonly Sample[];
  /** Whether a Route sends (or may send) traffic to the revision. */
  reachable: boolean;
  /** Previous result's state; undefined for a freshly created autoscaler. */
  state?: DeciderState;
}

/** What set the desired count this tick (the last rule that changed it wins). */
export type ScaleRule =
  /** No samples yet: no decision. */
  | 'no-data'
  /** The observed load at the target: ceil(value / target). */
  | 'load'
  | 'max-scale-up-rate'
  | 'max-scale-down-rate'
  | 'activation-scale'
  /** Panic mode never scales down: the largest count since panic started. */
  | 'panic'
  | 'scale-down-delay'
  | 'min-scale'
  | 'initial-scale'
  | 'max-scale'
  /** enable-scale-to-zero is false: at least one pod. */
  | 'scale-to-zero-disabled'
  /** Activating and not yet timed out: no scale to zero. */
  | 'activation-timeout'
  /** Active for less than a stable window: one pod is kept. */
  | 'stable-window'
  /** Inactive: the last pod goes after max(grace period, pod retention). */
  | 'scale-to-zero-grace-period'
  | 'scale-to-zero-pod-retention-period';

/** The rule that bounded the decision, with the arithmetic as text. */
export interface ScaleBound {
  rule: ScaleRule;
  detail: string;
}

/** One tick's decision. */
export interface ScaleResult {
  /** The decider's desired pod count; −1 when there is no data yet. */
  desiredPods: number;
  /** Desired scale after bounds and the scale-to-zero gate; −1 = unknown. */
  want: number;
  /** Replica count to write through /scale, or undefined to leave the Deployment alone. */
  replicas?: number;
  stableValue: number;
  panicValue: number;
  panicking: boolean;
  /** Excess burst capacity (−1 = activator always in path). */
  excessBurstCapacity: number;
  active: ActiveState;
  /** The rule that set `want` (or, with `replicas` undefined, held the Deployment where it is). */
  bound: ScaleBound;
  state: DeciderState;
}

/** Fresh autoscaler state: starts Activating, and panicking when more than one pod is ready (no dip
 * after an autoscaler restart). */
export function makeDeciderState(now: number, readyPods: number): DeciderState {
  return {
    panicTime: readyPods > 1 ? now : undefined,
    maxPanicPods: readyPods > 1 ? readyPods : 0,
    recent: [],
    active: 'Activating',
    activeSince: now,
    initialized: false,
  };
}

/** Runs one autoscaler tick for a revision. Pure: same inputs, same output. */
export function scale(stats: ScaleStats, spec: AutoscalerSpec, now: number): ScaleResult {
  const prev = stats.state ?? makeDeciderState(now, stats.readyPods);
  const state: DeciderState = { ...prev, recent: [...prev.recent] };
  const metric = spec.metric === 'rps' ? 'rps' : 'concurrency';
  const R = stats.readyPods;
  const stableValue = windowAverage(stats.samples, metric, spec.stableWindowMs, now);
  const panicValue = windowAverage(stats.samples, metric, spec.panicWindowMs, now);

  let bound: ScaleBound = { rule: 'no-data', detail: 'no samples yet' };
  const setBound = (b: ScaleBound): void => {
    bound = b;
  };
  const desiredPods =
    stats.samples.length === 0 ? -1 : decide(stats, spec, state, now, stableValue, panicValue, setBound);

  // Excess burst capacity uses the raw ready count R: floor(R·total − TBC − panicValue).
  const excessBurstCapacity =
    spec.targetBurstCapacity === -1
      ? -1
      : spec.targetBurstCapacity === 0
        ? 0
        : Math.floor(R * spec.total - spec.targetBurstCapacity - panicValue);

  const { want, apply } = gate(desiredPods, stats, spec, state, now, setBound);
  markActive(state, want, R, stats.reachable, spec, now);
  return {
    desiredPods,
    want,
    replicas: apply && want >= 0 ? want : undefined,
    stableValue,
    panicValue,
    panicking: state.panicTime !== undefined,
    excessBurstCapacity,
    active: state.active,
    bound,
    state,
  };
}

/** The decider (autoscaler.go Scale). Mutates `state` (panic bookkeeping, scale-down delay). */
function decide(
  stats: ScaleStats,
  spec: AutoscalerSpec,
  state: DeciderState,
  now: number,
  stableValue: number,
  panicValue: number,
  setBound: (b: ScaleBound) => void,
): number {
  // R' = max(1, R): rates are relative to at least one pod so that we can scale up from zero.
  const readyPods = Math.max(1, stats.readyPods);
  // maxUp = ceil(1000 · R'), maxDown = floor(R' / 2) (0 when unreachable: free to drop to zero).
  const maxScaleUp = Math.ceil(spec.maxScaleUpRate * readyPods);
  const maxScaleDown = stats.reachable ? Math.floor(readyPods / spec.maxScaleDownRate) : 0;
  // dspc = ceil(S / T), dppc = ceil(P / T): pods needed for the observed load at the target.
  const dspc = Math.ceil(stableValue / spec.target);
  const dppc = Math.ceil(panicValue / spec.target);
  let stablePods = Math.min(Math.max(dspc, maxScaleDown), maxScaleUp);
  let panicPods = Math.min(Math.max(dppc, maxScaleDown), maxScaleUp);
  const f = (x: number): string => String(Math.round(x * 100) / 100);
  setBound({ rule: 'load', detail: `ceil(stable ${f(stableValue)} / target ${f(spec.target)}) = ${dspc}` });
  if (dspc > maxScaleUp)
    setBound({
      rule: 'max-scale-up-rate',
      detail: `ceil(${spec.maxScaleUpRate} × ${readyPods} ready) = ${maxScaleUp}`,
    });
  else if (dspc < maxScaleDown)
    setBound({
      rule: 'max-scale-down-rate',
      detail: `floor(${readyPods} ready / ${spec.maxScaleDownRate}) = ${maxScaleDown}`,
    });
  // Any traffic at all brings at least activation-scale pods.
  if (spec.activationScale > 1) {
    if (dspc > 0 && spec.activationScale > stablePods) {
      stablePods = spec.activationScale;
      setBound({ rule: 'activation-scale', detail: `activation-scale ${spec.activationScale}` });
    }
    if (dppc > 0 && spec.activationScale > panicPods) panicPods = spec.activationScale;
  }

  // Panic when the panic-window load needs ≥ panicThreshold (2.0) × the ready pods.
  const overThreshold = dppc / readyPods >= spec.panicThreshold;
  if (overThreshold) {
    state.panicTime = now; // enter, or stay in panic for another stable window
  } else if (state.panicTime !== undefined && state.panicTime + spec.stableWindowMs < now) {
    state.panicTime = undefined; // a whole stable window below the threshold: leave panic
    state.maxPanicPods = 0;
  }

  let desired = stablePods;
  if (state.panicTime !== undefined) {
    // In panic we provision for the larger window and never scale down.
    const want = Math.max(stablePods, panicPods);
    state.maxPanicPods = Math.max(state.maxPanicPods, want);
    desired = state.maxPanicPods;
    if (desired > stablePods)
      setBound({
        rule: 'panic',
        detail:
          want === desired
            ? `ceil(panic ${f(panicValue)} / target ${f(spec.target)}) = ${dppc}`
            : `panicking since ${new Date(state.panicTime).toISOString()}: holding ${desired}`,
      });
  }

  // scale-down-delay: hold the maximum desired count seen over the delay window.
  if (stats.reachable && spec.scaleDownDelayMs > 0) {
    state.recent = state.recent.filter((r) => r.time > now - spec.scaleDownDelayMs);
    state.recent.push({ time: now, pods: desired });
    const held = Math.max(...state.recent.map((r) => r.pods));
    if (held > desired)
      setBound({
        rule: 'scale-down-delay',
        detail: `max over the last ${spec.scaleDownDelayMs / 1000}s = ${held}`,
      });
    desired = held;
  } else {
    state.recent = [];
  }
  return desired;
}

/** Bounds and the scale-to-zero gate (kpa/scaler.go Scale + handleScaleToZero). */
function gate(
  desired: number,
  stats: ScaleStats,
  spec: AutoscalerSpec,
  state: DeciderState,
  now: number,
  setBound: (b: ScaleBound) => void,
): { want: number; apply: boolean } {
  if (desired < 0 && state.active !== 'Activating') return { want: -1, apply: false };

  // min-scale is ignored for unreachable revisions; before the first time the pods were all up,
  // initial-scale (> 1) is a floor too.
  let min = stats.reachable ? spec.minScale : 0;
  let minRule: ScaleRule = 'min-scale';
  if (spec.initialScale > 1 && !state.initialized && stats.reachable && spec.initialScale > min) {
    min = spec.initialScale;
    minRule = 'initial-scale';
  }
  let want = desired;
  if (want < min) {
    want = min;
    setBound({ rule: minRule, detail: `${minRule} ${min}` });
  }
  if (spec.maxScale !== 0 && want > spec.maxScale) {
    want = spec.maxScale;
    setBound({ rule: 'max-scale', detail: `max-scale ${spec.maxScale}` });
  }

  if (want !== 0) return { want, apply: want >= 0 };
  if (!spec.enableScaleToZero) {
    setBound({ rule: 'scale-to-zero-disabled', detail: 'enable-scale-to-zero is false' });
    return { want: 1, apply: true };
  }
  const secs = (ms: number): string => `${Math.round(ms / 100) / 10}s`;
  switch (state.active) {
    case 'Activating':
      // Give up on activation only after the progress deadline (+30 s).
      if (now - state.activeSince >= spec.activationTimeoutMs) return { want: 0, apply: true };
      setBound({
        rule: 'activation-timeout',
        detail: `activating for ${secs(now - state.activeSince)} of ${secs(spec.activationTimeoutMs)}`,
      });
      return { want: -1, apply: false };
    case 'Active':
      // Only a revision that has been active for a whole stable window goes Inactive; until then keep one pod.
      if (now - state.activeSince >= spec.stableWindowMs) return { want: 0, apply: false };
      setBound({
        rule: 'stable-window',
        detail: `active for ${secs(now - state.activeSince)} of the ${secs(spec.stableWindowMs)} stable window: keeping 1`,
      });
      return { want: 1, apply: true };
    case 'Inactive': {
      // The gateway is the activator, so it is always in the path: remove the last pod once inactive
      // for max(grace period, pod retention) (retention only counts for reachable revisions).
      const retention = stats.reachable ? spec.scaleToZeroPodRetentionMs : 0;
      const inactiveFor = now - state.activeSince;
      const wait = Math.max(spec.scaleToZeroGracePeriodMs, retention);
      if (inactiveFor < wait)
        setBound({
          rule:
            retention > spec.scaleToZeroGracePeriodMs
              ? 'scale-to-zero-pod-retention-period'
              : 'scale-to-zero-grace-period',
          detail: `inactive for ${secs(inactiveFor)} of ${secs(wait)}`,
        });
      return { want: 0, apply: inactiveFor >= wait };
    }
  }
}

/** PA Active condition (kpa.go computeActiveCondition) and ScaleTargetInitialized. */
function markActive(
  state: DeciderState,
  want: number,
  ready: number,
  reachable: boolean,
  spec: AutoscalerSpec,
  now: number,
): void {
  const min = reachable ? spec.minScale : 0;
  const minReady = state.initialized ? Math.max(1, min) : Math.max(min, spec.initialScale);
  let next = state.active;
  if (want === 0 || minReady === 0) next = 'Inactive';
  else if (ready < minReady) {
    if (want > 0 || state.active !== 'Inactive') next = 'Activating';
  } else if (want > 0 || state.active !== 'Inactive') next = 'Active';
  if (next !== state.active) {
    state.active = next;
    state.activeSince = now;
  }
  if (ready >= minReady) state.initialized = true;
}
