import { createServer as createH2cServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { parseConfigs } from '../../src/lib/apis/config/index.js';
import { KNLITE_INGRESS_CLASS } from '../../src/lib/apis/keys.js';
import type { ConfigMap, DomainMapping, Ingress, Route } from '../../src/lib/apis/types.js';
import { makeDomainMappingIngress } from '../../src/lib/controller/domainmapping/resources/ingress.js';
import { makeIngress } from '../../src/lib/controller/route/resources/ingress.js';
import type { RevisionTarget } from '../../src/lib/controller/route/resources/traffic.js';
import { startAdminServer } from '../../src/lib/dataplane/admin.js';
import { makeIngressTable } from '../../src/lib/dataplane/ingress-table.js';
import { revisionKey } from '../../src/lib/dataplane/state.js';
import {
  closedPort,
  makeRevision,
  send,
  serve,
  spawnInstance,
  startInstance,
  startTestGateway,
  type TestGateway,
} from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function gateway(limits = {}): Promise<TestGateway> {
  const gw = await startTestGateway(limits);
  cleanups.push(() => gw.close());
  return gw;
}

/** An instance answering with its revision name. */
async function named(name: string) {
  const inst = await startInstance((_req, res) => res.end(name));
  cleanups.push(() => inst.close());
  return inst;
}

/** Knative's configs with the local cluster's `localhost` domain. */
const CONFIGS = parseConfigs((name) =>
  name === 'config-domain' ? ({ metadata: { name }, data: { localhost: '' } } as ConfigMap) : undefined,
);

/** The KIngress the Route reconciler writes for a route resolved to `targets`. */
function route(name: string, targets: RevisionTarget[]): Ingress {
  const r: Route = {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Route',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: {},
  };
  return makeIngress(r, targets, CONFIGS, KNLITE_INGRESS_CLASS);
}

describe('host routing', () => {
  it('routes the route host, its tag hosts and the cluster-local names', async () => {
    const gw = await gateway();
    const [one, two] = [await named('hello-00001'), await named('hello-00002')];
    serve(gw.state, makeRevision('default', 'hello-00001'), [one.instance]);
    serve(gw.state, makeRevision('default', 'hello-00002'), [two.instance]);
    const table = makeIngressTable([
      route('hello', [
        { revisionName: 'hello-00001', percent: 100, tag: 'current' },
        { revisionName: 'hello-00002', percent: 0, tag: 'next' },
      ]),
    ]);
    gw.state.setHosts(table.hosts);

    expect((await send(gw.port, 'hello.default.localhost:8080')).body).toBe('hello-00001');
    expect((await send(gw.port, 'HELLO.default.localhost')).body).toBe('hello-00001');
    expect((await send(gw.port, 'next-hello.default.localhost:8080')).body).toBe('hello-00002');
    expect((await send(gw.port, 'current-hello.default.localhost')).body).toBe('hello-00001');
    expect((await send(gw.port, 'hello.default.svc.cluster.local')).body).toBe('hello-00001');
    expect((await send(gw.port, 'hello.default.svc')).body).toBe('hello-00001');
    expect((await send(gw.port, 'next-hello.default.svc.cluster.local')).body).toBe('hello-00002');
    expect(table.reachable).toEqual(new Set(['default/hello-00001', 'default/hello-00002']));
  });

  it('splits 50/50 traffic so each revision gets 35–65% of 200 requests', async () => {
    const gw = await gateway();
    const [one, two] = [await named('hello-00001'), await named('hello-00002')];
    serve(gw.state, makeRevision('default', 'hello-00001'), [one.instance]);
    serve(gw.state, makeRevision('default', 'hello-00002'), [two.instance]);
    gw.state.setHosts(
      makeIngressTable([
        route('hello', [
          { revisionName: 'hello-00001', percent: 50 },
          { revisionName: 'hello-00002', percent: 50 },
        ]),
      ]).hosts,
    );
    const counts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const { status, body } = await send(gw.port, 'hello.default.localhost');
      expect(status).toBe(200);
      counts.set(body, (counts.get(body) ?? 0) + 1);
    }
    for (const rev of ['hello-00001', 'hello-00002']) {
      expect(counts.get(rev)).toBeGreaterThanOrEqual(70);
      expect(counts.get(rev)).toBeLessThanOrEqual(130);
    }
  });

  it('serves a DomainMapping host with the route host and K-Original-Host', async () => {
    const gw = await gateway();
    const inst = await startInstance((req, res) =>
      res.end(JSON.stringify({ host: req.headers.host, original: req.headers['k-original-host'] })),
    );
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'hello-00001'), [inst.instance]);
    const dm: DomainMapping = {
      metadata: { name: 'www.example.com', namespace: 'default', uid: 'uid-dm' },
      spec: { ref: { name: 'hello', kind: 'Service', apiVersion: 'serving.knative.dev/v1' } },
    };
    gw.state.setHosts(
      makeIngressTable([
        makeDomainMappingIngress(dm, 'hello.default.svc.cluster.local', KNLITE_INGRESS_CLASS),
        route('hello', [{ revisionName: 'hello-00001', percent: 100 }]),
      ]).hosts,
    );
    const answer = await send(gw.port, 'www.example.com:8080');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      host: 'hello.default.svc.cluster.local',
      original: 'www.example.com:8080',
    });
  });

  it('answers an unknown host with 404 and a one-line body naming it', async () => {
    const gw = await gateway();
    const answer = await send(gw.port, 'nope.default.localhost:8080');
    expect(answer.status).toBe(404);
    expect(answer.body).toBe('knlite: no Knative route for host "nope.default.localhost"\n');
  });
});

