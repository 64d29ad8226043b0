/**
 * Control-plane benchmark: create → Ready latency of Knative Services on the in-process local
 * cluster (API server + reconciler + runtime + gateway), for 1 and 100 services created in parallel
 * running examples/hello, and the time until 1,000 services with `initial-scale: "0"` are all Ready
 * plus the process RSS at that point. Writes bench/control-plane/README.md.
 *
 * Usage: node --import tsx bench/control-plane/run.ts [--no-write] [--large N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigMap, Service } from '../../src/lib/apis/types.js';
import { startReconciler } from '../../src/lib/controller/index.js';
import { Informer } from '../../src/lib/controller/runtime/informer.js';
import { Kinds } from '../../src/lib/controller/runtime/kinds.js';
import { RestClient } from '../../src/lib/controller/runtime/rest.js';
import { startLocalStack } from '../../src/lib/local/stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const HELLO = `file://${path.join(root, 'examples/hello')}`;
const args = process.argv.slice(2);
const LARGE = Number(args[args.indexOf('--large') + 1]) || 1000;
const COMMAND = 'node --import tsx bench/control-plane/run.ts';

const isReady = (s: Service) =>
  s.status?.observedGeneration === s.metadata.generation &&
  !!s.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

/** Creates `n` services (32 requests in flight) and resolves with each one's create → Ready time. */
async function createAndWait(
  api: RestClient,
  inf: Informer<Service>,
  ns: string,
  n: number,
  spec: (i: number) => Service,
): Promise<{ latencies: number[]; totalMs: number }> {
  const created = new Map<string, number>();
  const readyAt = new Map<string, number>();
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const check = (s: Service) => {
    if (s.metadata.namespace !== ns || readyAt.has(s.metadata.name!) || !isReady(s)) return;
    readyAt.set(s.metadata.name!, Date.now());
    if (readyAt.size === n) done();
  };
  inf.on({ add: check, update: (_o, s) => check(s) });
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(32, n) }, async () => {
      while (next < n) {
        const i = next++;
        const svc = spec(i);
        created.set(svc.metadata.name!, Date.now());
        await api.create(Kinds.service, svc);
      }
    }),
  );
  await all;
  const latencies = [...readyAt].map(([name, t]) => t - created.get(name)!);
  return { latencies, totalMs: Date.now() - t0 };
}

const ksvc = (name: string, ns: string, annotations: Record<string, string> = {}): Service => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: {
    template: {
      metadata: { annotations },
      spec: { containers: [{ image: HELLO, env: [{ name: 'TARGET', value: name }] }] },
    },
  },
});

const rows: string[] = [];
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'knlite-bench-cp-'));
try {
  // 1 and 100 services running examples/hello: everything in one process, as the daemon runs it.
  {
    const stack = await startLocalStack({
      dataDir: path.join(home, 'data'),
      runtimeDir: path.join(home, 'runtime'),
    });
    const api = await RestClient.create(stack.kc);
    const inf = new Informer<Service>(stack.kc, api, Kinds.service);
    inf.start();
    await inf.synced;
    for (const n of [1, 100]) {
      const ns = `bench-${n}`;
      await api.create(Kinds.namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      const { latencies, totalMs } = await createAndWait(api, inf, ns, n, (i) => ksvc(`hello-${i}`, ns));
      rows.push(
        `| ${n} × examples/hello, created in parallel | ${quantile(latencies, 0.5)} | ${quantile(latencies, 0.95)} | ${Math.max(...latencies)} | ${(totalMs / 1000).toFixed(1)} s | |`,
      );
      console.log(rows.at(-1));
    }
    await inf.stop();
    api.close();
    await stack.stop();
  }
  // 1,000 services scaled to zero from the start: pure control-plane work (no processes).
  {
    const stack = await startLocalStack({
      dataDir: path.join(home, 'data-large'),
      runtimeDir: path.join(home, 'runtime-large'),
      reconciler: false,
    });
    const api = await RestClient.create(stack.kc);
    const cm = await api.get<ConfigMap>(Kinds.configMap, 'knative-serving', 'config-autoscaler');
    await api.replace(Kinds.configMap, {
      ...cm,
      data: { ...(cm.data ?? {}), 'allow-zero-initial-scale': 'true' },
    });
    const rec = await startReconciler(stack.kc, { leaderElection: false });
    const inf = new Informer<Service>(stack.kc, api, Kinds.service);
    inf.start();
    await inf.synced;
    const ns = 'bench-large';
    await api.create(Kinds.namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const { latencies, totalMs } = await createAndWait(api, inf, ns, LARGE, (i) =>
      ksvc(`s-${i}`, ns, { 'autoscaling.knative.dev/initial-scale': '0' }),
    );
    const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
    rows.push(
      `| ${LARGE} × initial-scale 0, created in parallel | ${quantile(latencies, 0.5)} | ${quantile(latencies, 0.95)} | ${Math.max(...latencies)} | ${(totalMs / 1000).toFixed(1)} s | RSS ${rss} MiB (API server + reconciler + runtime + gateway in one process) |`,
    );
    console.log(rows.at(-1));
    await inf.stop();
    await rec.stop();
    api.close();
    await stack.stop();
  }
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}

const table = [
  '| scenario | p50 ms | p95 ms | max ms | all Ready after | notes |',
  '|---|---|---|---|---|---|',
  ...rows,
].join('\n');
const text = `# Control-plane benchmark

Command: \`${COMMAND}\`

Recorded ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length}× ${os.cpus()[0]?.model.trim()}, Node ${process.version}, ${os.platform()}, 1-min load average ${os.loadavg()[0].toFixed(1)} when done.
Latency is create request → Service Ready (observedGeneration current), seen through a watch.

${table}

Every Service costs about 18 durable API writes (Configuration, Route, Revision, Deployment,
Service, finalizer, status updates) plus 5 Events; the embedded API server fsyncs each write
(see ../README.md, "apiserver"), which bounds the 1,000-service figure.
`;
console.log(table);
if (!args.includes('--no-write')) fs.writeFileSync(path.join(root, 'bench/control-plane/README.md'), text);
