import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localPaths } from '../../src/lib/local/paths.js';
import { localApiGet, readDaemonState, startDaemon, stopDaemon } from '../../src/lib/local/daemon.js';
import { waitUntil } from '../support/wait.js';
import type { Route } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { RestClient } from '../../src/lib/kube/rest.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local cluster daemon', () => {
  const home = mkdtempSync(join(tmpdir(), 'knlite-daemon-'));
  const paths = localPaths(home, true);
  afterAll(async () => {
    await stopDaemon(paths);
    rmSync(home, { recursive: true, force: true });
  });

  it('starts in the background, answers /readyz, and a second start is a no-op', async () => {
    const first = await startDaemon(paths, { gatewayPort: 0 });
    expect(first.alreadyRunning).toBe(false);
    expect(alive(first.state.pid)).toBe(true);
    expect((await localApiGet(first.state.kubeconfig, '/readyz')).status).toBe(200);
    expect(statSync(paths.kubeconfig).mode & 0o777).toBe(0o600);

    const second = await startDaemon(paths);
    expect(second.alreadyRunning).toBe(true);
    expect(second.state.pid).toBe(first.state.pid);
  });

  it('seeds the knative-serving ConfigMaps with the local domain and gateway port', async () => {
    const state = readDaemonState(paths)!;
    const res = await localApiGet(state.kubeconfig, '/api/v1/namespaces/knative-serving/configmaps');
    const names = (JSON.parse(res.body).items as any[]).map((cm) => cm.metadata.name);
    expect(names).toEqual(
      expect.arrayContaining(['config-domain', 'config-network', 'config-gc', 'config-autoscaler']),
    );
    const network = JSON.parse(
      (await localApiGet(state.kubeconfig, '/api/v1/namespaces/knative-serving/configmaps/config-network'))
        .body,
    );
    expect(network.data['local-gateway-port']).toBe(String(state.gatewayPort));
  });

  it("reconciles on its own thread: a Service's Configuration and Route appear through the API", async () => {
    const state = readDaemonState(paths)!;
    const log = readFileSync(paths.log, 'utf8');
    expect(log).toContain('reconciler running on its own thread');
    expect(log).toMatch(/gateway listening on .*, on its own thread/);
    const client = RestClient.fromKubeconfig(readFileSync(state.kubeconfig, 'utf8'));
    try {
      await client.create(Kinds.service, {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: { name: 'threaded', namespace: 'default' },
        spec: { template: { spec: { containers: [{ image: 'file:///nonexistent' }] } } },
      });
      const route = await waitUntil(
        'the Route of the threaded service',
        async () => {
          try {
            return await client.get<Route>(Kinds.route, 'default', 'threaded');
          } catch {
            return undefined;
          }
        },
        30_000,
      );
      expect(route.metadata.ownerReferences?.[0]?.name).toBe('threaded');
      expect((await client.get(Kinds.configuration, 'default', 'threaded')).metadata.name).toBe('threaded');
    } finally {
      client.close();
    }
  });

  it('keeps acknowledged objects across a SIGKILL of the daemon', async () => {
    const before = readDaemonState(paths)!;
    process.kill(before.pid, 'SIGKILL');
    await waitUntil('the daemon to die', () => !alive(before.pid));
    const { state } = await startDaemon(paths, { gatewayPort: 0 });
    expect(state.pid).not.toBe(before.pid);
    const res = await localApiGet(
      state.kubeconfig,
      '/api/v1/namespaces/knative-serving/configmaps/config-gc',
    );
    expect(res.status).toBe(200);
  });

  it('stops gracefully and removes its record', async () => {
    const state = readDaemonState(paths)!;
    expect(await stopDaemon(paths)).toBe(true);
    expect(alive(state.pid)).toBe(false);
    expect(existsSync(paths.state)).toBe(false);
    expect(await stopDaemon(paths)).toBe(false);
  });
});

describe('local cluster daemon start failures', () => {
  it('reports why the daemon could not start in one line, without a stack trace', async () => {
    const home = mkdtempSync(join(tmpdir(), 'knlite-daemon-fail-'));
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const err = await startDaemon(localPaths(home, true), { apiPort: port }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${port}`));
      expect((err as Error).message).not.toMatch(/\n\s+at /);
    } finally {
      busy.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
