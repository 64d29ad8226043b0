/**
 * Test helpers for the API server suites: start a real server on a temp data dir and talk to it
 * over real HTTPS (trusting its generated CA), or through client-node with its kubeconfig.
 */
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

/** Starts a server on a fresh temp dir (or `dir`). */
export async function startTestServer(opts: Partial<ApiServerOptions> = {}): Promise<TestServer> {
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
