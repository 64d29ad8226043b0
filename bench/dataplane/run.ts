/**
 * Data-plane benchmark: the same app (examples/hello) reached directly, through the knlite gateway
 * and through Debian's nginx — throughput at saturation (wrk, or a Node closed-loop generator when
 * wrk is missing) and p50/p99 at a fixed rate (Node open-loop generator) — plus cold-start overhead
 * over 20 cold starts on the full local cluster.
 *
 *   node --import tsx bench/dataplane/run.ts [--rate 200] [--seconds 10] [--cold 20] [--no-cold | --only-cold]
 *     [--one-thread]  (cold starts: the reconciler and data plane on the stack's event loop instead of
 *     threads of their own, as the daemon runs them)
 *     [--anchor DIR] [--rounds 1]
 *
 * `--anchor DIR` adds a second gateway row run from another checkout's bench/dataplane/gateway-main.ts
 * (e.g. `git archive <commit> | tar -x -C DIR`, node_modules linked), so a change is compared with its
 * anchor in the same run; `--rounds N` measures every target N times, round-robin.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { KubeObject, Pod } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { patchConfigData } from '../../src/lib/local/seed.js';
import { startLocalStack } from '../../src/lib/local/stack.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RATE = flag('rate', 200);
const SECONDS = flag('seconds', 10);
const COLD = args.includes('--no-cold') ? 0 : flag('cold', 20);
const PROXIES = !args.includes('--only-cold');
const ROUNDS = flag('rounds', 1);
const THREADS = !args.includes('--one-thread');
const anchorAt = args.indexOf('--anchor');
const ANCHOR = anchorAt >= 0 ? resolve(args[anchorAt + 1]) : undefined;
const CONNECTIONS = 50;
const HOST = 'hello.default.localhost';
const HELLO_DIR = resolve('examples/hello');

const children: ChildProcess[] = [];
const temp = mkdtempSync(join(tmpdir(), 'knlite-bench-dp-'));
function cleanup(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(temp, { recursive: true, force: true });
}
process.on('exit', cleanup);
// Interrupted: stop the app, gateways and nginx too ('exit' handlers do not run on a signal).
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    cleanup();
    process.exit(1);
  });

function has(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resolves once something accepts TCP connections on the port. */
async function listening(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Starts examples/hello the way the local runtime does (its start script). */
function startApp(port: number): ChildProcess {
  const child = spawn('sh', ['-c', 'exec node server.js'], {
    cwd: HELLO_DIR,
    env: { ...process.env, PORT: String(port), K_REVISION: 'hello-00001' },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

async function startGatewayProcess(appPort: number, root = '.'): Promise<{ port: number; pid: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/dataplane/gateway-main.ts', String(appPort)],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const port = await new Promise<number>((r) =>
    child.stdout!.once('data', (d: Buffer) => r(Number(d.toString().trim()))),
  );
  return { port, pid: child.pid! };
}

async function startNginx(appPort: number): Promise<{ port: number; pid: number } | undefined> {
  const nginx = has('nginx') ?? (has('/usr/sbin/nginx') ? '/usr/sbin/nginx' : undefined);
  if (!nginx) return undefined;
  const port = await freePort();
  const conf = join(temp, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${temp}/nginx.pid;
error_log ${temp}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${temp}/body; proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fcgi; uwsgi_temp_path ${temp}/uwsgi; scgi_temp_path ${temp}/scgi;
  upstream app { server 127.0.0.1:${appPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`,
  );
  const child = spawn(nginx, ['-p', temp, '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
  children.push(child);
  await listening(port);
  return { port, pid: child.pid! };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** CPU seconds (user + system) used so far by the processes, from /proc/<pid>/stat. */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks / 100;
}

/** A process and its direct children (nginx master + workers). */
function withChildren(pid: number): number[] {
  try {
    const kids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
    return [pid, ...kids.map(Number)];
  } catch {
    return [pid];
  }
}

interface Saturation {
  rps: number;
  requests: number;
  p50: string;
  p99: string;
  tool: string;
}

/** Throughput at saturation with wrk (2 threads, 50 connections). */
function wrkThroughput(port: number): Saturation {
  // wrk prints the distribution only with --latency; its first "Latency" line is the thread summary.
  const out = execFileSync(
    'wrk',
    [
      '-t2',
      `-c${CONNECTIONS}`,
      `-d${SECONDS}s`,
      '--latency',
      '-H',
      `Host: ${HOST}`,
      `http://127.0.0.1:${port}/`,
    ],
    { encoding: 'utf8' },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const p50 = /\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? '?';
  const p99 = /\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? '?';
  return { rps, requests, p50, p99, tool: 'wrk' };
}

/** Closed-loop Node generator (fallback when wrk is missing). */
async function nodeThroughput(port: number): Promise<Saturation> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const end = Date.now() + SECONDS * 1000;
  let done = 0;
  const lat: number[] = [];
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        await get(port, agent);
        lat.push(performance.now() - t);
        done++;
      }
    }),
  );
  agent.destroy();
  lat.sort((a, b) => a - b);
  return {
    rps: done / SECONDS,
    requests: done,
    p50: `${quantile(lat, 0.5).toFixed(2)}ms`,
    p99: `${quantile(lat, 0.99).toFixed(2)}ms`,
    tool: 'node',
  };
}

