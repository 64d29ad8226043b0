/**
 * Rollout figures from the knlite gateway's Prometheus metrics. The gateway publishes
 * `knlite_requests_total{namespace,service,revision,code}` and
 * `knlite_request_duration_seconds_bucket{namespace,service,revision,le}`; two scrapes of that text
 * give, per revision, requests per second, the 5xx error rate and the p99 latency over the time
 * between them (like Prometheus' `rate()` and `histogram_quantile()`). Parsing and arithmetic are
 * pure; `fetchMetricsText` is the only I/O.
 */
import { KnliteConfig } from '../apis/keys.js';
import { request } from 'node:http';
import { SYSTEM_NAMESPACE } from '../apis/keys.js';

/** Where the local cluster publishes its gateway endpoints (namespace knative-serving; same name as local/seed.ts). */
export const KNLITE_CONFIG_MAP = KnliteConfig.name;
/** Key of the metrics URL in config-knlite. */
export const METRICS_URL_KEY = KnliteConfig.metricsUrl;

const REQUESTS_TOTAL = 'knlite_requests_total';
const DURATION_BUCKET = 'knlite_request_duration_seconds_bucket';

/** One sample of the text exposition format. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition format (comments skipped, label values unescaped). */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    for (const l of (m[3] ?? '').matchAll(labelRe)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: m[1]!, labels, value: parseValue(m[4]!) });
  }
  return samples;
}

