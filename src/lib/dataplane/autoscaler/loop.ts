/**
 * The autoscaler's clock and hands: once a second it takes each revision's concurrency/RPS sample
 * from the gateway's metrics, every 2 s (and at once on an activator poke) it runs `scale()` or
 * `hpaScale()` and writes the result to the revision's Deployment (apis/names.ts) through the
 * /scale subresource. The local runtime follows the Deployment.
 */
import type { AutoscalerConfig } from '../../apis/config/autoscaler.js';
import type { DataPlaneMetrics } from '../metrics.js';
import type { GatewayState, RevisionTarget } from '../state.js';
import { hpaScale } from './hpa.js';
import { scale, type DeciderState, type ScaleResult } from './scale.js';
import { makeAutoscalerSpec, type AutoscalerSpec } from './spec.js';
import type { Sample } from './window.js';

/** Knative's scrape interval. */
export const SAMPLE_INTERVAL_MS = 1000;
/** Knative's decider tick. */
export const TICK_INTERVAL_MS = 2000;

/** Reads and writes a revision's replica count. */
export interface ScaleTarget {
  /** Deployment spec.replicas, or undefined if the Deployment does not exist (yet). */
  replicas(namespace: string, revision: string): number | undefined;
  /** Writes spec.replicas through /scale. */
  setReplicas(namespace: string, revision: string, replicas: number): Promise<void>;
  /** Average CPU of the revision's ready pods as a percent of requested CPU (HPA class). */
  cpuUtilization?(namespace: string, revision: string): number | undefined;
}

interface RevisionScaler {
  samples: Sample[];
  state?: DeciderState;
  hpaRecent?: { time: number; pods: number }[];
  last?: ScaleResult;
  ticking: boolean;
  /** A poke arrived during a tick: tick again right after. */
  again: boolean;
  lastPoke?: number;
  /** The spec last built for this revision, and the inputs (by identity) it was built from. */
  spec?: { annotations: object; cc: number | undefined; config: object; value: AutoscalerSpec };
}

/** Dependencies of the loop. */
export interface AutoscalerDeps {
  state: GatewayState;
  metrics: DataPlaneMetrics;
  target: ScaleTarget;
  /** The `config-autoscaler` in force (the last good one). */
  config(): AutoscalerConfig;
  /** Called with every KPA decision (the publisher writes the news to the API). */
  onDecision?(
    rev: RevisionTarget,
    spec: AutoscalerSpec,
    result: ScaleResult,
    readyPods: number,
    now: number,
  ): void;
  log?(msg: string): void;
  now?(): number;
}

/** Per-revision autoscaling loop. */
export class Autoscaler {
  private readonly scalers = new Map<string, RevisionScaler>();
  private timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;
  private readonly log: (msg: string) => void;

  constructor(private readonly deps: AutoscalerDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? ((m) => process.stderr.write(`knlite autoscaler: ${m}\n`));
  }

  /** Starts sampling (1 s) and ticking (2 s). */
  start(): void {
    this.timers.push(setInterval(() => this.sampleAll(), SAMPLE_INTERVAL_MS));
    this.timers.push(setInterval(() => void this.tickAll(), TICK_INTERVAL_MS));
    for (const t of this.timers) t.unref();
  }

  /** Stops the timers. */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** The last decision for a revision (for status and tests). */
  lastResult(key: string): ScaleResult | undefined {
    return this.scalers.get(key)?.last;
  }

  /** Forgets a deleted revision. */
  forget(key: string): void {
    this.scalers.delete(key);
    this.deps.metrics.forget(key);
  }

  /**
   * A request is waiting for a revision with no ready instance: record it as load right away (the
   * activator's immediate `concurrency=1` stat) and tick now, so a revision at zero gets a pod.
   */
  poke(key: string): void {
    const s = this.scaler(key);
    const now = this.now();
    // One stat per second at most: a burst of buffered requests is one signal, not many.
    if (s.lastPoke === undefined || now - s.lastPoke >= SAMPLE_INTERVAL_MS) {
      s.lastPoke = now;
      s.samples.push({ time: now, concurrency: Math.max(1, this.deps.metrics.inflight(key)), rps: 1 });
    }
    void this.tick(key);
  }

