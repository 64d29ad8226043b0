/**
 * Data-plane metrics: Prometheus series on a private prom-client Registry (names are a contract:
 * `knlite traffic` reads them), and per-revision concurrency/RPS accounting that feeds the
 * autoscaler one sample per second (Knative's queue-proxy + activator stats).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Sample } from './autoscaler/window.js';

/** Latency buckets fine enough to read a p99 from. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Labels identifying a revision in metrics. */
export interface RevisionLabels {
  namespace: string;
  service: string;
  revision: string;
}

/** Requests answered per status code for one set of revision labels. */
interface Answered {
  labels: RevisionLabels;
  codes: Map<number, number>;
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
  /** Series whose labels changed (the service label became known); their counts stay exported. */
  private readonly retired: Answered[] = [];
  private readonly requests = new Counter({
    name: 'knlite_requests_total',
    help: 'Requests answered by the knlite gateway, by revision and status code.',
    labelNames: ['namespace', 'service', 'revision', 'code'] as const,
    registers: [this.registry],
    collect: () => {
      this.requests.reset();
      for (const { labels, codes } of [...this.retired, ...this.answered.values()])
        for (const [code, n] of codes) this.requests.inc({ ...labels, code: String(code) }, n);
    },
  });
  private readonly duration = new Histogram({
    name: 'knlite_request_duration_seconds',
    help: 'Time from request arrival at the gateway to the end of the response.',
    labelNames: ['namespace', 'service', 'revision'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
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

  constructor(private readonly now: () => number = Date.now) {}

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
      if (series) this.retired.push(series);
      series = { labels, codes: new Map() };
      this.answered.set(key, series);
    }
    const { codes } = series;
    let done = false;
    return (code: number) => {
      if (done) return;
      done = true;
      const ended = this.now();
      meter.end(ended);
      codes.set(code, (codes.get(code) ?? 0) + 1);
      this.duration.observe(labels, (ended - started) / 1000);
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
