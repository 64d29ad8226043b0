/**
 * Everything a started local cluster keeps under its home — API database, PKI, token, kubeconfig,
 * daemon records, pod logs and pod HOMEs — is private to the user: directories 0700, files 0600.
 */
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { startDaemon, stopDaemon } from '../../src/lib/local/daemon.js';
import { localPaths } from '../../src/lib/local/paths.js';
import { podHomePath, podLogPath } from '../../src/lib/kubelet/pod-process.js';
import { waitUntil } from '../support/wait.js';

/** `path relative to root → octal mode` of every entry under `root` (root included). */
function modes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string, rel: string) => {
    const stat = lstatSync(path);
    out[rel || '.'] = `${stat.isDirectory() ? 'd' : 'f'}${(stat.mode & 0o777).toString(8)}`;
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry), join(rel, entry));
  };
  walk(root, '');
  return out;
}

describe('the local cluster home', () => {
  const home = mkdtempSync(join(tmpdir(), 'knlite-modes-'));
  const paths = localPaths(home, true);
  afterAll(async () => {
    await stopDaemon(paths);
    rmSync(home, { recursive: true, force: true });
  });

  it('holds only 0700 directories and 0600 files once a pod runs', async () => {
    await startDaemon(paths, { gatewayPort: 0 });
    const kc = new KubeConfig();
    kc.loadFromFile(paths.kubeconfig);
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'idle' },
        spec: {
          selector: { matchLabels: { app: 'idle' } },
          template: {
            metadata: { labels: { app: 'idle' } },
            spec: {
              containers: [
                {
                  name: 'user-container',
                  command: [
                    process.execPath,
                    '-e',
                    "require('http').createServer().listen(process.env.PORT)",
                  ],
                },
              ],
            },
          },
        },
      },
    });
    const pod = await waitUntil(
      'the pod to run',
      () => {
        const logs = join(paths.runtime, 'logs', 'default');
        const name = readdirSafe(logs)
          .find((f) => f.startsWith('idle-'))
          ?.replace(/\.log$/, '');
        return name && existsSync(podHomePath(paths.runtime, 'default', name)) && name;
      },
      60_000,
    );
    const all = modes(home);
    // The walk saw what this test is about.
    expect(Object.keys(all)).toEqual(
      expect.arrayContaining([
        'data/state.db',
        'data/token',
        'kubeconfig',
        'daemon.json',
        'daemon.log',
        'ports.json',
        'runtime/runtime-pids.json',
        join('runtime', podLogPath('', 'default', pod)),
        join('runtime', podHomePath('', 'default', pod)),
      ]),
    );
    const loose = Object.entries(all).filter(([, mode]) => mode !== 'd700' && mode !== 'f600');
    expect(Object.fromEntries(loose)).toEqual({});
  }, 120_000);
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
