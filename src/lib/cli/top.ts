/**
 * `knlite service top`: a live view per revision, built every interval from two scrapes of the
 * knlite gateway's Prometheus metrics (requests by status code, the latency histogram, in-flight
 * requests) — rates and quantiles over the interval like Prometheus' `rate()` and
 * `histogram_quantile()` — plus, from the Kubernetes API, the pods the autoscaler wants (its
 * published decision, else the Deployment's replicas), the ready pods (Deployment status), CPU and
 * memory (metrics.k8s.io) and cold starts (the decision document).
 *
 * The gateway's metrics URL is `--metrics-url`, else the one the local cluster publishes in
 * knative-serving/config-knlite. On another cluster the gateway's admin port is not exposed by its
 * Service, so `--metrics-url` is needed (e.g. through `kubectl port-forward`).
 *
 * On a terminal the view is redrawn in place (cursor home, clear to end, cursor hidden until
 * Ctrl-C); elsewhere snapshots follow one another; `-o json` prints one JSON document per interval.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DECISION_LABEL, readDecision, type AutoscalerDecision } from '../apis/autoscaler-decision.js';
import { Labels } from '../apis/keys.js';
import { parseQuantity } from '../apis/quantity.js';
import type { ConfigMap, Deployment, KubeObject, Revision, Service } from '../apis/types.js';
import { KnError, usageError } from '../client/errors.js';
import type { ServingClient } from '../client/serving-client.js';
import { Kinds } from '../kube/kinds.js';
import { GATEWAY_NAME } from '../install/manifests.js';
import { renderTop, type TopRevision, type TopSnapshot } from '../printers/top.js';
import {
  fetchMetricsText,
  findMetricsUrl,
  histogramQuantile,
  makeScrape,
  parsePrometheusText,
  revisionWindow,
  type Scrape,
} from '../rollout/metrics.js';
import { parseDuration } from '../rollout/plan.js';

/** What `service top` was asked for. */
export interface TopOptions {
  service?: string;
  intervalMs: number;
  metricsUrl?: string;
  json: boolean;
  once: boolean;
}

/** How many intervals of history the sparklines show. */
const HISTORY = 60;
const DEFAULT_INTERVAL_MS = 2000;

/** Parses the flags (usage errors before anything connects). */
export function parseTopFlags(f: {
  interval?: string;
  output?: string;
  once?: boolean;
  'metrics-url'?: string;
}): Omit<TopOptions, 'service'> {
  let intervalMs = DEFAULT_INTERVAL_MS;
  if (f.interval !== undefined) {
    try {
      intervalMs = parseDuration(f.interval, 'interval', 'use e.g. 2s or 1m');
    } catch (err) {
      throw usageError((err as Error).message);
    }
    if (intervalMs < 1000) throw usageError(`interval "${f.interval}" is shorter than 1s`);
  }
  if (f.output !== undefined && f.output !== 'json')
    throw usageError(`invalid value "${f.output}" for -o/--output: service top prints json only`);
  const url = f['metrics-url'];
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url))
    throw usageError(`metrics-url "${url}" is not an http:// URL (use e.g. http://127.0.0.1:9090/metrics)`);
  return { intervalMs, metricsUrl: url, json: f.output === 'json', once: Boolean(f.once) };
}

const sum = (m: Map<string, number> | undefined): number =>
  [...(m?.values() ?? [])].reduce((a, b) => a + b, 0);

/** What the API says about the revisions in scope. */
interface ApiView {
  revisions: Revision[];
  /** Revisions routed by their service's traffic. */
  routed: Set<string>;
  deployments: Map<string, Deployment>;
  decisions: Map<string, AutoscalerDecision>;
  usage?: Map<string, { cpu: number; memory: number }>;
}

interface PodMetrics extends KubeObject {
  containers?: { name: string; usage?: { cpu?: string; memory?: string } }[];
}

function quantity(text: string | undefined): number {
  if (!text) return 0;
  try {
    return parseQuantity(text).value;
  } catch {
    return 0;
  }
}