describe('proxying', () => {
  it('strips hop-by-hop headers both ways and adds Forwarded / X-Forwarded-*', async () => {
    const gw = await gateway();
    const inst = await startInstance((req, res) => {
      res.writeHead(200, { connection: 'x-internal', 'x-internal': 'secret', 'x-kept': 'yes' });
      res.end(JSON.stringify(req.headers));
    });
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'hello-00001'), [inst.instance]);
    gw.state.setHost('hello.default.localhost', {
      namespace: 'default',
      route: 'hello',
      splits: [{ revision: 'hello-00001', percent: 100 }],
    });
    const answer = await send(gw.port, 'hello.default.localhost:8080', {
      headers: {
        connection: 'keep-alive, x-hop',
        'x-hop': 'drop me',
        'keep-alive': 'timeout=5',
        'proxy-authorization': 'Basic Zm9v',
        te: 'gzip',
        'x-forwarded-for': '10.0.0.1',
        'x-end-to-end': 'keep me',
      },
    });
    const seen = JSON.parse(answer.body) as Record<string, string>;
    for (const h of ['x-hop', 'keep-alive', 'proxy-authorization', 'te']) expect(seen[h]).toBeUndefined();
    expect(seen['x-end-to-end']).toBe('keep me');
    expect(seen['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBe('hello.default.localhost:8080');
    expect(seen.forwarded).toBe('for=127.0.0.1;host="hello.default.localhost:8080";proto=http');
    expect(answer.headers['x-internal']).toBeUndefined();
    expect(answer.headers['x-kept']).toBe('yes');
  });

  it('streams request and response bodies and limits body size', async () => {
    const gw = await gateway({ maxRequestBodyBytes: 1024 });
    const inst = await startInstance((req, res) => req.pipe(res));
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'echo-00001'), [inst.instance]);
    gw.state.setHost('echo.default.localhost', {
      namespace: 'default',
      route: 'echo',
      splits: [{ revision: 'echo-00001', percent: 100 }],
    });
    const body = 'x'.repeat(1000);
    expect(await send(gw.port, 'echo.default.localhost', { method: 'POST', body })).toMatchObject({
      status: 200,
      body,
    });
    const big = await send(gw.port, 'echo.default.localhost', { method: 'POST', body: 'y'.repeat(2048) });
    expect(big.status).toBe(413);
  });

  it('retries a refused connection on another instance, answers 503 when none is left, and 502 on a crash', async () => {
    const gw = await gateway({ retryWaitMs: 200 });
    const port = await closedPort();
    const dead = { id: `127.0.0.1:${port}`, ip: '127.0.0.1', port };
    const alive = await named('alive');
    serve(gw.state, makeRevision('default', 'flaky-00001'), [dead, alive.instance]);
    gw.state.setHost('flaky.default.localhost', {
      namespace: 'default',
      route: 'flaky',
      splits: [{ revision: 'flaky-00001', percent: 100 }],
    });
    for (let i = 0; i < 4; i++)
      expect(await send(gw.port, 'flaky.default.localhost')).toMatchObject({ status: 200, body: 'alive' });

    serve(gw.state, makeRevision('default', 'gone-00001'), [dead]);
    gw.state.setHost('gone.default.localhost', {
      namespace: 'default',
      route: 'gone',
      splits: [{ revision: 'gone-00001', percent: 100 }],
    });
    const refused = await send(gw.port, 'gone.default.localhost');
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('no ready instance of revision "gone-00001"');
    const withBody = await send(gw.port, 'gone.default.localhost', { method: 'POST', body: 'data' });
    expect([502, 503]).toContain(withBody.status);

    const crashing = await spawnInstance(
      "const s=require('http').createServer(()=>process.exit(3));s.listen(0,'127.0.0.1',()=>console.log(s.address().port))",
    );
    cleanups.push(() => crashing.kill());
    serve(gw.state, makeRevision('default', 'crash-00001'), [crashing.instance]);
    gw.state.setHost('crash.default.localhost', {
      namespace: 'default',
      route: 'crash',
      splits: [{ revision: 'crash-00001', percent: 100 }],
    });
    const crashed = await send(gw.port, 'crash.default.localhost');
    expect([502, 503]).toContain(crashed.status);
  });

  it('retries an idempotent request once when the instance resets the connection before answering', async () => {
    const gw = await gateway();
    let seen = 0;
    const inst = await startInstance((req, res) => {
      if (++seen === 1 || req.method === 'POST') return void req.socket.destroy();
      res.end('second try');
    });
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'reset-00001'), [inst.instance]);
    gw.state.setHost('reset.default.localhost', {
      namespace: 'default',
      route: 'reset',
      splits: [{ revision: 'reset-00001', percent: 100 }],
    });
    expect(await send(gw.port, 'reset.default.localhost')).toMatchObject({ status: 200, body: 'second try' });
    const posted = await send(gw.port, 'reset.default.localhost', { method: 'POST', body: 'x' });
    expect(posted.status).toBe(502);
    expect(posted.body).toContain('ECONNRESET');
  });

  it('passes WebSocket upgrades through', async () => {
    const gw = await gateway();
    const inst = await startInstance((_req, res) => res.end('plain'));
    cleanups.push(() => inst.close());
    const wss = new WebSocketServer({ server: inst.server });
    wss.on('connection', (ws, req) =>
      ws.on('message', (m) => ws.send(`echo:${m.toString()} via ${req.headers.host}`)),
    );
    cleanups.push(() => wss.close());
    serve(gw.state, makeRevision('default', 'ws-00001'), [inst.instance]);
    gw.state.setHost('ws.default.localhost', {
      namespace: 'default',
      route: 'ws',
      splits: [{ revision: 'ws-00001', percent: 100 }],
    });

    const client = new WebSocket(`ws://127.0.0.1:${gw.port}/socket`, {
      headers: { host: 'ws.default.localhost' },
    });
    cleanups.push(() => client.terminate());
    const reply = await new Promise<string>((resolve, reject) => {
      client.on('open', () => client.send('hi'));
      client.on('message', (m) => resolve(m.toString()));
      client.on('error', reject);
    });
    expect(reply).toBe('echo:hi via ws.default.localhost');
  });

  it('speaks h2c to revisions whose port is named h2c', async () => {
    const gw = await gateway();
    const h2 = createH2cServer((req, res) => res.end(`h2 ${req.httpVersion} ${req.headers[':authority']}`));
    await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => h2.close(() => r())));
    const port = (h2.address() as AddressInfo).port;
    serve(gw.state, makeRevision('default', 'grpc-00001', { protocol: 'h2c' }), [
      { id: `127.0.0.1:${port}`, ip: '127.0.0.1', port },
    ]);
    gw.state.setHost('grpc.default.localhost', {
      namespace: 'default',
      route: 'grpc',
      splits: [{ revision: 'grpc-00001', percent: 100 }],
    });
    const answer = await send(gw.port, 'grpc.default.localhost');
    expect(answer).toMatchObject({ status: 200, body: 'h2 2.0 grpc.default.localhost' });
    gw.deps.h2c.close();
  });
});