function get(port: number, agent: Agent | false): Promise<number> {
  return new Promise((resolveGet, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: HOST }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolveGet(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Open-loop fixed-rate generator; latency counted from each request's scheduled time. */
async function fixedRate(port: number): Promise<{ p50: number; p99: number; errors: number; sent: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = RATE * SECONDS;
  const start = performance.now();
  const lat: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      get(port, agent).then(
        (code) => {
          lat.push(performance.now() - due);
          if (code !== 200) errors++;
        },
        () => void errors++,
      ),
    );
  }
  await Promise.all(inflight);
  agent.destroy();
  lat.sort((a, b) => a - b);
  return { p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), errors, sent: total };
}

/** Stages of a cold start as seen from the API (watches) and the client, in order. */
const STAGES = [
  'scale written',
  'Pod created',
  'process started',
  'Pod Ready',
  'Endpoints address',
  'first byte',
] as const;
type Stage = (typeof STAGES)[number];
/** The stages the gateway records in knlite_cold_start_seconds (src/lib/dataplane/cold-start.ts), after `queued`. */
const GATEWAY_STAGES = ['scale_decided', 'process_spawned', 'ready', 'first_byte'] as const;

/** 20 cold starts through the full local cluster vs the app's own start time. */
async function coldStarts(n: number): Promise<{
  ownP50: number;
  ownP99: number;
  coldP50: number;
  coldP99: number;
  overheadP50: number;
  overheadP99: number;
  stages: { stage: Stage; sinceP50: number; sinceP99: number; stepP50: number; stepP99: number }[];
  gatewayStages: { stage: string; sinceP50: number; sinceP99: number; stepP50: number; stepP99: number }[];
}> {
  // The app's own start (spawn → accepting connections), measured right before each cold start so
  // both see the same machine load.
  const own: number[] = [];
  const ownStart = async (): Promise<void> => {
    const port = await freePort();
    const t = performance.now();
    const child = startApp(port);
    await listening(port);
    own.push(performance.now() - t);
    child.kill('SIGTERM');
  };

  const stack = await startLocalStack({
    dataDir: join(temp, 'data'),
    runtimeDir: join(temp, 'runtime'),
    threads: THREADS,
  });
  try {
    await patchConfigData(stack.client, 'config-autoscaler', { 'scale-to-zero-grace-period': '6s' });
    const kc = new KubeConfig();
    kc.loadFromString(stack.server.kubeconfig());
    const custom = kc.makeApiClient(CustomObjectsApi);
    const apps = kc.makeApiClient(AppsV1Api);
    await custom.createNamespacedCustomObject({
      group: 'serving.knative.dev',
      version: 'v1',
      namespace: 'default',
      plural: 'services',
      body: {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: { name: 'hello', namespace: 'default' },
        spec: {
          template: {
            metadata: { annotations: { 'autoscaling.knative.dev/window': '6s' } },
            spec: { containers: [{ image: pathToFileURL(HELLO_DIR).href }] },
          },
        },
      },
    });
    const cold: number[] = [];
    // Per cold start, when each stage was first seen (ms since the request was sent), through watches
    // on the same API server the gateway's informers use.
    const stageTimes: Record<Stage, number[]> = Object.fromEntries(STAGES.map((st) => [st, []])) as never;
    let round: { t: number; at: Partial<Record<Stage, number>> } | undefined;
    const mark = (stage: Stage): void => {
      if (round && round.at[stage] === undefined) round.at[stage] = performance.now() - round.t;
    };
    const watches = await Promise.all([
      stack.client.watch<KubeObject & { spec?: { replicas?: number } }>(
        Kinds.deployment,
        { namespace: 'default', fieldSelector: 'metadata.name=hello-00001-deployment' },
        (ev) => {
          if ((ev.object.spec?.replicas ?? 0) >= 1) mark('scale written');
        },
      ),
      stack.client.watch<Pod>(
        Kinds.pod,
        { namespace: 'default', labelSelector: 'serving.knative.dev/revision=hello-00001' },
        (ev) => {
          if (ev.type === 'DELETED') return;
          const status = ev.object.status;
          mark('Pod created');
          if (status?.containerStatuses?.[0]?.state?.running) mark('process started');
          if (status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) mark('Pod Ready');
        },
      ),
      stack.client.watch<KubeObject & { subsets?: { addresses?: unknown[] }[] }>(
        Kinds.endpoints,
        { namespace: 'default', fieldSelector: 'metadata.name=hello-00001' },
        (ev) => {
          if ((ev.object.subsets ?? []).some((s) => (s.addresses ?? []).length > 0))
            mark('Endpoints address');
        },
      ),
    ]);
    const core = kc.makeApiClient(CoreV1Api);
    // Really at zero: replicas 0, no Pod left for the revision, no address in its Endpoints.
    const zero = async (): Promise<void> => {
      for (;;) {
        try {
          const d = await apps.readNamespacedDeployment({
            name: 'hello-00001-deployment',
            namespace: 'default',
          });
          const pods = await core.listNamespacedPod({
            namespace: 'default',
            labelSelector: 'serving.knative.dev/revision=hello-00001',
          });
          const ep = await core.readNamespacedEndpoints({ name: 'hello-00001', namespace: 'default' });
          const addresses = (ep.subsets ?? []).flatMap((s) => s.addresses ?? []);
          if (d.spec?.replicas === 0 && pods.items.length === 0 && addresses.length === 0) return;
        } catch {
          // not created yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    // The gateway's own record of each cold start: knlite_cold_start_seconds{stage} on its admin
    // port (one observation per stage per cold start, so each round's value is the rise of _sum).
    const gatewaySums = async (): Promise<Map<string, { sum: number; count: number }>> => {
      const text = await (await fetch(`http://127.0.0.1:${stack.adminPort}/metrics`)).text();
      const out = new Map<string, { sum: number; count: number }>();
      const re =
        /^knlite_cold_start_seconds_(sum|count)\{[^}]*revision="hello-00001"[^}]*stage="([a-z_]+)"[^}]*\} (\S+)$/gm;
      for (const m of text.matchAll(re)) {
        const e = out.get(m[2]) ?? { sum: 0, count: 0 };
        e[m[1] as 'sum' | 'count'] = Number(m[3]);
        out.set(m[2], e);
      }
      return out;
    };
    const gatewayTimes = new Map<string, number[]>(GATEWAY_STAGES.map((st) => [st, []]));
    for (let i = 0; i < n; i++) {
      await zero();
      await ownStart();
      const sumsBefore = await gatewaySums();
      const t = performance.now();
      round = { t, at: {} };
      const code = await firstByte(stack.gatewayPort!);
      cold.push(performance.now() - t);
      mark('first byte');
      if (code !== 200) throw new Error(`cold start ${i + 1} answered ${code}`);
      const at = round.at;
      round = undefined;
      for (const st of STAGES) stageTimes[st].push(at[st] ?? NaN);
      // The first byte is recorded as the response is written: wait (bounded) for its observation.
      let sumsAfter = await gatewaySums();
      for (
        let tries = 0;
        tries < 50 &&
        (sumsAfter.get('first_byte')?.count ?? 0) === (sumsBefore.get('first_byte')?.count ?? 0);
        tries++
      ) {
        await new Promise((r) => setTimeout(r, 20));
        sumsAfter = await gatewaySums();
      }
      const gw: Record<string, number> = {};
      for (const st of GATEWAY_STAGES) {
        const [b, a] = [sumsBefore.get(st), sumsAfter.get(st)];
        gw[st] = a && a.count === (b?.count ?? 0) + 1 ? (a.sum - (b?.sum ?? 0)) * 1000 : NaN;
        gatewayTimes.get(st)!.push(gw[st]);
      }
      process.stderr.write(
        `cold start ${i + 1}/${n}: ${cold.at(-1)!.toFixed(0)} ms (app alone ${own.at(-1)!.toFixed(0)} ms); ${STAGES.map((st) => `${st} +${at[st]?.toFixed(0) ?? '?'}`).join(', ')}; gateway: ${GATEWAY_STAGES.map((st) => `${st} +${gw[st].toFixed(0)}`).join(', ')}\n`,
      );
    }
    for (const w of watches) w.stop();
    // Overhead per cold start: its first byte minus the app's own start measured just before it.
    const diffs = cold.map((c, i) => c - own[i]).sort((a, b) => a - b);
    own.sort((a, b) => a - b);
    cold.sort((a, b) => a - b);
    const breakdown = <S extends string>(order: readonly S[], times: (s: S) => number[]) =>
      order.map((stage, i) => {
        const since = times(stage)
          .filter(Number.isFinite)
          .sort((a, b) => a - b);
        // The step from the previous stage, per cold start (a stage seen before its predecessor counts 0).
        const steps = times(stage)
          .map((v, j) => (i === 0 ? v : Math.max(0, v - times(order[i - 1])[j])))
          .filter(Number.isFinite)
          .sort((a, b) => a - b);
        return {
          stage,
          sinceP50: quantile(since, 0.5),
          sinceP99: quantile(since, 0.99),
          stepP50: quantile(steps, 0.5),
          stepP99: quantile(steps, 0.99),
        };
      });
    return {
      gatewayStages: breakdown(GATEWAY_STAGES, (st) => gatewayTimes.get(st)!),
      ownP50: quantile(own, 0.5),
      ownP99: quantile(own, 0.99),
      coldP50: quantile(cold, 0.5),
      coldP99: quantile(cold, 0.99),
      overheadP50: quantile(diffs, 0.5),
      overheadP99: quantile(diffs, 0.99),
      stages: breakdown(STAGES, (st) => stageTimes[st]),
    };
  } finally {
    await stack.stop();
  }
}

