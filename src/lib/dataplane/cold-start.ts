/**
 * Cold starts measured per stage. A cold start begins when a request is buffered for a revision
 * with no ready instance (`queued`), and passes through the autoscaler's decision to scale from
 * zero (`scale_decided`, the /scale write), the first Endpoints address of a process (ready or not:
 * `process_spawned`), its first ready address (`ready`) and the first byte of the answer to that
 * first request (`first_byte`). Each stage is observed as seconds since `queued` in the histogram
 * `knlite_cold_start_seconds{namespace,revision,stage}`; the last cold start and the p50/p99 of
 * recent first bytes go into the autoscaler's published decision (so `revision describe` shows them).
 */
import { Histogram, type Registry } from 'prom-client';

/** Stages in the order a cold start passes them. */
export const COLD_START_STAGES = [
  'queued',
  'scale_decided',
  'process_spawned',
  'ready',
  'first_byte',
] as const;
export type ColdStartStage = (typeof COLD_START_STAGES)[number];

/** One finished cold start: seconds since `queued` per stage reached. */
export interface ColdStartRecord {
  at: string;
  stages: Partial<Record<ColdStartStage, number>>;
}

/** What the decision document carries about a revision's cold starts. */
export interface ColdStartSummary {
  count: number;
  last: ColdStartRecord;
  /** First-byte latency quantiles (seconds) over the recent cold starts. */
  p50: number;
  p99: number;
}

const BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** First bytes remembered per revision for the quantiles. */
const RECENT = 100;

interface Pending {
  queued: number;
  times: Partial<Record<ColdStartStage, number>>;
}

interface History {
  count: number;
  last?: ColdStartRecord;
  firstBytes: number[];
}

/** Tracks cold starts per revision key (`namespace/revision`). */
export class ColdStarts {
  private readonly pending = new Map<string, Pending>();
  private readonly history = new Map<string, History>();
  private readonly histogram: Histogram<'namespace' | 'revision' | 'stage'>;

  constructor(
    registry: Registry,
    private readonly now: () => number = Date.now,
  ) {
    this.histogram = new Histogram({
      name: 'knlite_cold_start_seconds',
      help: 'Cold starts per stage: seconds from the first buffered request (queued) to each stage.',
      labelNames: ['namespace', 'revision', 'stage'] as const,
      buckets: BUCKETS,
      registers: [registry],
    });
  }

  /** A request was buffered with no ready instance: starts a cold start unless one is running. */
  queued(key: string): void {
    if (!this.pending.has(key)) this.pending.set(key, { queued: this.now(), times: {} });
  }

  /** Marks a stage of the running cold start (the first time only; ignored when none runs). */
  mark(key: string, stage: Exclude<ColdStartStage, 'queued' | 'first_byte'>): void {
    const p = this.pending.get(key);
    if (p && p.times[stage] === undefined) p.times[stage] = this.now();
  }

  /** The first request of the cold start got its first byte at `at`: records and ends it. */
  firstByte(key: string, at: number = this.now()): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    p.times.first_byte = at;
    const slash = key.indexOf('/');
    const labels = { namespace: key.slice(0, slash), revision: key.slice(slash + 1) };
    const stages: ColdStartRecord['stages'] = { queued: 0 };
    this.histogram.observe({ ...labels, stage: 'queued' }, 0);
    for (const stage of COLD_START_STAGES.slice(1)) {
      const t = p.times[stage];
      if (t === undefined) continue;
      const seconds = Math.max(0, (t - p.queued) / 1000);
      stages[stage] = Math.round(seconds * 1000) / 1000;
      this.histogram.observe({ ...labels, stage }, seconds);
    }
    const h = this.history.get(key) ?? { count: 0, firstBytes: [] };
    h.count++;
    h.last = { at: new Date(p.queued).toISOString(), stages };
    h.firstBytes.push(stages.first_byte ?? 0);
    if (h.firstBytes.length > RECENT) h.firstBytes.shift();
    this.history.set(key, h);
  }

  /** A cold start that never got an answer (client gone, timeout) is dropped. */
  abandon(key: string): void {
    this.pending.delete(key);
  }

  /** The revision's cold starts so far (undefined when none finished). */
  summary(key: string): ColdStartSummary | undefined {
    const h = this.history.get(key);
    if (!h?.last) return undefined;
    const sorted = [...h.firstBytes].sort((a, b) => a - b);
    const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
    return { count: h.count, last: h.last, p50: q(0.5), p99: q(0.99) };
  }

  /** Forgets a deleted revision. */
  forget(key: string): void {
    this.pending.delete(key);
    this.history.delete(key);
  }
}
