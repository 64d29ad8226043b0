import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeLocalContext, removeLocalContext, hasUserKubeconfig } from '../../src/lib/local/kubeconfig.js';

const local = yaml.dump({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [
    { name: 'whatever', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'Q0E=' } },
  ],
  users: [{ name: 'whatever', user: { token: 't0k3n' } }],
  contexts: [{ name: 'whatever', context: { cluster: 'whatever', user: 'whatever' } }],
  'current-context': 'whatever',
});

const existing = {
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'prod', cluster: { server: 'https://prod:6443' } }],
  users: [{ name: 'me', user: { token: 'abc' } }],
  contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'me' } }],
  'current-context': 'prod',
  preferences: {},
};

describe('kubeconfig merge', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'knlite-kc-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('adds a knlite context next to existing entries and makes it current, file mode 0600', () => {
    const path = join(tmp(), 'config');
    writeFileSync(path, yaml.dump(existing));
    mergeLocalContext(local, path);
    const cfg = yaml.load(readFileSync(path, 'utf8')) as any;
    expect(cfg['current-context']).toBe('knlite');
    expect(cfg.clusters.map((c: any) => c.name)).toEqual(['prod', 'knlite']);
    expect(cfg.users.map((c: any) => c.name)).toEqual(['me', 'knlite']);
    expect(cfg.contexts.find((c: any) => c.name === 'prod')).toEqual(existing.contexts[0]);
    expect(cfg.clusters[1].cluster.server).toBe('https://127.0.0.1:6443');
    expect(cfg.users[1].user.token).toBe('t0k3n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('is idempotent: merging twice keeps one knlite entry of each kind', () => {
    const path = join(tmp(), 'config');
    mergeLocalContext(local, path);
    mergeLocalContext(local, path);
    const cfg = yaml.load(readFileSync(path, 'utf8')) as any;
    expect(cfg.clusters).toHaveLength(1);
    expect(cfg.contexts).toHaveLength(1);
  });

  it('removes only the knlite entries and clears current-context when it pointed there', () => {
    const path = join(tmp(), 'config');
    writeFileSync(path, yaml.dump(existing));
    mergeLocalContext(local, path);
    expect(removeLocalContext(path)).toBe(true);
    const cfg = yaml.load(readFileSync(path, 'utf8')) as any;
    expect(cfg.clusters.map((c: any) => c.name)).toEqual(['prod']);
    expect(cfg['current-context']).toBe('');
    expect(removeLocalContext(path)).toBe(false);
  });

  it('detects whether the user has a kubeconfig at all', () => {
    const dir = tmp();
    expect(hasUserKubeconfig({ KUBECONFIG: join(dir, 'missing') })).toBe(false);
    writeFileSync(join(dir, 'present'), yaml.dump(existing));
    expect(hasUserKubeconfig({ KUBECONFIG: `${join(dir, 'missing')}:${join(dir, 'present')}` })).toBe(true);
  });
});
