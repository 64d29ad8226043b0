/**
 * API server benchmark: durable create throughput (every create fsynced before it is
 * acknowledged), GET latency and LIST latency over 1,000 objects, measured over real HTTPS with
 * keep-alive against an in-process server on a temp data dir. Prints a Markdown table and
 * rewrites the "## apiserver" section of bench/README.md.
 *
 * Usage: node --import tsx bench/apiserver/run.ts [--no-write]
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer } from '../../src/lib/apiserver/server.js';

const OBJECTS = 1000;
const GETS = 2000;
const LISTS = 100;
const CONCURRENCY = 16;
const COMMAND = 'node --import tsx bench/apiserver/run.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'knlite-bench-'));
const server = await startApiServer({ dataDir: dir, port: 0 });
const agent = new https.Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: server.caPem });

function call(method: string, p: string, body?: unknown): Promise<{ status: number; bytes: number }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(p, server.url),
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${server.token}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function stats(samples: number[]): { p50: number; p90: number; p99: number; max: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] };
}

async function timed(fn: () => Promise<{ status: number }>, want: number): Promise<number> {
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  if (r.status !== want) throw new Error(`unexpected status ${r.status}`);
  return ms;
}

function body(name: string): object {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, labels: { bench: 'yes', shard: String(name.length % 4) } },
    spec: {
      template: {
        spec: { containers: [{ image: 'example.com/hello', env: [{ name: 'TARGET', value: name }] }] },
      },
    },
  };
}

const NS = '/apis/serving.knative.dev/v1/namespaces/default/services';

// Durable creates, one at a time: latency of a single fsynced write.
const seqN = 200;
const seqStart = performance.now();
const seqLat: number[] = [];
for (let i = 0; i < seqN; i++) seqLat.push(await timed(() => call('POST', NS, body(`seq-${i}`)), 201));
const seqSecs = (performance.now() - seqStart) / 1000;

// Durable creates, 16 in flight: throughput under concurrent clients.
let next = 0;
const parStart = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < OBJECTS - seqN) {
      const i = next++;
      await timed(() => call('POST', NS, body(`par-${i}`)), 201);
    }
  }),
);
const parSecs = (performance.now() - parStart) / 1000;

const getLat: number[] = [];
for (let i = 0; i < GETS; i++)
  getLat.push(await timed(() => call('GET', `${NS}/par-${i % (OBJECTS - seqN)}`), 200));

const listLat: number[] = [];
let listBytes = 0;
for (let i = 0; i < LISTS; i++) {
  const t0 = performance.now();
  const r = await call('GET', NS);
  listLat.push(performance.now() - t0);
  listBytes = r.bytes;
}
const selLat: number[] = [];
for (let i = 0; i < LISTS; i++)
  selLat.push(await timed(() => call('GET', `${NS}?labelSelector=shard%3D1`), 200));

await server.close();
agent.destroy();
fs.rmSync(dir, { recursive: true, force: true });

const f = (n: number): string => n.toFixed(2);
const row = (what: string, s: ReturnType<typeof stats>, extra = ''): string =>
  `| ${what} | ${f(s.p50)} | ${f(s.p90)} | ${f(s.p99)} | ${f(s.max)} | ${extra} |`;
const report = [
  '## apiserver',
  '',
  `Command: \`${COMMAND}\``,
  '',
  `Recorded ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length}× ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${os.platform()} (${os.tmpdir()} data dir), 1-min load average ${os.loadavg()[0].toFixed(1)} when done. HTTPS with keep-alive, in-process server, SQLite WAL with synchronous=FULL (every create is fsynced before its 201).`,
  '',
  '| operation | p50 ms | p90 ms | p99 ms | max ms | notes |',
  '|---|---|---|---|---|---|',
  row('create ksvc (1 client)', stats(seqLat), `${(seqN / seqSecs).toFixed(0)} creates/s`),
  row(`GET ksvc (${GETS}×)`, stats(getLat)),
  row(`LIST ${OBJECTS} ksvc`, stats(listLat), `${(listBytes / 1024).toFixed(0)} KiB per list`),
  row(`LIST ${OBJECTS} ksvc, labelSelector (1/4 match)`, stats(selLat)),
  '',
  `Durable create throughput with ${CONCURRENCY} concurrent clients: **${((OBJECTS - seqN) / parSecs).toFixed(0)} creates/s** (${OBJECTS - seqN} creates in ${parSecs.toFixed(2)} s).`,
  '',
].join('\n');

process.stdout.write(report + '\n');

if (!process.argv.includes('--no-write')) {
  const readme = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
  let text = fs.existsSync(readme) ? fs.readFileSync(readme, 'utf8') : '# Benchmarks\n\n';
  const start = text.indexOf('## apiserver');
  if (start >= 0) {
    const after = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + report + (after >= 0 ? '\n' + text.slice(after + 1) : '');
  } else {
    text = text.replace(/\n*$/, '\n\n') + report;
  }
  fs.writeFileSync(readme, text);
}
