/**
 * The split topology: a daemon with only `--components api,runtime`, and the reconciler and the
 * gateway as their own processes (`knlite reconciler run`, `knlite gateway run`) with nothing but
 * the daemon's kubeconfig. Every arrow between them is the Kubernetes API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopDaemon, type DaemonState } from '../../src/lib/local/daemon.js';
import { localPaths } from '../../src/lib/local/paths.js';
import { freePort } from '../../src/lib/kubelet/ports.js';
import { requireBuild, ROOT, runBin } from '../support/cli.js';
import { waitUntil } from '../support/wait.js';

const EXAMPLE = join(ROOT, 'examples/hello');

/** One GET through the gateway with the given Host; resolves status and body (never rejects). */
function get(port: number, host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ port, host: '127.0.0.1', path, headers: { host }, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}

describe('split topology: daemon (api, runtime) + reconciler run + gateway run', () => {
  const home = mkdtempSync(join(tmpdir(), 'knlite-split-'));
  const paths = localPaths(home, true);
  const children: ChildProcess[] = [];
  let state: DaemonState;
  let httpPort: number;
  let env: NodeJS.ProcessEnv;

  const knlite = (...argv: string[]) => runBin(argv, { env });
  const kubectl = (...argv: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn('kubectl', argv, { env });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(err || `exit ${code}`))));
    });
  const component = (...argv: string[]): ChildProcess => {
    const child = spawn(process.execPath, ['--', join(ROOT, 'bin/run.js'), ...argv], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  };
  const startGateway = (identity: string, port = httpPort) =>
    component(
      'gateway',
      'run',
      '--kubeconfig',
      state.kubeconfig,
      '--http-port',
      String(port),
      '--admin-port',
      '0',
      '--identity',
      identity,
    );
  const condition = async (resource: string, type: string): Promise<string> =>
    kubectl(
      'get',
      resource,
      '-o',
      `jsonpath={.status.conditions[?(@.type=="${type}")].status}/{.status.conditions[?(@.type=="${type}")].reason}`,
    );
  const lease = async () =>
    kubectl(
      'get',
      'lease',
      '-n',
      'knative-serving',
      'knlite-autoscaler',
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ).catch(() => '');

  beforeAll(async () => {
    requireBuild();
    httpPort = await freePort();
    ({ state } = await startDaemon(paths, { gatewayPort: httpPort, components: ['api', 'runtime'] }));
    env = { ...process.env, KNLITE_HOME: home, KUBECONFIG: state.kubeconfig, NO_COLOR: '1' };
    component('reconciler', 'run', '--kubeconfig', state.kubeconfig, '--no-leader-elect');
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await stopDaemon(paths);
    rmSync(home, { recursive: true, force: true });
  });

  it('without a gateway, the Route waits with IngressNotConfigured and its KIngress is listed', async () => {
    const created = await knlite(
      'service',
      'create',
      'hello',
      '--image',
      EXAMPLE,
      '--env',
      'TARGET=split',
      '--no-wait',
    );
    expect(created.exitCode, created.stderr).toBe(0);
    await waitUntil(
      'the KIngress of route hello',
      async () => (await kubectl('get', 'kingress', '-o', 'name').catch(() => '')).includes('hello'),
      60_000,
    );
    // The revision becomes Ready (reconciler + runtime), the Route cannot: nobody serves its class.
    await waitUntil(
      'revision hello-00001 Ready',
      async () => (await condition('revision/hello-00001', 'Ready')).startsWith('True'),
      60_000,
    );
    expect(await condition('route/hello', 'IngressReady')).toBe('Unknown/IngressNotConfigured');
    expect(
      await kubectl(
        'get',
        'kingress',
        'hello',
        '-o',
        'jsonpath={.metadata.annotations.networking\\.knative\\.dev/ingress\\.class}',
      ),
    ).toBe('knlite.ingress.networking.knative.dev');
  });

  it('a wait that times out without a gateway says what is missing and how to fix it', async () => {
    const r = await knlite('service', 'create', 'waiter', '--image', EXAMPLE, '--wait-timeout', '15');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("timeout: service 'waiter' not ready after 15 seconds: IngressNotConfigured");
    expect(r.stderr).toContain('is the gateway running? Start it with `knlite gateway run`');
  });

  it('starting the gateway makes the Route Ready and the URL answers', async () => {
    startGateway('gw-1');
    await waitUntil(
      'route hello Ready',
      async () => (await condition('route/hello', 'Ready')) === 'True/',
      60_000,
    );
    expect(await condition('kingress/hello', 'Ready')).toBe('True/');
    const answer = await waitUntil(
      'hello answers',
      async () => {
        const r = await get(httpPort, 'hello.default.localhost');
        return r.status === 200 ? r : undefined;
      },
      60_000,
    );
    expect(answer.body).toContain('Hello split!');
  });

  it('splits 50/50 with a tag URL', async () => {
    expect((await knlite('service', 'update', 'hello', '--env', 'TARGET=two', '--no-wait')).exitCode).toBe(0);
    await waitUntil(
      'revision hello-00002 Ready',
      async () => (await condition('revision/hello-00002', 'Ready')).startsWith('True'),
      60_000,
    );
    const split = await knlite(
      'traffic',
      'split',
      'hello',
      '--traffic',
      'hello-00001=50',
      '--traffic',
      '@latest=50',
      '--tag',
      'hello-00001=blue',
    );
    expect(split.exitCode, split.stderr).toBe(0);
    await waitUntil(
      'the blue tag URL answers from hello-00001',
      async () => (await get(httpPort, 'blue-hello.default.localhost')).body.includes('Hello split!'),
      60_000,
    );
    const seen = new Set<string>();
    await waitUntil(
      'both revisions answer the main host',
      async () => {
        seen.add((await get(httpPort, 'hello.default.localhost')).body.trim());
        return seen.size >= 2;
      },
      60_000,
      0,
    );
    expect([...seen].sort()).toEqual(['Hello split! (hello-00001)', 'Hello two! (hello-00002)']);
  });

  it('a DomainMapping serves its Service through the gateway', async () => {
    const mapped = await knlite('domain', 'create', 'www.split.test', '--ref', 'hello');
    expect(mapped.exitCode, mapped.stderr).toBe(0);
    await waitUntil(
      'domainmapping Ready',
      async () => (await condition('domainmapping/www.split.test', 'Ready')) === 'True/',
      60_000,
    );
    expect((await get(httpPort, 'www.split.test')).body).toMatch(/^Hello (split|two)!/);
  });

  it('scales an idle revision to zero and answers the next request from zero', async () => {
    const created = await knlite(
      'service',
      'create',
      'sleepy',
      '--image',
      EXAMPLE,
      '--no-wait',
      '--annotation',
      'autoscaling.knative.dev/window=6s',
      '--concurrency-limit',
      '1',
    );
    expect(created.exitCode, created.stderr).toBe(0);
    await waitUntil(
      'sleepy answers',
      async () => (await get(httpPort, 'sleepy.default.localhost')).status === 200,
      60_000,
    );
    await kubectl(
      'patch',
      'cm',
      '-n',
      'knative-serving',
      'config-autoscaler',
      '--type',
      'merge',
      '-p',
      '{"data":{"scale-to-zero-grace-period":"6s"}}',
    );
    const replicas = () =>
      kubectl('get', 'deploy', 'sleepy-00001-deployment', '-o', 'jsonpath={.spec.replicas}');
    await waitUntil('sleepy at zero', async () => (await replicas()) === '0', 90_000, 200);
    // The gateway (a separate process) buffers the request, pokes its autoscaler and forwards it.
    const answer = await get(httpPort, 'sleepy.default.localhost');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('(sleepy-00001)');
  });

  it('containerConcurrency 1: no instance ever sees two requests at once (5 parallel clients)', async () => {
    // The app answers 500 if it ever has two requests in flight, like Knative's conformance image.
    const script =
      "let n=0;require('http').createServer((q,s)=>{n++;const bad=n>1;setTimeout(()=>{n--;s.writeHead(bad?500:200);s.end(bad?'concurrent':'ok')},20)}).listen(process.env.PORT,process.env.HOST)";
    const created = await knlite(
      'service',
      'create',
      'single',
      '--image',
      EXAMPLE,
      '--cmd',
      'node',
      '--arg',
      '--eval',
      '--arg',
      script,
      '--concurrency-limit',
      '1',
      '--scale-max',
      '2',
    );
    expect(created.exitCode, created.stderr).toBe(0);
    const client = async (): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await get(httpPort, 'single.default.localhost')).status);
      return statuses;
    };
    const statuses = (await Promise.all(Array.from({ length: 5 }, client))).flat();
    expect(statuses).toEqual(Array(100).fill(200));
  });

  it('a sustained load scales out above one instance and back in afterwards', async () => {
    const created = await knlite(
      'service',
      'create',
      'busy',
      '--image',
      join(ROOT, 'examples/autoscale'),
      '--scale-window',
      '6s',
      '--scale-target',
      '2',
      '--scale-max',
      '3',
      '--scale-min',
      '1',
    );
    expect(created.exitCode, created.stderr).toBe(0);
    const ready = async () =>
      Number(
        (await kubectl('get', 'deploy', 'busy-00001-deployment', '-o', 'jsonpath={.status.readyReplicas}')) ||
          0,
      );
    const wanted = async () =>
      Number(await kubectl('get', 'deploy', 'busy-00001-deployment', '-o', 'jsonpath={.spec.replicas}'));
    let loading = true;
    const worker = async (): Promise<void> => {
      while (loading) await get(httpPort, 'busy.default.localhost', '/?sleep=200');
    };
    const workers = Array.from({ length: 8 }, worker);
    try {
      await waitUntil('more than one ready instance', async () => (await ready()) > 1, 90_000, 250);
    } finally {
      loading = false;
      await Promise.all(workers);
    }
    await waitUntil(
      'scaled back in to one instance',
      async () => (await wanted()) === 1 && (await ready()) <= 1,
      120_000,
      500,
    );
  });

  it('after kill -9 of the gateway, a restarted gateway re-programs from the KIngresses; the Route never flips', async () => {
    const [gw] = children.filter((c) => c.spawnargs.includes('gw-1'));
    gw.kill('SIGKILL');
    await waitUntil(
      'the gateway port to close',
      async () => (await get(httpPort, 'hello.default.localhost')).status === 0,
    );
    expect(await condition('route/hello', 'Ready')).toBe('True/');
    startGateway('gw-2');
    await waitUntil(
      'hello answers again',
      async () => (await get(httpPort, 'hello.default.localhost')).status === 200,
      60_000,
    );
    expect(await condition('route/hello', 'Ready')).toBe('True/');
  });

  it('a second gateway stands by and takes over the autoscaler Lease when the leader dies', async () => {
    await waitUntil('gw-2 to hold the lease', async () => (await lease()) === 'gw-2', 60_000);
    startGateway('gw-3', await freePort());
    const [leader] = children.filter((c) => c.spawnargs.includes('gw-2'));
    leader.kill('SIGKILL');
    // client-go's lease duration (15 s) bounds the takeover.
    await waitUntil('gw-3 to take the lease', async () => (await lease()) === 'gw-3', 45_000);
  });
});