describe('containerConcurrency', () => {
  it('with CC=1 and 5 parallel clients no instance ever sees two requests, and all get 200', async () => {
    const gw = await gateway();
    let current = 0;
    let max = 0;
    const inst = await startInstance((_req, res) => {
      current++;
      max = Math.max(max, current);
      setTimeout(() => {
        current--;
        res.end('ok');
      }, 5);
    });
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'single-00001', { containerConcurrency: 1 }), [inst.instance]);
    gw.state.setHost('single.default.localhost', {
      namespace: 'default',
      route: 'single',
      splits: [{ revision: 'single-00001', percent: 100 }],
    });
    const client = async (): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await send(gw.port, 'single.default.localhost')).status);
      return statuses;
    };
    const all = (await Promise.all(Array.from({ length: 5 }, client))).flat();
    expect(all).toHaveLength(100);
    expect(all.every((s) => s === 200)).toBe(true);
    expect(max).toBe(1);
  });

  it('queues 10×CC per instance, then answers 503 pending request queue full', async () => {
    const gw = await gateway();
    const held: (() => void)[] = [];
    const inst = await startInstance((_req, res) => held.push(() => res.end('done')));
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'busy-00001', { containerConcurrency: 1 }), [inst.instance]);
    gw.state.setHost('busy.default.localhost', {
      namespace: 'default',
      route: 'busy',
      splits: [{ revision: 'busy-00001', percent: 100 }],
    });
    const throttler = gw.deps.throttlers.get(revisionKey('default', 'busy-00001'));
    const accepted = Array.from({ length: 11 }, () => send(gw.port, 'busy.default.localhost'));
    await vi.waitFor(() => expect(held.length === 1 && throttler.queued() === 10).toBe(true), {
      timeout: 10_000,
    });
    const rejected = await send(gw.port, 'busy.default.localhost');
    expect(rejected).toMatchObject({ status: 503, body: 'pending request queue full\n' });
    // Release requests one by one as they reach the instance.
    const release = setInterval(() => held.shift()?.(), 1);
    cleanups.push(() => clearInterval(release));
    expect((await Promise.all(accepted)).map((a) => a.status)).toEqual(Array(11).fill(200));
  });
});

