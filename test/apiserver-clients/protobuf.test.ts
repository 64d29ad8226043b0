/**
 * kubectl 1.32 sends `create namespace|configmap|secret` as protobuf (and does not retry as JSON
 * after a 415), and asks for /openapi/v2 in protobuf when it validates a kind the server's OpenAPI
 * v3 does not list: both must work like kube-apiserver.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';
import { clientEnv, kubectl, requireKubectl } from './clients.js';

let server: ApiServer;
let home = '';
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  requireKubectl();
  home = mkdtempSync(join(tmpdir(), 'knlite-proto-'));
  server = (await startTestApiServer({ dataDir: join(home, 'data'), port: 0 })).server;
  const kubeconfigPath = join(home, 'kubeconfig');
  writeFileSync(kubeconfigPath, server.kubeconfig(), { mode: 0o600 });
  env = clientEnv(kubeconfigPath, home);
});

afterAll(async () => {
  await server?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('protobuf from kubectl 1.32', () => {
  it('creates a namespace, a configmap and a generic secret sent as protobuf', async () => {
    const ns = await kubectl(env, ['create', 'namespace', 'proto-ns', '-v=8']);
    expect(ns.stderr).toContain('Content-Type: application/vnd.kubernetes.protobuf');
    expect(ns.code, ns.stderr).toBe(0);
    expect(ns.stdout).toContain('namespace/proto-ns created');

    const cm = await kubectl(env, [
      'create',
      'configmap',
      'settings',
      '-n',
      'proto-ns',
      '--from-literal=color=blue',
      '--from-literal=size=L',
    ]);
    expect(cm.code, cm.stderr).toBe(0);
    const secret = await kubectl(env, [
      'create',
      'secret',
      'generic',
      'creds',
      '-n',
      'proto-ns',
      '--from-literal=password=hunter2',
    ]);
    expect(secret.code, secret.stderr).toBe(0);
    const sa = await kubectl(env, ['create', 'serviceaccount', 'robot', '-n', 'proto-ns']);
    expect(sa.code, sa.stderr).toBe(0);

    const got = await kubectl(env, [
      'get',
      'configmap',
      'settings',
      '-n',
      'proto-ns',
      '-o',
      'jsonpath={.data}',
    ]);
    expect(JSON.parse(got.stdout)).toEqual({ color: 'blue', size: 'L' });
    const s = await kubectl(env, ['get', 'secret', 'creds', '-n', 'proto-ns', '-o', 'json']);
    const obj = JSON.parse(s.stdout) as { type: string; data: Record<string, string> };
    expect(obj.type).toBe('Opaque');
    expect(Buffer.from(obj.data.password!, 'base64').toString()).toBe('hunter2');
    const n = await kubectl(env, ['get', 'namespace', 'proto-ns', '-o', 'jsonpath={.status.phase}']);
    expect(n.stdout).toBe('Active');
  });

  it('says "no matches for kind" when applying a kind the server does not serve', async () => {
    const file = join(home, 'widget.yaml');
    writeFileSync(file, 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
    const out = await kubectl(env, ['apply', '-f', file]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('no matches for kind "Widget" in version "example.com/v1"');
    expect(out.stderr).not.toMatch(/wire-format|cannot parse/);
  });

  it('refuses a protobuf body of a kind it does not decode with 415, naming what works', async () => {
    const body = Buffer.concat([
      Buffer.from('k8s\0'),
      // runtime.Unknown{typeMeta{apiVersion "v1", kind "Pod"}}
      Buffer.from([0x0a, 0x09, 0x0a, 0x02, ...Buffer.from('v1'), 0x12, 0x03, ...Buffer.from('Pod')]),
    ]);
    const res = await fetchApi('/api/v1/namespaces/default/pods', body);
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType' });
    expect(String(res.body.message)).toContain('application/json');
  });
});

async function fetchApi(
  path: string,
  body: Buffer,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, server.url),
      {
        method: 'POST',
        ca: server.caPem,
        headers: {
          authorization: `Bearer ${server.token}`,
          'content-type': 'application/vnd.kubernetes.protobuf',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
