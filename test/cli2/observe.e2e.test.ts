/**
 * End-to-end: `service logs`, `revision logs` and `service top` against the local cluster with
 * real processes. A service with two revisions splitting traffic (one instance each, min-scale 1):
 * the logs of both instances merged in time order with [revision pod] labels, --tail, --revision,
 * --timestamps; -f in the built CLI picks up the instance of a revision created after it started
 * and ends with exit 0 on SIGINT; a missing service and bad flags fail as users expect. `top`
 * reads the gateway's metrics after requests through the gateway: -o json --once, the plain
 * snapshot without a terminal, and the redraw under a pseudo-terminal (`script`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '../../src/lib/apis/types.js';
import type { TopSnapshot } from '../../src/lib/printers/top.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { spawnInTerminal } from '../support/cli.js';
import { send } from '../dataplane/helpers.js';
import { ROOT, knlite, requireBuild, runBin, type CliResult } from '../support/cli.js';

const LOGGER = `file://${resolve(ROOT, 'test/cli2/fixtures/logger')}`;
const CRASH = `file://${resolve(ROOT, 'test/cli2/fixtures/crash')}`;

let cluster: TestCluster;
let api: ServingClient;
let env: Record<string, string | undefined>;
const run = (...argv: string[]): Promise<CliResult> => knlite(argv, env);

async function pods(selector: string): Promise<Pod[]> {
  return (await cluster.client.list<Pod>(Kinds.pod, { namespace: 'default', labelSelector: selector })).items;
}

/** Waits until every pod of the revision runs and its log holds `text`. */
async function logged(revision: string, text: string): Promise<void> {
  await waitUntil(
    `${revision} to log "${text}"`,
    async () => {
      const list = await pods(`serving.knative.dev/revision=${revision}`);
      if (list.length === 0) return false;
      for (const p of list)
        if (!(await api.podLogTail(p.metadata.name!, { tailLines: 50 }))?.includes(text)) return false;
      return true;
    },
    60_000,
    100,
  );
}

async function host(name: string): Promise<string> {
  return new URL((await api.getService(name)).status!.url!).host;
}

beforeAll(async () => {
  requireBuild();
  cluster = await startTestCluster({ reconciler: true, runtime: true, dataplane: true });
  env = { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home, NO_COLOR: '1' };
  api = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath });
  const a = await run('service', 'create', 'logs', '--image', LOGGER, '--scale-min', '1');
  expect(a.exitCode, a.stderr).toBe(0);
  const b = await run('service', 'update', 'logs', '--env', 'V=2');
  expect(b.exitCode, b.stderr).toBe(0);
  const split = await run('traffic', 'split', 'logs', '--traffic', 'logs-00001=50,logs-00002=50');
  expect(split.exitCode, split.stderr).toBe(0);
  await logged('logs-00001', 'listening logs-00001');
  await logged('logs-00002', 'listening logs-00002');
}, 180_000);

afterAll(async () => {
  api?.close();
  await cluster?.stop();
});

const LABEL = /^\[(logs-0000[12]) (logs-0000[12]-deployment-\S+)\] (.*)$/;

