/**
 * A stored ConfigMap that no parser accepts (a value of the wrong type, written before the API
 * server validated built-in kinds) must never keep the daemon from starting or crash it later: the
 * components keep the last good config and report the bad one as a Warning Event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/lib/apiserver/store.js';
import type { KubeObject } from '../../src/lib/apis/types.js';
import { localApiGet, readDaemonState, startDaemon, stopDaemon } from '../../src/lib/local/daemon.js';
import { localPaths } from '../../src/lib/local/paths.js';
import { waitUntil } from '../support/wait.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a ConfigMap value of the wrong type in the store', () => {
  const home = mkdtempSync(join(tmpdir(), 'knlite-badcfg-'));
  const paths = localPaths(home, true);
  afterAll(async () => {
    await stopDaemon(paths);
    rmSync(home, { recursive: true, force: true });
  });

  it('does not stop the daemon from starting; the bad ConfigMap gets a Warning Event', async () => {
    // A first start seeds the ConfigMaps; then the database is edited offline, as an older
    // version's API server would have stored `kubectl patch ... {"data":{"stable-window":60}}`.
    await startDaemon(paths, { gatewayPort: 0 });
    expect(await stopDaemon(paths)).toBe(true);
    const store = new Store(paths.data);
    const cm = store.get('', 'configmaps', 'knative-serving', 'config-autoscaler')!;
    const bad = {
      ...cm,
      data: { ...(cm as { data?: object }).data, 'stable-window': 60 },
    } as unknown as KubeObject;
    store.update('', 'configmaps', bad, cm);
    await store.flushed();
    store.close();

    const { state } = await startDaemon(paths, { gatewayPort: 0 });
    const events = async () =>
      (
        JSON.parse((await localApiGet(state.kubeconfig, '/api/v1/namespaces/knative-serving/events')).body)
          .items as { reason: string; message: string; involvedObject: { name: string } }[]
      ).filter((e) => e.reason === 'InvalidConfiguration');
    await waitUntil('a Warning Event on config-autoscaler', async () => (await events()).length > 0);
    const [event] = await events();
    expect(event.involvedObject.name).toBe('config-autoscaler');
    expect(event.message).toContain('failed to parse "stable-window": expected a string, got number 60');
    expect(event.message).toContain('keeping the last good configuration');
    // Still serving: the API answers and the process lives on.
    expect((await localApiGet(state.kubeconfig, '/readyz')).status).toBe(200);
    expect(alive(readDaemonState(paths)!.pid)).toBe(true);
  });
});
