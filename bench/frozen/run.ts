/**
 * Frozen instance vs cold start: first byte of the first request after scale to zero, for the same
 * app (examples/hello) in the same run on one local cluster (API server, reconciler, runtime,
 * gateway, KPA). `cold` scales to zero the Knative way (its process is stopped); `frozen` sets
 * `autoscaling.knlite.dev/frozen-retention: 10m` (its process is kept, SIGSTOPped, and thawed by the
 * request). Each round waits until both are at zero, then times one request to each (alternating
 * which goes first), and reports when the frozen revision's scale-up and its ready address were
 * seen through watches (the gateway forwards to the frozen instance before either).
 *
 *   node --import tsx bench/frozen/run.ts [--rounds 8] [--one-thread]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Deployment, Endpoints, Pod, Service } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { patchConfigData } from '../../src/lib/local/seed.js';
import { startLocalStack } from '../../src/lib/local/stack.js';

const args = process.argv.slice(2);
const i = args.indexOf('--rounds');
const ROUNDS = i >= 0 ? Number(args[i + 1]) : 8;
const HELLO = pathToFileURL(resolve('examples/hello')).href;

const temp = mkdtempSync(join(tmpdir(), 'knlite-bench-frozen-'));
// As the daemon runs it (reconciler and data plane on threads of their own), unless --one-thread.
const stack = await startLocalStack({
  dataDir: join(temp, 'data'),
  runtimeDir: join(temp, 'runtime'),
  threads: !args.includes('--one-thread'),
});
const rest = stack.client;
const port = stack.gatewayPort!;

async function main(): Promise<void> {
  await patchConfigData(rest, 'config-autoscaler', { 'scale-to-zero-grace-period': '6s' });
  const make = (name: string, extra: Record<string, string>): Service => ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: {
      template: {
        metadata: { annotations: { 'autoscaling.knative.dev/window': '6s', ...extra } },
        spec: { containers: [{ image: HELLO }] },
      },
    },
  });
  await rest.create(Kinds.service, make('cold', {}));
  await rest.create(Kinds.service, make('frozen', { 'autoscaling.knlite.dev/frozen-retention': '10m' }));
  const hosts = { cold: await hostOf('cold'), frozen: await hostOf('frozen') };
  // Warm both once so each has had an instance that can go to zero.
  await firstByte(hosts.cold);
  await firstByte(hosts.frozen);

  // When the frozen revision's scale-up and its thawed pod's ready address were seen (watches on
  // the same API server), relative to sending the request: what is (and is not) on its path.
  const stages: Record<FrozenStage, number[]> = { 'scale written': [], 'Endpoints ready': [] };
  let frozenSent: { t: number; at: Partial<Record<FrozenStage, number>> } | undefined;
  const mark = (stage: FrozenStage): void => {
    if (frozenSent && frozenSent.at[stage] === undefined)
      frozenSent.at[stage] = performance.now() - frozenSent.t;
  };
  const watches = await Promise.all([
    rest.watch<Deployment>(
      Kinds.deployment,
      { namespace: 'default', fieldSelector: 'metadata.name=frozen-00001-deployment' },
      (ev) => {
        if ((ev.object.spec?.replicas ?? 0) >= 1) mark('scale written');
      },
    ),
    rest.watch<Endpoints>(
      Kinds.endpoints,
      { namespace: 'default', fieldSelector: 'metadata.name=frozen-00001' },
      (ev) => {
        if ((ev.object.subsets ?? []).some((s) => (s.addresses ?? []).length > 0)) mark('Endpoints ready');
      },
    ),
  ]);

  const results: Record<'cold' | 'frozen', number[]> = { cold: [], frozen: [] };
  const started = loadavg()[0];
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all([atZero('cold-00001', false), atZero('frozen-00001', true)]);
    const order: ('cold' | 'frozen')[] = round % 2 === 0 ? ['cold', 'frozen'] : ['frozen', 'cold'];
    for (const which of order) {
      if (which === 'frozen') frozenSent = { t: performance.now(), at: {} };
      results[which].push(await firstByte(hosts[which]));
    }
    // The watches may report after the answer: give them a moment (bounded) before reading.
    const deadline = Date.now() + 2000;
    while (frozenSent && Object.keys(frozenSent.at).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const at = frozenSent?.at ?? {};
    frozenSent = undefined;
    for (const st of FROZEN_STAGES) stages[st].push(at[st] ?? NaN);
    process.stderr.write(
      `round ${round + 1}: cold ${results.cold.at(-1)!.toFixed(1)} ms, frozen ${results.frozen.at(-1)!.toFixed(1)} ms (scale written +${at['scale written']?.toFixed(1) ?? '?'}, Endpoints ready +${at['Endpoints ready']?.toFixed(1) ?? '?'})\n`,
    );
  }
  for (const w of watches) w.stop();
  const sorted = (xs: number[]): number[] => xs.filter(Number.isFinite).sort((a, b) => a - b);
  const q = (s: number[], p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const row = (name: string, xs: number[]): string => {
    const s = sorted(xs);
    return `| ${name} | ${s.length} | ${q(s, 0.5).toFixed(1)} | ${q(s, 0.99).toFixed(1)} | ${s[0].toFixed(1)} | ${s[s.length - 1].toFixed(1)} |`;
  };
  const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  console.log(
    `Recorded ${when} on ${cpus().length}× ${cpus()[0]?.model.trim()}, Node ${process.version}, 1-min load average ${started.toFixed(1)} at the first round, ${loadavg()[0].toFixed(1)} when done.\n`,
  );
  console.log('| first request after scale to zero | rounds | p50 ms | p99 ms | min ms | max ms |');
  console.log('|---|---|---|---|---|---|');
  console.log(row('cold start (process spawned)', results.cold));
  console.log(row('frozen instance (SIGCONT)', results.frozen));
  for (const st of FROZEN_STAGES) console.log(row(`frozen: ${st} (seen by a watch)`, stages[st]));
}

const FROZEN_STAGES = ['scale written', 'Endpoints ready'] as const;
type FrozenStage = (typeof FROZEN_STAGES)[number];

async function hostOf(name: string): Promise<string> {
  for (;;) {
    const svc = await rest.get<Service>(Kinds.service, 'default', name);
    const ready = svc.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (ready && svc.status?.url) return new URL(svc.status.url).hostname;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// At zero: Deployment replicas 0 and, for the frozen revision, its pod held frozen; for the cold one,
// no pod left (its process is gone).
async function atZero(revision: string, frozen: boolean): Promise<void> {
  for (;;) {
    const d = await rest.get<Deployment>(Kinds.deployment, 'default', `${revision}-deployment`);
    const pods = (
      await rest.list<Pod>(Kinds.pod, {
        namespace: 'default',
        labelSelector: `serving.knative.dev/revision=${revision}`,
      })
    ).items;
    const held = pods.some((p) =>
      p.status?.conditions?.some((c) => c.type === 'knlite.dev/Frozen' && c.status === 'True'),
    );
    if (d.spec.replicas === 0 && (frozen ? held && pods.length === 1 : pods.length === 0)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The client is a process of its own (as curl would be): timing a request from inside the process
 * that also runs the API server, runtime and gateway would count this process's own event-loop
 * delays twice. It reads a Host per line and answers `<ms> <status>`: milliseconds from sending a
 * GET (on a new connection) to the response headers (first byte).
 */
const CLIENT = `
const { request } = require('node:http');
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', (host) => {
  const start = process.hrtime.bigint();
  const req = request({ host: '127.0.0.1', port: ${port}, path: '/', headers: { host }, agent: false }, (res) => {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    res.resume();
    res.on('end', () => process.stdout.write(ms + ' ' + res.statusCode + '\\n'));
  });
  req.on('error', (err) => process.stdout.write('NaN ' + err.message + '\\n'));
  req.end();
});
`;
const client = spawn(process.execPath, ['-e', CLIENT], { stdio: ['pipe', 'pipe', 'inherit'] });
const answers = createInterface({ input: client.stdout! })[Symbol.asyncIterator]();

async function firstByte(host: string): Promise<number> {
  client.stdin!.write(`${host}\n`);
  const { value } = await answers.next();
  const [ms, status] = String(value).split(' ');
  if (status !== '200') throw new Error(`status ${status}`);
  return Number(ms);
}

try {
  await main();
} finally {
  client.kill();
  await stack.stop();
  rmSync(temp, { recursive: true, force: true });
}