/** Time to the response head from the gateway (status code). */
function firstByte(port: number): Promise<number> {
  return new Promise((r, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', headers: { host: `${HOST}:${port}` }, agent: false },
      (res) => {
        r(res.statusCode ?? 0);
        res.resume();
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const wrk = has('wrk');
  const appPort = await freePort();
  const app = startApp(appPort);
  await listening(appPort);
  const gateway = await startGatewayProcess(appPort);
  const anchor = ANCHOR ? await startGatewayProcess(appPort, ANCHOR) : undefined;
  const nginx = await startNginx(appPort);
  const targets: [string, number | undefined, number[]][] = [
    ['direct to the instance', appPort, []],
    ...(anchor ? [['knlite gateway [anchor]', anchor.port, [anchor.pid]] as [string, number, number[]]] : []),
    ['knlite gateway', gateway.port, [gateway.pid]],
    ['nginx 1.22 (Debian)', nginx?.port, nginx ? withChildren(nginx.pid) : []],
  ];
  const lines: string[] = [];
  const log = (l: string): void => {
    lines.push(l);
    process.stdout.write(`${l}\n`);
  };
  log(
    `Recorded ${new Date().toISOString().slice(0, 10)} on ${cpus().length}× ${cpus()[0]?.model.trim()}, Node ${process.version}, 1-min load average ${loadavg()[0].toFixed(1)} at start.`,
  );
  log(
    `Saturation: ${wrk ? `wrk -t2 -c${CONNECTIONS} -d${SECONDS}s` : `Node closed loop, ${CONNECTIONS} connections, ${SECONDS}s (wrk not installed)`}; fixed rate: Node open loop, ${RATE} req/s for ${SECONDS}s, latency from scheduled send time. CPU per request = proxy process user+system CPU during the saturation run ÷ requests completed (robust to other load on the machine).`,
  );
  if (!nginx) log('nginx is not installed (apt-get install -y nginx): its row is missing.');
  log('');
  log(
    '| target | req/s at saturation | sat. p50 | sat. p99 | proxy CPU µs/req | app CPU µs/req | p50 ms @ fixed rate | p99 ms @ fixed rate | errors |',
  );
  log('|---|---|---|---|---|---|---|---|---|');
  const rounds = Array.from({ length: PROXIES ? ROUNDS : 0 }, () => targets).flat();
  for (const [name, port, proxyPids] of rounds) {
    if (!port) {
      log(`| ${name} | missing | | | | | | | |`);
      continue;
    }
    await get(port, false); // warm up
    const [proxyBefore, appBefore] = [cpuSeconds(proxyPids), cpuSeconds([app.pid!])];
    const sat = wrk ? wrkThroughput(port) : await nodeThroughput(port);
    const proxyCpu = ((cpuSeconds(proxyPids) - proxyBefore) / sat.requests) * 1e6;
    const appCpu = ((cpuSeconds([app.pid!]) - appBefore) / sat.requests) * 1e6;
    const fixed = await fixedRate(port);
    log(
      `| ${name} | ${sat.rps.toFixed(0)} | ${sat.p50} | ${sat.p99} | ${proxyPids.length ? proxyCpu.toFixed(0) : '–'} | ${appCpu.toFixed(0)} | ${fixed.p50.toFixed(2)} | ${fixed.p99.toFixed(2)} | ${fixed.errors}/${fixed.sent} |`,
    );
  }
  if (COLD > 0) {
    const c = await coldStarts(COLD);
    log('');
    log(
      `Cold start over ${COLD} cold starts (examples/hello, scaled to zero on the local cluster, first byte through the gateway):`,
    );
    log('');
    log('| | p50 ms | p99 ms |');
    log('|---|---|---|');
    log(`| app's own start (spawn → accepting) | ${c.ownP50.toFixed(0)} | ${c.ownP99.toFixed(0)} |`);
    log(`| first byte from zero | ${c.coldP50.toFixed(0)} | ${c.coldP99.toFixed(0)} |`);
    log(
      `| overhead (per cold start: first byte − app alone) | ${c.overheadP50.toFixed(0)} | ${c.overheadP99.toFixed(0)} |`,
    );
    log('');
    log(
      'Per stage (first seen through API watches; ms since the request was sent, and the step from the stage before):',
    );
    log('');
    log('| stage | since request p50 | p99 | step p50 | step p99 |');
    log('|---|---|---|---|---|');
    for (const st of c.stages) {
      log(
        `| ${st.stage} | ${st.sinceP50.toFixed(0)} | ${st.sinceP99.toFixed(0)} | ${st.stepP50.toFixed(0)} | ${st.stepP99.toFixed(0)} |`,
      );
    }
    log('');
    log(
      "The gateway's own record, knlite_cold_start_seconds{stage} (ms since the request was queued, and the step from the stage before):",
    );
    log('');
    log('| stage | since queued p50 | p99 | step p50 | step p99 |');
    log('|---|---|---|---|---|');
    for (const st of c.gatewayStages) {
      log(
        `| ${st.stage} | ${st.sinceP50.toFixed(0)} | ${st.sinceP99.toFixed(0)} | ${st.stepP50.toFixed(0)} | ${st.stepP99.toFixed(0)} |`,
      );
    }
  }
  log(`1-min load average at end: ${loadavg()[0].toFixed(1)}.`);
  // stdout is the Markdown recorded in bench/README.md.
}

main().then(
  () => {
    cleanup();
    process.exit(0);
  },
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    cleanup();
    process.exit(1);
  },
);
