/**
 * The one way tests start an API server on its own: `startTestApiServer` runs a real server on a
 * temp data dir, to talk to over real HTTPS (`req`, trusting its generated CA), through client-node
 * (`kc`) or with real kubectl (`startKubectlEnv`). Plus small object bodies the suites share.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/lib/apiserver/server.js';

/** A raw HTTP response. */
export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

/** A started server plus a request helper. */
export interface TestServer {
  server: ApiServer;
  dir: string;
  kc: KubeConfig;
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Res>;
  close(): Promise<void>;
}

/** Sends one HTTPS request to the server; `body` objects are JSON-encoded, strings sent as-is. */
export function request(
  server: Pick<ApiServer, 'url' | 'caPem' | 'token'>,
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Res> {
  const url = new URL(p, server.url);
  const payload =
    body === undefined
      ? undefined
      : typeof body === 'string' || Buffer.isBuffer(body)
        ? body
        : JSON.stringify(body);
  const h: Record<string, string> = { authorization: `Bearer ${server.token}`, ...headers };
  if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
    h['content-type'] = 'application/json';
  if (h.authorization === '') delete h.authorization;
  // DELETE bodies are not chunked by default: send an explicit length.
  if (payload !== undefined) h['content-length'] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const r = https.request(url, { method, ca: server.caPem, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    if (payload !== undefined) r.write(payload);
    r.end();
  });
}

/** Starts a server on a fresh temp dir (or `opts.dataDir`, which is then left in place). */
export async function startTestApiServer(opts: Partial<ApiServerOptions> = {}): Promise<TestServer> {
  const dir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'knlite-apiserver-'));
  const server = await startApiServer({ port: 0, ...opts, dataDir: dir });
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  return {
    server,
    dir,
    kc,
    req: (method, p, body, headers) => request(server, method, p, body, headers),
    close: async () => {
      await server.close();
      if (!opts.dataDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A minimal Knative Service body. */
export function ksvc(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, ...((extra.metadata as object) ?? {}) },
    spec: { template: { spec: { containers: [{ image: 'example.com/hello' }] } } },
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'metadata')),
  };
}

/** A ConfigMap body. */
export function configMap(
  name: string,
  data: Record<string, string> = {},
  labels?: Record<string, string>,
): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

export const KSVC = '/apis/serving.knative.dev/v1/namespaces/default/services';
export const CM = '/api/v1/namespaces/default/configmaps';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/** One kubectl run. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A server plus a kubectl bound to it. */
export interface KubectlEnv {
  server: ApiServer;
  home: string;
  kubectl(args: string[], stdin?: string): Promise<Run>;
  close(): Promise<void>;
}

/**
 * Real `kubectl` against a test server: a private HOME (so kubectl's discovery and OpenAPI cache
 * stay out of ~/.kube) per call. CI installs kubectl; a missing kubectl fails the suite.
 */
export async function startKubectlEnv(opts: Partial<ApiServerOptions> = {}): Promise<KubectlEnv> {
  const probe = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(`kubectl is required for this suite: ${probe.error?.message ?? probe.stderr}`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'knlite-kubectl2-'));
  const { server } = await startTestApiServer({ dataDir: path.join(home, 'data'), ...opts });
  const kubeconfig = path.join(home, 'kubeconfig');
  fs.writeFileSync(kubeconfig, server.kubeconfig(), { mode: 0o600 });
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: home };
  const kubectl = (args: string[], stdin?: string): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = execFile(
        KUBECTL,
        ['--request-timeout=20s', ...args],
        { env, timeout: 30_000 },
        (err, stdout, stderr) => {
          if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
          resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
        },
      );
      if (stdin !== undefined) child.stdin?.end(stdin);
    });
  return {
    server,
    home,
    kubectl,
    async close() {
      await server.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
