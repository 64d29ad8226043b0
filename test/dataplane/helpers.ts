/**
 * Real pieces for gateway tests: a gateway on a random port driven through its GatewayState (the
 * object informers update in production), small HTTP servers as instances, and a plain HTTP client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type RequestListener,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  makeGatewayDeps,
  type GatewayDeps,
  type GatewayLimits,
} from '../../src/lib/dataplane/gateway/deps.js';
import { startGateway, type Gateway } from '../../src/lib/dataplane/gateway/server.js';
import { DataPlaneMetrics } from '../../src/lib/dataplane/metrics.js';
import {
  DEFAULT_TIMEOUT_SECONDS,
  GatewayState,
  revisionKey,
  type Instance,
  type RevisionTarget,
} from '../../src/lib/dataplane/state.js';

/** A gateway under test. */
export interface TestGateway {
  state: GatewayState;
  metrics: DataPlaneMetrics;
  deps: GatewayDeps;
  gateway: Gateway;
  port: number;
  pokes: string[];
  close(): Promise<void>;
}

/** Starts a gateway on 127.0.0.1:0 with an empty state. */
export async function startTestGateway(limits: Partial<GatewayLimits> = {}): Promise<TestGateway> {
  const state = new GatewayState();
  const metrics = new DataPlaneMetrics();
  const pokes: string[] = [];
  const deps = makeGatewayDeps({ state, metrics, poke: (key) => pokes.push(key), limits });
  const gateway = await startGateway(deps, { host: '127.0.0.1', port: 0 });
  return { state, metrics, deps, gateway, port: gateway.port, pokes, close: () => gateway.close() };
}

/** A revision with Knative's defaults plus overrides. */
export function makeRevision(
  namespace: string,
  name: string,
  over: Partial<RevisionTarget> = {},
): RevisionTarget {
  return {
    namespace,
    name,
    service: name.replace(/-\d+$/, ''),
    containerConcurrency: 0,
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    protocol: 'http1',
    annotations: {},
    ...over,
  };
}

/** An in-test HTTP server standing in for one instance of a revision. */
export interface TestInstance {
  server: Server;
  instance: Instance;
  close(): Promise<void>;
}

/** Starts an instance on 127.0.0.1:0. */
export async function startInstance(handler: RequestListener, pod = 'pod'): Promise<TestInstance> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    instance: { id: `127.0.0.1:${port}`, ip: '127.0.0.1', port, pod },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Registers a revision and its instances in the state. */
export function serve(state: GatewayState, rev: RevisionTarget, instances: Instance[]): void {
  state.setRevision(rev);
  state.setInstances(revisionKey(rev.namespace, rev.name), instances);
}

/** A finished HTTP exchange as the client saw it. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Sends one request to the gateway with the given Host header. */
export function send(
  port: number,
  host: string,
  opts: { path?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/',
        method: opts.method ?? 'GET',
        headers: { host, ...opts.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A node child process serving HTTP; resolves once it printed its port. */
export async function spawnInstance(
  script: string,
): Promise<{ child: ChildProcess; instance: Instance; kill(): void }> {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`instance exited early with ${code}`)));
  });
  return {
    child,
    instance: { id: `127.0.0.1:${port}`, ip: '127.0.0.1', port },
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** A port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
