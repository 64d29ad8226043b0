import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appDirectories,
  defaultHiddenPaths,
  resolveSandbox,
  sandboxArgv,
  sandboxMode,
} from '../../src/lib/kubelet/sandbox.js';
import { tempDir } from './helpers.js';

describe('sandbox', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('reads KNLITE_SANDBOX: off, on, anything else auto', () => {
    expect(sandboxMode({})).toBe('auto');
    expect(sandboxMode({ KNLITE_SANDBOX: 'off' })).toBe('off');
    expect(sandboxMode({ KNLITE_SANDBOX: '0' })).toBe('off');
    expect(sandboxMode({ KNLITE_SANDBOX: 'ON' })).toBe('on');
    expect(sandboxMode({ KNLITE_SANDBOX: 'required' })).toBe('on');
    expect(sandboxMode({ KNLITE_SANDBOX: 'maybe' })).toBe('auto');
    expect(resolveSandbox('off', ['/x']).sandbox).toBeUndefined();
  });

  it("hides knlite's home, ~/.kube, every $KUBECONFIG entry and the data dirs", () => {
    expect(
      defaultHiddenPaths({ HOME: '/home/u', KNLITE_HOME: '/srv/knlite', KUBECONFIG: '/a/config:/b/config' }, [
        '/var/lib/knlite/runtime',
      ]),
    ).toEqual(['/srv/knlite', '/home/u/.kube', '/a/config', '/b/config', '/var/lib/knlite/runtime']);
  });

  it('empties the home, binds the app back read-only, then hides secrets, then binds the pod HOME', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const home = join(t.dir, 'home');
    const app = join(home, 'repo', 'packages', 'app');
    const hoisted = join(home, 'repo', 'node_modules');
    const knlite = join(app, '.knlite'); // a hidden folder inside a kept one stays hidden
    const kubeconfig = join(home, 'kubeconfig');
    const podHome = join(knlite, 'runtime', 'homes', 'default', 'p');
    for (const dir of [app, hoisted, knlite, podHome]) mkdirSync(dir, { recursive: true });
    writeFileSync(kubeconfig, 'secret');
    const argv = sandboxArgv(
      { bwrap: '/usr/bin/bwrap', hidden: [knlite, kubeconfig, join(home, 'missing')], userHome: home },
      ['node', 'server.js'],
      { cwd: app, home: podHome, visible: [...appDirectories(app, undefined), '/usr/bin'] },
    );
    const at = (...seq: string[]) => argv.findIndex((_, i) => seq.every((s, j) => argv[i + j] === s));
    expect(argv[0]).toBe('/usr/bin/bwrap');
    expect(argv.slice(1, 11)).toEqual([
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--unshare-pid',
      '--unshare-ipc',
      '--die-with-parent',
    ]);
    expect(argv).not.toContain('--unshare-net'); // the gateway reaches the app on 127.0.0.1
    const order = [
      at('--tmpfs', '/tmp'),
      at('--tmpfs', home),
      at('--ro-bind', hoisted, hoisted),
      at('--ro-bind', app, app),
      at('--tmpfs', knlite),
      at('--ro-bind', '/dev/null', kubeconfig),
      at('--bind', podHome, podHome),
      at('--chdir', app, '--', 'node', 'server.js'),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(argv).not.toContain(join(home, 'missing'));
    expect(at('--ro-bind', '/usr/bin', '/usr/bin')).toBe(-1); // outside the emptied areas: already visible
  });
});
