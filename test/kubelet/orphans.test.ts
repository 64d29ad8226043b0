import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startRuntime, type LocalRuntime } from '../../src/lib/kubelet/index.js';
import { detectBwrap, type SandboxMode } from '../../src/lib/kubelet/sandbox.js';
import { makeDeployment, podsOf, recordedProcesses, startApi, type ApiFixture } from './cluster.js';
import { groupMembers, isAlive } from './helpers.js';

const WAIT = { timeout: 30_000, interval: 50 };
const HOST = resolve(import.meta.dirname, 'fixtures', 'runtime-host.ts');

// A daemon stand-in in its own process, so the test can kill it with SIGKILL.
async function startHost(
  api: ApiFixture,
  dataDir: string,
  watchdog: boolean,
  sandbox: SandboxMode,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', HOST, api.kubeconfigPath, dataDir, watchdog ? '1' : '0', sandbox],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout!.setEncoding('utf8');
  await vi.waitFor(
    () => {
      out += child.stdout!.read() ?? '';
      expect(out).toContain('ready');
    },
    // Compiling the runtime's TypeScript with tsx in a fresh process is slow on a busy machine.
    { timeout: 90_000, interval: 50 },
  );
  return child;
}

// Sandboxed pods are bwrap → bwrap (init) → app; their groups must go just the same.
const modes: SandboxMode[] = detectBwrap().path ? ['off', 'on'] : ['off'];

describe.each(modes)('orphan processes after the daemon is killed with SIGKILL (sandbox %s)', (sandbox) => {
  let api: ApiFixture | undefined;
  let host: ChildProcess | undefined;
  let runtime: LocalRuntime | undefined;
  afterEach(async () => {
    if (host && host.exitCode === null && host.signalCode === null) {
      host.kill('SIGKILL');
      await once(host, 'exit');
    }
    await runtime?.stop();
    await api?.close();
    host = runtime = api = undefined;
  });

  async function runAppsAndKillHost(watchdog: boolean) {
    api = await startApi();
    const dataDir = join(api.dir, 'runtime');
    host = await startHost(api, dataDir, watchdog, sandbox);
    await api.apps.createNamespacedDeployment({
      namespace: 'default',
      body: makeDeployment(
        'app',
        { command: ['/bin/sh', '-c', 'node -e "setInterval(() => {}, 1000)"; sleep 1000'] },
        { replicas: 2 },
      ) as never,
    });
    const leaders = await vi.waitFor(() => {
      const records = recordedProcesses(dataDir);
      expect(records).toHaveLength(2);
      return records.map((r) => r.pid);
    }, WAIT);
    await vi.waitFor(async () => expect(await podsOf(api!.core, 'app')).toHaveLength(2), WAIT);
    // Every process of the pods' groups: sh and node, and bwrap's two when sandboxed.
    const pids = await vi.waitFor(() => {
      const members = leaders.flatMap(groupMembers);
      expect(members.length).toBeGreaterThanOrEqual(leaders.length * (sandbox === 'on' ? 4 : 2));
      return members;
    }, WAIT);
    host.kill('SIGKILL');
    await once(host, 'exit');
    return { dataDir, pids };
  }

  it('the watchdog stops the app processes at once', async () => {
    const { pids } = await runAppsAndKillHost(true);
    await vi.waitFor(() => expect(pids.filter(isAlive)).toEqual([]), WAIT);
  }, 180_000);

  it('without the watchdog, the next runtime on the same data dir stops the leftovers and their stale pods', async () => {
    const { dataDir, pids } = await runAppsAndKillHost(false);
    if (sandbox === 'on') {
      // bwrap --die-with-parent: a sandbox goes with the daemon, watchdog or not.
      await vi.waitFor(() => expect(pids.filter(isAlive)).toEqual([]), WAIT);
    } else {
      expect(pids.filter(isAlive)).toEqual(pids); // nothing else stopped them
    }
    const oldPods = (await podsOf(api!.core, 'app')).map((p) => p.metadata.name);
    runtime = await startRuntime(api!.rest, { dataDir, sandbox, log: () => {} });
    expect(pids.filter(isAlive)).toEqual([]);
    // The new runtime replaces the stale pods with its own.
    await vi.waitFor(async () => {
      const pods = await podsOf(api!.core, 'app');
      expect(pods).toHaveLength(2);
      expect(pods.filter((p) => oldPods.includes(p.metadata.name))).toEqual([]);
    }, WAIT);
  }, 180_000);
});