  private scaler(key: string): RevisionScaler {
    let s = this.scalers.get(key);
    if (!s) {
      s = { samples: [], ticking: false, again: false };
      this.scalers.set(key, s);
    }
    return s;
  }

  /**
   * The revision's autoscaler spec, rebuilt only when its annotations, containerConcurrency or
   * config-autoscaler changed (the informers replace those objects on every update), so sampling
   * 1,000 idle revisions each second does not re-parse 1,000 specs.
   */
  private specOf(rev: RevisionTarget, s: RevisionScaler): AutoscalerSpec {
    const config = this.deps.config();
    const c = s.spec;
    if (c && c.annotations === rev.annotations && c.cc === rev.containerConcurrency && c.config === config) {
      return c.value;
    }
    const value = makeAutoscalerSpec(rev.annotations, rev.containerConcurrency, config);
    s.spec = { annotations: rev.annotations, cc: rev.containerConcurrency, config, value };
    return value;
  }

  private sampleAll(): void {
    const now = this.now();
    for (const rev of this.deps.state.listRevisions()) {
      const key = `${rev.namespace}/${rev.name}`;
      const s = this.scaler(key);
      s.samples.push(this.deps.metrics.sample(key));
      // Keep one stable window (the longest Knative allows is 1 h; windows are per revision).
      const spec = this.specOf(rev, s);
      const oldest = now - spec.stableWindowMs;
      while (s.samples.length > 0 && s.samples[0].time <= oldest) s.samples.shift();
    }
  }

  private async tickAll(): Promise<void> {
    await Promise.all(
      this.deps.state.listRevisions().map((rev) => this.tick(`${rev.namespace}/${rev.name}`)),
    );
  }

  /** Runs one decision for a revision and writes the replica count if it changed. */
  async tick(key: string): Promise<void> {
    const rev = this.deps.state.getRevision(key);
    const s = this.scaler(key);
    if (!rev) return;
    if (s.ticking) {
      s.again = true;
      return;
    }
    s.ticking = true;
    try {
      do {
        s.again = false;
        await this.decide(key, rev, s);
      } while (s.again);
    } catch (err) {
      // Not swallowed: reported, and the next tick retries because the Deployment still differs.
      this.log(`scaling ${key} failed: ${(err as Error).message}`);
    } finally {
      s.ticking = false;
    }
  }

  private async decide(key: string, rev: RevisionTarget, s: RevisionScaler): Promise<void> {
    const now = this.now();
    const spec = this.specOf(rev, s);
    const ready = this.deps.state.readyInstances(key).length;
    const current = this.deps.target.replicas(rev.namespace, rev.name);
    let replicas: number | undefined;
    let decided: (() => void) | undefined;
    if (spec.class === 'hpa') {
      if (current === undefined) return;
      const result = hpaScale(
        {
          currentReplicas: current,
          utilization: this.deps.target.cpuUtilization?.(rev.namespace, rev.name),
          recent: s.hpaRecent,
        },
        spec,
        now,
      );
      s.hpaRecent = result.recent;
      replicas = result.replicas;
      this.deps.metrics.setPods(rev.namespace, rev.name, replicas, ready);
    } else {
      const result = scale(
        { readyPods: ready, samples: s.samples, reachable: this.deps.state.isReachable(key), state: s.state },
        spec,
        now,
      );
      s.state = result.state;
      s.last = result;
      replicas = result.replicas;
      decided = () => this.deps.onDecision?.(rev, spec, result, ready, now);
      this.deps.metrics.setPods(rev.namespace, rev.name, result.want >= 0 ? result.want : current, ready);
    }
    const write =
      replicas !== undefined && current !== undefined && replicas !== current
        ? this.deps.target.setReplicas(rev.namespace, rev.name, replicas)
        : undefined;
    // The decision is published after the /scale write is on its way: a scale from zero (a request
    // is waiting) must not queue behind the decision's own write at the API server.
    decided?.();
    await write;
  }
}