describe('service logs', () => {
  it('prints the lines of both instances, each after its [revision pod] label, in time order', async () => {
    const r = await run('service', 'logs', 'logs');
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(LABEL);
    const parsed = lines.map((l) => LABEL.exec(l)!);
    for (const rev of ['logs-00001', 'logs-00002']) {
      const own = parsed.filter((m) => m[1] === rev).map((m) => m[3]);
      // stdout and stderr of one instance, in the order it wrote them.
      expect(own.indexOf(`started ${rev}`)).toBeGreaterThanOrEqual(0);
      expect(own.indexOf(`listening ${rev}`)).toBeGreaterThan(own.indexOf(`started ${rev}`));
      // The pod in the label is the revision's.
      for (const m of parsed.filter((x) => x[1] === rev))
        expect(m[2].startsWith(`${rev}-deployment-`)).toBe(true);
    }
    // With --timestamps the same lines carry them, in non-decreasing order across both instances.
    const t = await run('service', 'logs', 'logs', '--timestamps');
    expect(t.exitCode, t.stderr).toBe(0);
    const stamps = t.stdout
      .trimEnd()
      .split('\n')
      .map((l) => /^\[[^\]]+\] (\d{4}-\d\d-\d\dT\S+Z) /.exec(l)![1]);
    expect(stamps.length).toBe(lines.length);
    expect([...stamps].sort()).toEqual(stamps);
  });

  it('--tail N prints the last N lines of each instance', async () => {
    const r = await run('service', 'logs', 'logs', '--tail', '1');
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').sort();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[logs-00001 logs-00001-deployment-\S+\] listening logs-00001$/);
    expect(lines[1]).toMatch(/^\[logs-00002 logs-00002-deployment-\S+\] listening logs-00002$/);
  });

  it('--revision and revision logs keep to one revision', async () => {
    const r = await run('service', 'logs', 'logs', '--revision', 'logs-00002');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('started logs-00002');
    expect(r.stdout).not.toContain('logs-00001');
    const rev = await run('revision', 'logs', 'logs-00001');
    expect(rev.exitCode, rev.stderr).toBe(0);
    expect(rev.stdout).toMatch(/^\[logs-00001 logs-00001-deployment-\S+\] started logs-00001$/m);
    expect(rev.stdout).not.toContain('logs-00002');
  });

  it('on a terminal each instance gets its own colour; NO_COLOR turns colours off', async () => {
    // Async: the cluster runs in this process, a blocking spawn would stall it.
    const tty = (extra: NodeJS.ProcessEnv) =>
      new Promise<{ status: number | null; stdout: string }>((resolveRun) => {
        const child = spawnInTerminal(['service', 'logs', 'logs'], cluster.env, extra);
        child.stderr.pipe(process.stderr);
        let stdout = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.on('close', (status) => resolveRun({ status, stdout }));
      });
    const r = await tty({});
    expect(r.status, r.stdout).toBe(0);
    const colour = (rev: string) =>
      new RegExp(`\\x1b\\[(\\d+)m\\[${rev} ${rev}-deployment-\\S+\\]\\x1b\\[39m started ${rev}`).exec(
        r.stdout,
      )?.[1];
    const one = colour('logs-00001');
    const two = colour('logs-00002');
    expect(one).toBeDefined();
    expect(two).toBeDefined();
    expect(one).not.toBe(two);
    const plain = await tty({ NO_COLOR: '1' });
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/^\[logs-00001 logs-00001-deployment-\S+\] started logs-00001\r?$/m);
    expect(plain.stdout).not.toContain('\x1b[');
  });

  it('a missing service or revision is an error with exit 1; bad flags fail before connecting', async () => {
    const missing = await run('service', 'logs', 'nope');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe("Error: service 'nope' not found in namespace 'default'\n");
    expect(missing.stdout).toBe('');
    const rev = await run('revision', 'logs', 'nope-00001');
    expect(rev.exitCode).toBe(1);
    expect(rev.stderr).toBe("Error: revision 'nope-00001' not found in namespace 'default'\n");
    const other = await run('service', 'logs', 'logs', '--revision', 'nope-00009');
    expect(other.exitCode).toBe(1);
    expect(other.stderr).toBe("Error: revision 'nope-00009' not found in namespace 'default'\n");
    // A kubeconfig whose server nobody listens on: a usage error proves nothing connected.
    const dead = join(cluster.home, 'dead-kubeconfig');
    writeFileSync(
      dead,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]',
        'users: [{name: u, user: {}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    for (const [flag, value, message] of [
      ['--since', '5x', 'Error: since "5x" is not a duration (use e.g. 30s, 5m or 1h)'],
      ['--tail', '-3', 'Error: tail "-3" is not a number of lines (use e.g. 10)'],
    ]) {
      const bad = await knlite(['service', 'logs', 'logs', flag!, value!], { ...env, KUBECONFIG: dead });
      expect(bad.exitCode, bad.stderr).toBe(2);
      expect(bad.stderr).toBe(`${message}\nRun 'knlite service logs --help' for usage.\n`);
    }
    const both = await knlite(['service', 'logs', 'logs', '-f', '--previous'], { ...env, KUBECONFIG: dead });
    expect(both.exitCode).toBe(2);
  });

  it('-f follows the current instances and picks up one that starts later; SIGINT ends it with 0', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--', join(ROOT, 'bin/run.js'), 'service', 'logs', 'logs', '-f'],
      {
        env: { ...cluster.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      await waitUntil(
        'the current instances',
        () => out.includes('listening logs-00001') && out.includes('listening logs-00002'),
        30_000,
      );
      // A request through the gateway appears as it is logged.
      const h = await host('logs');
      await waitUntil(
        'a request line',
        async () => {
          await send(cluster.gatewayPort!, h, { path: '/followed' });
          return /\] request \d+ \/followed$/m.test(out);
        },
        30_000,
        200,
      );
      // A new revision: its instance starts after the follower did.
      const u = await run('service', 'update', 'logs', '--env', 'V=3');
      expect(u.exitCode, u.stderr).toBe(0);
      await waitUntil(
        'the new instance',
        () => /^\[logs-00003 logs-00003-deployment-\S+\] started logs-00003$/m.test(out),
        60_000,
      );
      expect(out).toMatch(/^\[logs-00003 logs-00003-deployment-\S+\] listening logs-00003$/m);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited, err).toBe(0);
    expect(err).toBe('');
  });

  it('-f follows a crash-looping container through its restarts; --previous reads the run before', async () => {
    const c = await run('service', 'create', 'crash', '--image', CRASH, '--no-wait');
    expect(c.exitCode, c.stderr).toBe(0);
    const child = spawn(
      process.execPath,
      ['--', join(ROOT, 'bin/run.js'), 'service', 'logs', 'crash', '-f'],
      {
        env: cluster.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const runs = () =>
      out.match(/^\[crash-00001 crash-00001-deployment-\S+\] config missing: DATABASE_URL is not set$/gm) ??
      [];
    try {
      await waitUntil('two runs of the container', () => runs().length >= 2, 60_000);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    // Each run once, in its order: "starting" before "config missing", run after run.
    const own = out
      .split('\n')
      .filter((l) => l.startsWith('[crash-00001 '))
      .map((l) => l.replace(/^\[[^\]]+\] /, ''));
    expect(own.slice(0, 4)).toEqual([
      'starting crash-fixture',
      'config missing: DATABASE_URL is not set',
      'starting crash-fixture',
      'config missing: DATABASE_URL is not set',
    ]);
    const prev = await run('service', 'logs', 'crash', '--previous');
    expect(prev.exitCode, prev.stderr).toBe(0);
    expect(prev.stdout).toMatch(
      /^\[crash-00001 crash-00001-deployment-\S+\] config missing: DATABASE_URL is not set$/m,
    );
    expect(await run('service', 'delete', 'crash')).toMatchObject({ exitCode: 0 });
  });
});

