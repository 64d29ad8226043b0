/**
 * Data-plane metrics: Prometheus series on a private prom-client Registry (names are a contract:
 * `knlite traffic` reads them), and per-revision concurrency/RPS accounting that feeds the
 * autoscaler one sample per second (Knative's queue-proxy + activator stats).
 */
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { Sample } from './autoscaler/window.js';

/** Latency buckets fine enough to read a p99 from. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Labels identifying a revision in metrics. */
export interface RevisionLabels {
  namespace: string;
  service: string;
  revision: string;
}

/** One frozen instance, as the frozen-instance gauges count it. */
export interface FrozenInstanceSample {
  namespace: string;
  revision?: string;
  rssBytes: number;
}

/** Requests answered per status code, and their durations, for one set of revision labels. */
interface Answered {
  labels: RevisionLabels;
  codes: Map<number, number>;
  /** Observations per DURATION_BUCKETS bound (not cumulative; above the last bound: only `count`). */
  buckets: number[];
  sum: number;
  count: number;
}

function observeDuration(a: Answered, seconds: number): void {
  const i = DURATION_BUCKETS.findIndex((le) => seconds <= le);
  if (i >= 0) a.buckets[i]++;
  a.sum += seconds;
  a.count++;
}

interface ExportedSample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
  sharedLabels?: RevisionLabels;
}

interface Exported {
  name: string;
  help: string;
  type: string;
  values: ExportedSample[];
  aggregator: string;
}

/**
 * `knlite_request_duration_seconds` as prom-client would export a Histogram with these labels and
 * buckets, from counts kept in plain arrays: prom-client's Histogram validates and hashes the label
 * set on every observation, once per proxied request.
 */
class DurationHistogram {
  readonly name = 'knlite_request_duration_seconds';
  readonly help = 'Time from request arrival at the gateway to the end of the response.';
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    registry: Registry,
    private readonly series: () => Answered[],
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The exposition's samples, in prom-client's shape (`le` first, then the revision labels). */
  async getForPromString(): Promise<Exported> {
    const values: ExportedSample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const a of this.series()) {
      let acc = 0;
      const shared = a.labels;
      DURATION_BUCKETS.forEach((le, i) => {
        acc += a.buckets[i];
        values.push({ metricName: bucket, labels: { le }, value: acc, sharedLabels: shared });
      });
      values.push({ metricName: bucket, labels: { le: '+Inf' }, value: a.count, sharedLabels: shared });
      values.push({ metricName: `${this.name}_sum`, labels: {}, value: a.sum, sharedLabels: shared });
      values.push({ metricName: `${this.name}_count`, labels: {}, value: a.count, sharedLabels: shared });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** For prom-client's JSON export: the labels merged. */
  async get(): Promise<Exported> {
    const data = await this.getForPromString();
    data.values = data.values.map(({ sharedLabels, ...v }) => ({
      ...v,
      labels: { ...v.labels, ...sharedLabels },
    }));
    return data;
  }

  reset(): void {}
}

/** Time-weighted in-flight count and arrivals of one revision since the last sample. */
class ConcurrencyMeter {
  inflight = 0;
  private area = 0;
  private since: number;
  private changed: number;
  private arrivals = 0;

  constructor(now: number) {
    this.since = now;
    this.changed = now;
  }

  private advance(now: number): void {
    this.area += this.inflight * Math.max(0, now - this.changed);
    this.changed = now;
  }

  begin(now: number): void {
    this.advance(now);
    this.inflight++;
    this.arrivals++;
  }

  end(now: number): void {
    this.advance(now);
    this.inflight = Math.max(0, this.inflight - 1);
  }