describe('activator', () => {
  it('buffers requests for a revision with no instance, pokes the autoscaler and releases them when one is ready', async () => {
    const gw = await gateway();
    serve(gw.state, makeRevision('default', 'cold-00001'), []);
    gw.state.setHost('cold.default.localhost', {
      namespace: 'default',
      route: 'cold',
      splits: [{ revision: 'cold-00001', percent: 100 }],
    });
    const pending = Promise.all([
      send(gw.port, 'cold.default.localhost'),
      send(gw.port, 'cold.default.localhost'),
    ]);
    await vi.waitFor(() => expect(gw.metrics.inflight('default/cold-00001')).toBe(2), { timeout: 10_000 });
    expect(gw.pokes).toContain('default/cold-00001');
    const inst = await named('warm');
    gw.state.setInstances('default/cold-00001', [inst.instance]);
    expect((await pending).map((a) => [a.status, a.body])).toEqual([
      [200, 'warm'],
      [200, 'warm'],
    ]);
  });

  it('answers 503 when the activator buffer is full', async () => {
    const gw = await gateway({ activatorQueueDepth: 2 });
    serve(gw.state, makeRevision('default', 'cold-00001', { timeoutSeconds: 1 }), []);
    gw.state.setHost('cold.default.localhost', {
      namespace: 'default',
      route: 'cold',
      splits: [{ revision: 'cold-00001', percent: 100 }],
    });
    const buffered = [send(gw.port, 'cold.default.localhost'), send(gw.port, 'cold.default.localhost')];
    await vi.waitFor(() => expect(gw.deps.buffered.get('default/cold-00001')).toBe(2), { timeout: 10_000 });
    expect((await send(gw.port, 'cold.default.localhost')).status).toBe(503);
    // Never served: the revision timeout answers them.
    expect((await Promise.all(buffered)).map((a) => a.status)).toEqual([504, 504]);
  });
});