async function readApi(client: ServingClient, service: string | undefined): Promise<ApiView> {
  const selector = service ? `${Labels.service}=${service}` : Labels.service;
  const services = service ? [await client.getService(service)] : (await client.listServices()).items;
  const [revisions, deployments, decisions, usage] = await Promise.all([
    client.listRevisions({ service }),
    client.listObjects<Deployment>(Kinds.deployment, { labelSelector: selector }),
    client.listObjects<ConfigMap>(Kinds.configMap, { labelSelector: DECISION_LABEL }),
    // metrics.k8s.io is optional (metrics-server on other clusters).
    client.listObjects<PodMetrics>(Kinds.podMetrics, { labelSelector: selector }).catch(() => undefined),
  ]);
  const byRevision = <T extends KubeObject>(items: T[], key: (o: T) => string | undefined) =>
    new Map(items.flatMap((o) => (key(o) ? [[key(o)!, o] as const] : [])));
  const decided = new Map<string, AutoscalerDecision>();
  for (const cm of decisions.items) {
    const d = readDecision(cm);
    if (d) decided.set(d.revision, d);
  }
  let used: ApiView['usage'];
  if (usage) {
    used = new Map();
    for (const p of usage.items) {
      const rev = p.metadata.labels?.[Labels.revision];
      if (!rev) continue;
      const u = used.get(rev) ?? { cpu: 0, memory: 0 };
      for (const c of p.containers ?? []) {
        u.cpu += quantity(c.usage?.cpu) * 1000;
        u.memory += quantity(c.usage?.memory);
      }
      used.set(rev, u);
    }
  }
  const routed = new Set(
    services.flatMap((s: Service) => (s.status?.traffic ?? []).map((t) => t.revisionName ?? '')),
  );
  return {
    revisions: revisions.items,
    routed,
    deployments: byRevision(deployments.items, (d) => d.metadata.labels?.[Labels.revision]),
    decisions: decided,
    usage: used,
  };
}

/** Builds snapshots: each `next()` scrapes, compares with the previous scrape and reads the API. */
export class TopSampler {
  private previous?: Scrape;
  private readonly history = new Map<string, { rps: number[]; p99Ms: (number | null)[] }>();

  constructor(
    private readonly client: ServingClient,
    private readonly opts: TopOptions,
    readonly metricsUrl: string,
  ) {}

  /** Finds the metrics endpoint (the flag, else the local cluster's) and takes the first scrape. */
  static async start(client: ServingClient, opts: TopOptions): Promise<TopSampler> {
    if (opts.service) await client.getService(opts.service);
    const url = opts.metricsUrl ?? (await findMetricsUrl(client));
    if (!url)
      throw new KnError(
        `this cluster publishes no knlite gateway metrics URL (knative-serving/config-knlite metrics-url; only the local cluster does): pass --metrics-url, e.g. after \`kubectl -n knative-serving port-forward deploy/${GATEWAY_NAME} 9090\`, --metrics-url http://127.0.0.1:9090/metrics`,
        { name: 'InvalidValue' },
      );
    const sampler = new TopSampler(client, opts, url);
    sampler.previous = await sampler.scrape();
    return sampler;
  }

  private async scrape(): Promise<Scrape> {
    let text: string;
    try {
      text = await fetchMetricsText(this.metricsUrl);
    } catch (err) {
      throw new KnError(`cannot read the gateway metrics at ${this.metricsUrl}: ${(err as Error).message}`, {
        name: 'Unreachable',
      });
    }
    return makeScrape(parsePrometheusText(text), this.client.namespace, undefined, Date.now());
  }