/** Requests through the gateway to the `logs` service: 200s, plus a 404 and a 500 every tenth. */
async function traffic(h: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const path = i % 10 === 3 ? '/?code=404' : i % 10 === 7 ? '/?code=500' : '/';
    await send(cluster.gatewayPort!, h, { path });
  }
}

describe('service top', () => {
  it('-o json --once: the routed revisions with their requests, latency, pods, CPU and memory', async () => {
    const h = await host('logs');
    await traffic(h, 20);
    // Requests during the interval, until the snapshot is printed.
    let done = false;
    const during = (async () => {
      while (!done) await traffic(h, 10);
    })();
    const r = await run('service', 'top', 'logs', '-o', 'json', '--once', '--interval', '2s');
    done = true;
    await during;
    expect(r.exitCode, r.stderr).toBe(0);
    const snap = JSON.parse(r.stdout) as TopSnapshot;
    expect(snap).toMatchObject({ namespace: 'default', service: 'logs', intervalSeconds: 2 });
    expect(snap.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const byName = new Map(snap.revisions.map((x) => [x.revision, x]));
    for (const name of ['logs-00001', 'logs-00002']) {
      const row = byName.get(name)!;
      expect(row, name).toBeDefined();
      expect(row.service).toBe('logs');
      expect(row.requestsTotal).toBeGreaterThan(0);
      expect(row.pods.actual).toBeGreaterThanOrEqual(1);
      expect(row.pods.desired).toBeGreaterThanOrEqual(1);
      expect(row.memoryBytes).toBeGreaterThan(0);
      expect(typeof row.cpuMillicores).toBe('number');
      expect(Object.keys(row.latencyMs).sort()).toEqual(['p50', 'p90', 'p95', 'p99']);
      expect(row.history.rps).toHaveLength(1);
    }
    const rows = [...byName.values()];
    const requests = rows.reduce((a, x) => a + x.requests, 0);
    expect(requests).toBeGreaterThan(0);
    expect(rows.reduce((a, x) => a + x.status4xx, 0)).toBeGreaterThan(0);
    expect(rows.reduce((a, x) => a + x.status5xx, 0)).toBeGreaterThan(0);
    const busy = rows.find((x) => x.requests > 0)!;
    expect(busy.rps).toBeGreaterThan(0);
    expect(busy.latencyMs.p99).toBeGreaterThan(0);
    expect(busy.latencyMs.p50).toBeLessThanOrEqual(busy.latencyMs.p99!);
    expect(busy.successRate).toBeGreaterThan(0);
  });

  it('without a terminal: a plain snapshot with the table and sparklines, no escape codes', async () => {
    const r = await runBin(['service', 'top', 'logs', '--once', '--interval', '1s'], { env: cluster.env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).toMatch(
      /^service 'logs' in namespace 'default', every 1s, at \d\d:\d\d:\d\d \(metrics: http:/,
    );
    expect(r.stdout).toMatch(
      /^REVISION +REQ\/S +SUCCESS +4XX +5XX +P50 +P90 +P95 +P99 +INFLIGHT +PODS +CPU +MEMORY$/m,
    );
    expect(r.stdout).toMatch(/^logs-00001 +[\d.]+ +\S+ +\d+ +\d+ +(\S+ +){4}\d+ +1\/1 +\d+m +[\d.]+Mi$/m);
    expect(r.stdout).toMatch(/^logs-00002 +req\/s [▁-█]+ +p99\b/m);
  });

  it('without a name: every service of the namespace, with a SERVICE column', async () => {
    const r = await run('service', 'top', '--once', '--interval', '1s');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^all services in namespace 'default', every 1s, /);
    expect(r.stdout).toMatch(/^SERVICE +REVISION +REQ\/S /m);
    expect(r.stdout).toMatch(/^logs +logs-00001 +/m);
  });

  it('on a terminal: redrawn in place with the cursor hidden; Ctrl-C exits 0 and shows it again', async () => {
    const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
    expect(script.status, 'util-linux script is needed for the pseudo-terminal test').toBe(0);
    const child = spawnInTerminal(['service', 'top', 'logs', '--interval', '1s'], cluster.env);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      // Two frames: each starts at the cursor home position and clears what the last one left.
      await waitUntil(
        'two frames',
        () => out.split('\x1b[H').length > 2 && /logs-00001 +[\d.]+ /.test(out),
        30_000,
      );
    } finally {
      child.stdin.write('\x03'); // Ctrl-C through the terminal: SIGINT to the command
    }
    expect(await exited, out).toBe(0);
    expect(out.indexOf('\x1b[?25l')).toBeGreaterThanOrEqual(0);
    expect(out).toContain('\x1b[2J');
    expect(out).toContain('\x1b[J');
    expect(out.lastIndexOf('\x1b[?25h')).toBeGreaterThan(out.lastIndexOf('\x1b[H'));
  });

  it('a missing service, an unreachable metrics URL and bad flags are errors', async () => {
    const missing = await run('service', 'top', 'nope', '--once');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe("Error: service 'nope' not found in namespace 'default'\n");
    const unreachable = await run(
      'service',
      'top',
      'logs',
      '--once',
      '--metrics-url',
      'http://127.0.0.1:1/metrics',
    );
    expect(unreachable.exitCode).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^Error: cannot read the gateway metrics at http:\/\/127\.0\.0\.1:1\/metrics: /,
    );
    for (const [args, message] of [
      [['--interval', '5x'], 'interval "5x" is not a duration (use e.g. 2s or 1m)'],
      [['--interval', '100ms'], 'interval "100ms" is shorter than 1s'],
      [['-o', 'yaml'], 'invalid value "yaml" for -o/--output: service top prints json only'],
    ] as const) {
      const bad = await run('service', 'top', 'logs', ...args);
      expect(bad.exitCode, bad.stderr).toBe(2);
      expect(bad.stderr).toBe(`Error: ${message}\nRun 'knlite service top --help' for usage.\n`);
    }
  });
});