describe('timeouts', () => {
  it('answers 504 request timeout when nothing was written before timeoutSeconds', async () => {
    const gw = await gateway();
    const inst = await startInstance(() => {}); // never answers
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'slow-00001', { timeoutSeconds: 1 }), [inst.instance]);
    gw.state.setHost('slow.default.localhost', {
      namespace: 'default',
      route: 'slow',
      splits: [{ revision: 'slow-00001', percent: 100 }],
    });
    expect(await send(gw.port, 'slow.default.localhost')).toMatchObject({
      status: 504,
      body: 'request timeout\n',
    });
  });

  it('lets a response that started in time stream past timeoutSeconds', async () => {
    const gw = await gateway();
    const inst = await startInstance((_req, res) => {
      res.write('start;');
      let n = 0;
      const tick = setInterval(() => {
        res.write(`${++n};`);
        if (n === 6) {
          clearInterval(tick);
          res.end('end');
        }
      }, 300);
    });
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'stream-00001', { timeoutSeconds: 1 }), [inst.instance]);
    gw.state.setHost('stream.default.localhost', {
      namespace: 'default',
      route: 'stream',
      splits: [{ revision: 'stream-00001', percent: 100 }],
    });
    expect(await send(gw.port, 'stream.default.localhost')).toMatchObject({
      status: 200,
      body: 'start;1;2;3;4;5;6;end',
    });
  });

  it('answers 504 at responseStartTimeoutSeconds and cuts a response off after idleTimeoutSeconds', async () => {
    const gw = await gateway();
    const silent = await startInstance(() => {});
    cleanups.push(() => silent.close());
    serve(gw.state, makeRevision('default', 'start-00001', { responseStartTimeoutSeconds: 1 }), [
      silent.instance,
    ]);
    gw.state.setHost('start.default.localhost', {
      namespace: 'default',
      route: 'start',
      splits: [{ revision: 'start-00001', percent: 100 }],
    });
    expect((await send(gw.port, 'start.default.localhost')).status).toBe(504);

    const stalls = await startInstance((_req, res) => res.write('first'));
    cleanups.push(() => stalls.close());
    serve(gw.state, makeRevision('default', 'idle-00001', { idleTimeoutSeconds: 1 }), [stalls.instance]);
    gw.state.setHost('idle.default.localhost', {
      namespace: 'default',
      route: 'idle',
      splits: [{ revision: 'idle-00001', percent: 100 }],
    });
    await expect(send(gw.port, 'idle.default.localhost')).rejects.toThrow();
  });
});

