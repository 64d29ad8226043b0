/**
 * The official Python client (Debian's python3-kubernetes) watching through the embedded API
 * server: `watch.Watch().stream(list_namespaced_config_map, timeout_seconds=...)` sends
 * `watch=True` and must receive the existing objects as ADDED and then live events.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';
import { waitUntil } from '../support/wait.js';
import { clientEnv, kubectl, PYTHON, requireKubectl, requirePythonClient } from './clients.js';

let server: ApiServer;
let home = '';
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  requireKubectl();
  requirePythonClient();
  home = mkdtempSync(join(tmpdir(), 'knlite-pywatch-'));
  server = (await startTestApiServer({ dataDir: join(home, 'data'), port: 0 })).server;
  const kubeconfigPath = join(home, 'kubeconfig');
  writeFileSync(kubeconfigPath, server.kubeconfig(), { mode: 0o600 });
  env = clientEnv(kubeconfigPath, home);
});

afterAll(async () => {
  await server?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('Python client watch', () => {
  it('streams ADDED for what exists, then live ADDED/MODIFIED/DELETED events', async () => {
    expect((await kubectl(env, ['create', 'configmap', 'py-before', '--from-literal=a=1'])).code).toBe(0);
    const script = [
      'from kubernetes import client, config, watch',
      'config.load_kube_config()',
      'v1 = client.CoreV1Api()',
      'w = watch.Watch()',
      'for ev in w.stream(v1.list_namespaced_config_map, namespace="default", timeout_seconds=20):',
      '    print(ev["type"], ev["object"].metadata.name, (ev["object"].data or {}).get("a"), flush=True)',
      '    if ev["type"] == "DELETED":',
      '        w.stop()',
    ].join('\n');
    const child = spawn(PYTHON, ['-c', script], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await waitUntil('the initial ADDED event', () => out.includes('ADDED py-before 1'), 20_000);
      expect((await kubectl(env, ['create', 'configmap', 'py-live', '--from-literal=a=2'])).code).toBe(0);
      await waitUntil('the live ADDED event', () => out.includes('ADDED py-live 2'), 10_000);
      expect((await kubectl(env, ['patch', 'configmap', 'py-live', '-p', '{"data":{"a":"3"}}'])).code).toBe(
        0,
      );
      await waitUntil('the MODIFIED event', () => out.includes('MODIFIED py-live 3'), 10_000);
      expect((await kubectl(env, ['delete', 'configmap', 'py-live'])).code).toBe(0);
      expect(await exited, err).toBe(0);
      expect(out.trim().split('\n')).toEqual([
        'ADDED py-before 1',
        'ADDED py-live 2',
        'MODIFIED py-live 3',
        'DELETED py-live 3',
      ]);
    } finally {
      child.kill();
    }
  });
});