  /** Average concurrency and request rate since the previous call, then starts a new interval. */
  sample(now: number): Sample {
    this.advance(now);
    const elapsed = now - this.since;
    // An interval too short to average over reports the instantaneous value.
    const concurrency = elapsed > 0 ? this.area / elapsed : this.inflight;
    const rps = elapsed > 0 ? (this.arrivals * 1000) / elapsed : this.arrivals;
    this.area = 0;
    this.arrivals = 0;
    this.since = now;
    return { time: now, concurrency, rps };
  }
}

/** All data-plane metrics of one gateway. */
export class DataPlaneMetrics {
  /** Private registry: the gateway never touches prom-client's global one. */
  readonly registry = new Registry();
  /** Per revision: its labels and requests answered per status code, handed to prom-client at scrape
   * time (a plain increment per request instead of prom-client's label hashing). */
  private readonly answered = new Map<string, Answered>();
  /** Every series ever started, in order (one whose labels changed stays exported, as in prom-client). */
  private readonly allSeries: Answered[] = [];
  private readonly requests = new Counter({
    name: 'knlite_requests_total',
    help: 'Requests answered by the knlite gateway, by revision and status code.',
    labelNames: ['namespace', 'service', 'revision', 'code'] as const,
    registers: [this.registry],
    collect: () => {
      this.requests.reset();
      for (const { labels, codes } of this.allSeries)
        for (const [code, n] of codes) this.requests.inc({ ...labels, code: String(code) }, n);
    },
  });
  private readonly duration = new DurationHistogram(this.registry, () => this.allSeries);
  private readonly inflightGauge = new Gauge({
    name: 'knlite_inflight_requests',
    help: 'Requests in flight (buffered, queued or proxied) per revision.',
    labelNames: ['namespace', 'revision'] as const,
    registers: [this.registry],
    // Read from the meters at scrape time rather than set twice per request.
    collect: () => {
      for (const [key, m] of this.meters) {
        const labels = this.answered.get(key)?.labels;
        if (labels)
          this.inflightGauge.set({ namespace: labels.namespace, revision: labels.revision }, m.inflight);
      }
    },
  });
  private readonly desiredGauge = new Gauge({
    name: 'knlite_desired_pods',
    help: 'Replicas the autoscaler wants for the revision.',
    labelNames: ['namespace', 'revision'] as const,
    registers: [this.registry],
  });
  private readonly actualGauge = new Gauge({
    name: 'knlite_actual_pods',
    help: 'Ready instances of the revision.',
    labelNames: ['namespace', 'revision'] as const,
    registers: [this.registry],
  });
  private readonly meters = new Map<string, ConcurrencyMeter>();
  private frozenSource: () => FrozenInstanceSample[] = () => [];

  constructor(private readonly now: () => number = Date.now) {
    const source = (): FrozenInstanceSample[] => this.frozenSource();
    new Gauge({
      name: 'knlite_frozen_instances',
      help: 'Instances kept frozen (SIGSTOP) after scale to zero, per revision; the next request thaws one.',
      labelNames: ['namespace', 'revision'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const f of source()) this.inc({ namespace: f.namespace, revision: f.revision ?? '' });
      },
    });
    new Gauge({
      name: 'knlite_frozen_memory_bytes',
      help: 'Resident memory held by frozen instances, per revision.',
      labelNames: ['namespace', 'revision'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const f of source())
          this.inc({ namespace: f.namespace, revision: f.revision ?? '' }, f.rssBytes);
      },
    });
  }

  /** Where the frozen-instance gauges read from at scrape time (the local runtime, when in-process). */
  setFrozenSource(source: () => FrozenInstanceSample[]): void {
    this.frozenSource = source;
  }

  private meter(key: string): ConcurrencyMeter {
    let m = this.meters.get(key);
    if (!m) {
      m = new ConcurrencyMeter(this.now());
      this.meters.set(key, m);
    }
    return m;
  }

  /** A request for the revision arrived; returns the function to call when it is finished. */
  begin(key: string, labels: RevisionLabels): (code: number) => void {
    const started = this.now();
    const meter = this.meter(key);
    meter.begin(started);
    let series = this.answered.get(key);
    if (!series || !sameLabels(series.labels, labels)) {
      // First request, or the service label became known: a new series.
      series = { labels, codes: new Map(), buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.answered.set(key, series);
      this.allSeries.push(series);
    }
    const answered = series;
    const { codes } = series;
    let done = false;
    return (code: number) => {
      if (done) return;
      done = true;
      const ended = this.now();
      meter.end(ended);
      codes.set(code, (codes.get(code) ?? 0) + 1);
      observeDuration(answered, (ended - started) / 1000);
    };
  }

  /** Requests in flight for the revision right now. */
  inflight(key: string): number {
    return this.meters.get(key)?.inflight ?? 0;
  }

  /** The per-second sample for the autoscaler (a revision never seen reports zero). */
  sample(key: string): Sample {
    return this.meter(key).sample(this.now());
  }

  /** Forgets a deleted revision's meter. */
  forget(key: string): void {
    this.meters.delete(key);
  }

  /** Records the autoscaler's view of a revision. */
  setPods(namespace: string, revision: string, desired: number | undefined, actual: number): void {
    if (desired !== undefined && desired >= 0) this.desiredGauge.set({ namespace, revision }, desired);
    this.actualGauge.set({ namespace, revision }, actual);
  }

  /** Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Content-Type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }
}

function sameLabels(a: RevisionLabels, b: RevisionLabels): boolean {
  return a.namespace === b.namespace && a.service === b.service && a.revision === b.revision;
}