describe('metrics', () => {
  it('exposes the contract series on the admin port', async () => {
    const gw = await gateway();
    const inst = await named('hello-00001');
    serve(gw.state, makeRevision('default', 'hello-00001', { service: 'hello' }), [inst.instance]);
    gw.state.setHost('hello.default.localhost', {
      namespace: 'default',
      route: 'hello',
      splits: [{ revision: 'hello-00001', percent: 100 }],
    });
    for (let i = 0; i < 3; i++) await send(gw.port, 'hello.default.localhost');
    gw.metrics.setPods('default', 'hello-00001', 2, 1);
    const admin = await startAdminServer(gw.metrics, { host: '127.0.0.1', port: 0 });
    cleanups.push(() => admin.close());
    const text = (await send(admin.port, 'localhost', { path: '/metrics' })).body;
    expect(text).toContain(
      'knlite_requests_total{namespace="default",service="hello",revision="hello-00001",code="200"} 3',
    );
    expect(text).toContain(
      'knlite_request_duration_seconds_bucket{le="0.005",namespace="default",service="hello",revision="hello-00001"}',
    );
    expect(text).toContain(
      'knlite_request_duration_seconds_count{namespace="default",service="hello",revision="hello-00001"} 3',
    );
    expect(text).toContain('knlite_inflight_requests{namespace="default",revision="hello-00001"} 0');
    expect(text).toContain('knlite_desired_pods{namespace="default",revision="hello-00001"} 2');
    expect(text).toContain('knlite_actual_pods{namespace="default",revision="hello-00001"} 1');
    expect((await send(admin.port, 'localhost', { path: '/healthz' })).status).toBe(200);
  });

  it('feeds time-weighted concurrency and request rate to the autoscaler', async () => {
    const gw = await gateway();
    const held: (() => void)[] = [];
    const inst = await startInstance((_req, res) => held.push(() => res.end()));
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'load-00001'), [inst.instance]);
    gw.state.setHost('load.default.localhost', {
      namespace: 'default',
      route: 'load',
      splits: [{ revision: 'load-00001', percent: 100 }],
    });
    gw.metrics.sample('default/load-00001');
    const pending = Array.from({ length: 3 }, () => send(gw.port, 'load.default.localhost'));
    await vi.waitFor(() => expect(held).toHaveLength(3), { timeout: 10_000 });
    const sample = gw.metrics.sample('default/load-00001');
    expect(sample.concurrency).toBeGreaterThan(0);
    expect(sample.concurrency).toBeLessThanOrEqual(3);
    expect(sample.rps).toBeGreaterThan(0);
    for (const release of held) release();
    await Promise.all(pending);
  });
});

describe('request rules (RFC 9112 §3.2)', () => {
  /** Sends raw bytes and resolves the status line of the answer. */
  async function raw(port: number, text: string): Promise<string> {
    const { connect } = await import('node:net');
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(text));
      let data = '';
      socket.on('data', (c: Buffer) => {
        data += c.toString();
        if (data.includes('\r\n')) {
          resolve(data.slice(0, data.indexOf('\r\n')));
          socket.destroy();
        }
      });
      socket.on('error', reject);
    });
  }

  it('answers 400 to two Host headers, a missing Host on HTTP/1.1 and an invalid Host, and forwards nothing', async () => {
    const gw = await gateway();
    let forwarded = 0;
    const inst = await startInstance((_req, res) => {
      forwarded++;
      res.end('hello-00001');
    });
    cleanups.push(() => inst.close());
    serve(gw.state, makeRevision('default', 'hello-00001'), [inst.instance]);
    gw.state.setHosts(
      makeIngressTable([route('hello', [{ revisionName: 'hello-00001', percent: 100 }])]).hosts,
    );

    const two = 'GET / HTTP/1.1\r\nHost: hello.default.localhost\r\nHost: other.default.localhost\r\n\r\n';
    expect(await raw(gw.port, two)).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(gw.port, 'GET / HTTP/1.1\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await raw(gw.port, 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(forwarded).toBe(0);
    // One valid Host is served.
    expect(await raw(gw.port, 'GET / HTTP/1.1\r\nHost: hello.default.localhost\r\n\r\n')).toBe(
      'HTTP/1.1 200 OK',
    );
  });
});