function parseValue(v: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

/** One histogram bucket: cumulative count of observations ≤ `le` seconds. */
export interface Bucket {
  le: number;
  count: number;
}

/** The counters of one service's revisions (or a namespace's) at one moment. */
export interface Scrape {
  /** When the scrape was taken (ms since epoch). */
  at: number;
  /** revision → status code → cumulative requests. */
  requests: Map<string, Map<string, number>>;
  /** revision → cumulative latency buckets, sorted by `le`. */
  buckets: Map<string, Bucket[]>;
  /** revision → the service its samples name. */
  services: Map<string, string>;
  /** revision → every other sample's value by metric name (gauges such as in-flight requests). */
  gauges: Map<string, Map<string, number>>;
}

/**
 * Picks the request counters, latency buckets and gauges of one service's revisions out of a
 * scrape's samples — of every service in the namespace when `service` is undefined.
 */
export function makeScrape(
  samples: MetricSample[],
  namespace: string,
  service: string | undefined,
  at: number,
): Scrape {
  const scrape: Scrape = {
    at,
    requests: new Map(),
    buckets: new Map(),
    services: new Map(),
    gauges: new Map(),
  };
  for (const s of samples) {
    const rev = s.labels.revision;
    if (s.labels.namespace !== namespace || !rev) continue;
    if (service !== undefined && s.labels.service !== service) continue;
    if (s.labels.service) scrape.services.set(rev, s.labels.service);
    if (s.name === REQUESTS_TOTAL) {
      const codes = scrape.requests.get(rev) ?? new Map<string, number>();
      const code = s.labels.code ?? '';
      codes.set(code, (codes.get(code) ?? 0) + s.value);
      scrape.requests.set(rev, codes);
    } else if (s.name === DURATION_BUCKET && s.labels.le !== undefined) {
      const list = scrape.buckets.get(rev) ?? [];
      const le = parseValue(s.labels.le);
      const same = list.find((b) => b.le === le);
      if (same) same.count += s.value;
      else list.push({ le, count: s.value });
      scrape.buckets.set(rev, list);
    } else {
      const gauges = scrape.gauges.get(rev) ?? new Map<string, number>();
      gauges.set(s.name, s.value);
      scrape.gauges.set(rev, gauges);
    }
  }
  for (const list of scrape.buckets.values()) list.sort((a, b) => a.le - b.le);
  return scrape;
}

/** What one revision did between two scrapes. */
export interface RevisionWindow {
  /** Requests counted in the window. */
  requests: number;
  /** Of those, answered 4xx and 5xx. */
  status4xx: number;
  status5xx: number;
  /** The latency histogram of the window alone. */
  buckets: Bucket[];
}

/** A revision's requests and latency histogram between two scrapes (counters that restarted count from 0). */
export function revisionWindow(before: Scrape, after: Scrape, revision: string): RevisionWindow {
  const out: RevisionWindow = { requests: 0, status4xx: 0, status5xx: 0, buckets: [] };
  for (const [code, count] of after.requests.get(revision) ?? []) {
    const inc = increase(before.requests.get(revision)?.get(code), count);
    out.requests += inc;
    if (code.startsWith('4')) out.status4xx += inc;
    if (code.startsWith('5')) out.status5xx += inc;
  }
  const prev = before.buckets.get(revision) ?? [];
  out.buckets = (after.buckets.get(revision) ?? []).map((b) => ({
    le: b.le,
    count: increase(prev.find((p) => p.le === b.le)?.count, b.count),
  }));
  return out;
}

/** Increase of a counter between two readings; a drop means the counter restarted (as `rate()`). */
export function increase(before: number | undefined, after: number): number {
  const b = before ?? 0;
  return after >= b ? after - b : after;
}

/**
 * The q-quantile of a cumulative histogram, like Prometheus' `histogram_quantile`: find the bucket
 * holding rank q·total and interpolate linearly inside it. E.g. buckets ≤0.1:50, ≤0.5:100, +Inf:100
 * and q=0.99 → rank 99 lies in (0.1, 0.5] at (99−50)/50 of the way → 0.1 + 0.4·0.98 = 0.492 s.
 * A rank in the +Inf bucket answers the highest finite bound. Undefined when there are no observations.
 */
export function histogramQuantile(q: number, buckets: Bucket[]): number | undefined {
  if (buckets.length === 0) return undefined;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted[sorted.length - 1]!.count;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  const i = sorted.findIndex((b) => b.count >= rank);
  const bucket = sorted[i]!;
  if (bucket.le === Infinity) return i > 0 ? sorted[i - 1]!.le : undefined;
  const lower = i > 0 ? sorted[i - 1]!.le : 0;
  const countBelow = i > 0 ? sorted[i - 1]!.count : 0;
  const inBucket = bucket.count - countBelow;
  if (inBucket <= 0) return bucket.le;
  return lower + (bucket.le - lower) * ((rank - countBelow) / inBucket);
}

/** A revision's figures over one observation window. */
export interface RevisionFigures {
  revision: string;
  /** Requests counted in the window. */
  requests: number;
  /** Requests per second. */
  rps: number;
  /** 5xx responses / all responses; undefined without requests. */
  errorRate?: number;
  /** 99th percentile latency in milliseconds; undefined without requests. */
  p99Ms?: number;
}

/** Per-revision figures between two scrapes of the same service (revisions seen in either). */
export function computeFigures(before: Scrape, after: Scrape): Map<string, RevisionFigures> {
  const seconds = Math.max((after.at - before.at) / 1000, 1e-3);
  const out = new Map<string, RevisionFigures>();
  const revisions = new Set([...after.requests.keys(), ...after.buckets.keys()]);
  for (const revision of [...revisions].sort()) {
    const { requests, status5xx, buckets } = revisionWindow(before, after, revision);
    const p99 = histogramQuantile(0.99, buckets);
    out.set(revision, {
      revision,
      requests,
      rps: requests / seconds,
      errorRate: requests > 0 ? status5xx / requests : undefined,
      p99Ms: requests > 0 && p99 !== undefined ? p99 * 1000 : undefined,
    });
  }
  return out;
}

/** GETs a metrics URL and returns its text (plain http, as the local gateway serves it). */
export function fetchMetricsText(url: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 400)
          reject(new Error(`metrics endpoint ${url} answered ${res.statusCode}`));
        else resolve(body);
      });
      res.on('error', reject);
    });
    req.on('timeout', () =>
      req.destroy(new Error(`metrics endpoint ${url} did not answer within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** Takes scrapes of one service's figures from a metrics endpoint. */
export interface MetricsSource {
  /** The endpoint (for messages). */
  url: string;
  scrape(): Promise<Scrape>;
}

/** A MetricsSource reading the gateway's metrics URL for one service. */
export function makeMetricsSource(url: string, namespace: string, service: string): MetricsSource {
  return {
    url,
    async scrape() {
      const text = await fetchMetricsText(url);
      return makeScrape(parsePrometheusText(text), namespace, service, Date.now());
    },
  };
}

/** The subset of the ServingClient used to find the metrics URL. */
export interface ConfigMapReader {
  findConfigMap(namespace: string, name: string): Promise<{ data?: Record<string, string> } | undefined>;
}

/**
 * The gateway metrics URL published in knative-serving/config-knlite, or undefined when there is
 * none (a cluster without the knlite gateway: checks are readiness-only).
 */
export async function findMetricsUrl(
  client: ConfigMapReader,
  systemNamespace = SYSTEM_NAMESPACE,
): Promise<string | undefined> {
  const cm = await client.findConfigMap(systemNamespace, KNLITE_CONFIG_MAP);
  const url = cm?.data?.[METRICS_URL_KEY]?.trim();
  return url ? url : undefined;
}
