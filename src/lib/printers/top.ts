/**
 * `knlite service top`: the snapshot of one interval (per revision: traffic, latency, in-flight
 * requests, pods, CPU and memory, cold starts, and the recent history of req/s and p99) as data,
 * and its text layout — a table plus one line of sparklines (and cold starts) per revision.
 */
import { renderTable, type Column } from './table.js';

/** One revision's figures over the last interval. */
export interface TopRevision {
  namespace: string;
  service: string;
  revision: string;
  /** Requests the gateway answered for the revision since it started (the counter). */
  requestsTotal: number;
  /** Requests answered in the interval, and per second. */
  requests: number;
  rps: number;
  /** Share of the interval's answers that were not 5xx; null without requests. */
  successRate: number | null;
  status4xx: number;
  status5xx: number;
  /** Latency quantiles of the interval (ms); null without requests. */
  latencyMs: { p50: number | null; p90: number | null; p95: number | null; p99: number | null };
  /** Requests in flight now (buffered, queued or proxied). */
  inflight: number;
  /** Pods the autoscaler wants and ready pods; null when unknown. */
  pods: { desired: number | null; actual: number | null };
  /** Usage summed over the revision's pods (metrics.k8s.io); null where the cluster serves none. */
  cpuMillicores: number | null;
  memoryBytes: number | null;
  /** The revision's cold starts, as the autoscaler publishes them (ms). */
  coldStarts?: { count: number; p50Ms: number; p99Ms: number; lastFirstByteMs?: number };
  /** The last intervals' req/s and p99 (ms; null without requests), oldest first. */
  history: { rps: number[]; p99Ms: (number | null)[] };
}

/** What one interval shows. */
export interface TopSnapshot {
  time: string;
  namespace: string;
  /** The service asked for; absent for all services of the namespace. */
  service?: string;
  intervalSeconds: number;
  metricsUrl: string;
  revisions: TopRevision[];
}

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline of the values (scaled to their maximum; a gap for null). */
export function sparkline(values: (number | null)[]): string {
  const max = Math.max(0, ...values.filter((v): v is number => v !== null));
  return values
    .map((v) => {
      if (v === null) return ' ';
      if (max <= 0) return BARS[0];
      return BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))];
    })
    .join('');
}

const dash = '-';
/** Milliseconds as `850µs`, `12ms`, `1.4s`. */
function ms(v: number | null | undefined): string {
  if (v === null || v === undefined) return dash;
  if (v < 1) return `${Math.round(v * 1000)}µs`;
  if (v < 1000) return `${Math.round(v)}ms`;
  return `${(v / 1000).toFixed(1)}s`;
}

function rate(v: number): string {
  return v >= 100 ? String(Math.round(v)) : v.toFixed(1);
}

function bytes(v: number | null): string {
  if (v === null) return dash;
  const mi = v / (1024 * 1024);
  return mi >= 1024 ? `${(mi / 1024).toFixed(1)}Gi` : `${mi.toFixed(mi >= 100 ? 0 : 1)}Mi`;
}

function pods(p: TopRevision['pods']): string {
  return `${p.actual ?? dash}/${p.desired ?? dash}`;
}

function columns(withService: boolean): Column<TopRevision>[] {
  return [
    ...(withService ? [{ header: 'SERVICE', value: (r: TopRevision) => r.service }] : []),
    { header: 'REVISION', value: (r) => r.revision },
    { header: 'REQ/S', value: (r) => rate(r.rps) },
    {
      header: 'SUCCESS',
      value: (r) => (r.successRate === null ? dash : `${(r.successRate * 100).toFixed(1)}%`),
    },
    { header: '4XX', value: (r) => String(r.status4xx) },
    { header: '5XX', value: (r) => String(r.status5xx) },
    { header: 'P50', value: (r) => ms(r.latencyMs.p50) },
    { header: 'P90', value: (r) => ms(r.latencyMs.p90) },
    { header: 'P95', value: (r) => ms(r.latencyMs.p95) },
    { header: 'P99', value: (r) => ms(r.latencyMs.p99) },
    { header: 'INFLIGHT', value: (r) => String(r.inflight) },
    { header: 'PODS', value: (r) => pods(r.pods) },
    { header: 'CPU', value: (r) => (r.cpuMillicores === null ? dash : `${Math.round(r.cpuMillicores)}m`) },
    { header: 'MEMORY', value: (r) => bytes(r.memoryBytes) },
  ];
}

/** The snapshot as lines of text (no trailing newline on the last). */
export function renderTop(s: TopSnapshot): string[] {
  const scope = s.service ? `service '${s.service}'` : 'all services';
  const clock = s.time.replace(/^.*T(\d\d:\d\d:\d\d).*$/, '$1');
  const head = `${scope} in namespace '${s.namespace}', every ${s.intervalSeconds}s, at ${clock} (metrics: ${s.metricsUrl})`;
  if (s.revisions.length === 0) return [head, '', 'No revisions with traffic or instances.'];
  const table = renderTable(s.revisions, columns(!s.service)).trimEnd().split('\n');
  const width = Math.max(...s.revisions.map((r) => r.revision.length));
  const details = s.revisions.map((r) => {
    const cold = r.coldStarts
      ? `   cold starts ${r.coldStarts.count}: first byte p50 ${ms(r.coldStarts.p50Ms)}, p99 ${ms(r.coldStarts.p99Ms)}${r.coldStarts.lastFirstByteMs === undefined ? '' : `, last ${ms(r.coldStarts.lastFirstByteMs)}`}`
      : '';
    return `${r.revision.padEnd(width)}   req/s ${sparkline(r.history.rps)}   p99 ${sparkline(r.history.p99Ms)}${cold}`.trimEnd();
  });
  return [head, '', ...table, '', ...details];
}