  /** The snapshot of the interval since the previous call (or `start`). */
  async next(): Promise<TopSnapshot> {
    const [now, api] = await Promise.all([this.scrape(), readApi(this.client, this.opts.service)]);
    const before = this.previous ?? now;
    this.previous = now;
    const seconds = Math.max((now.at - before.at) / 1000, 1e-3);
    const rows: TopRevision[] = [];
    for (const rev of api.revisions) {
      const name = rev.metadata.name!;
      const gauges = now.gauges.get(name);
      const { requests, status4xx: s4, status5xx: s5, buckets: window } = revisionWindow(before, now, name);
      const q = (x: number): number | null => {
        const v = requests > 0 ? histogramQuantile(x, window) : undefined;
        return v === undefined ? null : v * 1000;
      };
      const dep = api.deployments.get(name);
      const decision = api.decisions.get(name);
      const desired =
        decision?.replicas ??
        decision?.want ??
        dep?.spec?.replicas ??
        gauges?.get('knlite_desired_pods') ??
        null;
      const actual = dep ? (dep.status?.readyReplicas ?? 0) : (gauges?.get('knlite_actual_pods') ?? null);
      const inflight = gauges?.get('knlite_inflight_requests') ?? 0;
      const routed = api.routed.has(name);
      if (!routed && !requests && !inflight && !desired && !actual) continue;
      const rps = requests / seconds;
      const p99 = q(0.99);
      const h = this.history.get(name) ?? { rps: [], p99Ms: [] };
      h.rps = [...h.rps, rps].slice(-HISTORY);
      h.p99Ms = [...h.p99Ms, p99].slice(-HISTORY);
      this.history.set(name, h);
      const usage = api.usage?.get(name);
      const cold = decision?.coldStarts;
      rows.push({
        namespace: this.client.namespace,
        service: rev.metadata.labels?.[Labels.service] ?? now.services.get(name) ?? '',
        revision: name,
        requestsTotal: sum(now.requests.get(name)),
        requests,
        rps,
        successRate: requests > 0 ? (requests - s5) / requests : null,
        status4xx: s4,
        status5xx: s5,
        latencyMs: { p50: q(0.5), p90: q(0.9), p95: q(0.95), p99 },
        inflight,
        pods: { desired, actual },
        cpuMillicores: api.usage ? (usage?.cpu ?? 0) : null,
        memoryBytes: api.usage ? (usage?.memory ?? 0) : null,
        ...(cold
          ? {
              coldStarts: {
                count: cold.count,
                p50Ms: cold.p50 * 1000,
                p99Ms: cold.p99 * 1000,
                ...(cold.last.stages.first_byte === undefined
                  ? {}
                  : { lastFirstByteMs: cold.last.stages.first_byte * 1000 }),
              },
            }
          : {}),
        history: { rps: [...h.rps], p99Ms: [...h.p99Ms] },
      });
    }
    return {
      time: new Date(now.at).toISOString(),
      namespace: this.client.namespace,
      ...(this.opts.service ? { service: this.opts.service } : {}),
      intervalSeconds: this.opts.intervalMs / 1000,
      metricsUrl: this.metricsUrl,
      revisions: rows,
    };
  }
}

/** Where `runTop` writes. */
export interface TopIO {
  write(text: string): void;
  tty: boolean;
}

// ANSI: cursor home, clear to the end of the line / of the screen, hide and show the cursor.
const HOME = '\x1b[H';
const CLEAR_LINE = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';
const CLEAR_SCREEN = '\x1b[2J';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/**
 * Runs the view: a snapshot per interval (one with `once`) until Ctrl-C, redrawn in place on a
 * terminal. Ctrl-C ends it normally (the cursor shown again).
 */
export async function runTop(client: ServingClient, opts: TopOptions, io: TopIO): Promise<TopSnapshot[]> {
  const sampler = await TopSampler.start(client, opts);
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const live = io.tty && !opts.json && !opts.once;
  const shown: TopSnapshot[] = [];
  if (live) io.write(HIDE_CURSOR + CLEAR_SCREEN);
  try {
    while (!abort.signal.aborted) {
      try {
        await sleep(opts.intervalMs, undefined, { signal: abort.signal });
      } catch {
        break; // Ctrl-C during the wait
      }
      let snap: TopSnapshot;
      try {
        snap = await sampler.next();
      } catch (err) {
        // One failed interval ends a one-shot or scripted run; a live view says so and goes on.
        if (opts.once || opts.json) throw err;
        const text = `knlite service top: ${(err as Error).message}; retrying every ${opts.intervalMs / 1000}s`;
        io.write(live ? `${HOME}${text}${CLEAR_LINE}\n${CLEAR_BELOW}` : `${text}\n\n`);
        continue;
      }
      shown.splice(0, shown.length, snap);
      if (opts.json) io.write(`${JSON.stringify(snap, null, 2)}\n`);
      else if (live)
        io.write(
          `${HOME}${renderTop(snap)
            .map((l) => l + CLEAR_LINE)
            .join('\n')}\n${CLEAR_BELOW}`,
        );
      else io.write(`${renderTop(snap).join('\n')}\n\n`);
      if (opts.once) break;
    }
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    if (live) io.write(SHOW_CURSOR);
  }
  return shown;
}
