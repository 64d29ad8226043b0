import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigMap, KubeObject } from '../../src/lib/apis/types.js';
import { startTestApiServer } from '../support/apiserver.js';
import { Informer } from '../../src/lib/kube/informer.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { RestClient } from '../../src/lib/kube/rest.js';
import { Store, labelIndex } from '../../src/lib/kube/store.js';
import { waitUntil } from '../support/wait.js';

const obj = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  metadata: { name, namespace: 'ns', labels },
});

describe('Store', () => {
  it('keeps secondary indexes in step with updates and removals', () => {
    const s = new Store<KubeObject>({ cfg: labelIndex('c') }, [obj('a', { c: 'x' }), obj('b', { c: 'x' })]);
    expect(s.byIndex('cfg', 'ns/x').map((o) => o.metadata.name)).toEqual(['a', 'b']);
    s.upsert(obj('a', { c: 'y' }));
    expect(s.byIndex('cfg', 'ns/x').map((o) => o.metadata.name)).toEqual(['b']);
    expect(s.byIndex('cfg', 'ns/y').map((o) => o.metadata.name)).toEqual(['a']);
    s.remove('ns', 'b');
    expect(s.byIndex('cfg', 'ns/x')).toEqual([]);
    expect(s.replaceAll([obj('c')]).map((o) => o.metadata.name)).toEqual(['a']);
    expect(s.list().map((o) => o.metadata.name)).toEqual(['c']);
  });
});

describe('Informer', () => {
  it('informers restart after the API server goes away and comes back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knlite-inf-'));
    let server = (await startTestApiServer({ dataDir: dir, port: 0 })).server;
    const port = server.port;
    const rest = RestClient.fromKubeconfig(server.kubeconfig());
    const inf = new Informer<ConfigMap>(rest, Kinds.configMap, { namespace: 'default' });
    const seen: string[] = [];
    inf.on({ add: (c) => seen.push(c.metadata.name!) });
    inf.start();
    await inf.synced;
    try {
      const cm = (name: string): ConfigMap => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: 'default' },
        data: {},
      });
      await rest.create(Kinds.configMap, cm('before'));
      await waitUntil('first event', () => seen.includes('before'));
      await server.close();
      await waitUntil('informer noticed', () => inf.lastError !== undefined);
      server = (await startTestApiServer({ dataDir: dir, port })).server;
      await rest.create(Kinds.configMap, cm('after'));
      await waitUntil('event after restart', () => seen.includes('after'));
      expect(inf.lister.get('default', 'after')).toBeDefined();
    } finally {
      await inf.stop();
      rest.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Informer caches', () => {
  it('keep objects without managedFields, and a write from a cached copy keeps the stored ones', async () => {
    const { server, close } = await startTestApiServer();
    const rest = RestClient.fromKubeconfig(server.kubeconfig());
    const inf = new Informer<ConfigMap>(rest, Kinds.configMap, { namespace: 'default' });
    inf.start();
    try {
      const cm: ConfigMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'listed', namespace: 'default' },
        data: { a: '1' },
      };
      await rest.create(Kinds.configMap, cm, { fieldManager: 'first' });
      await inf.synced;
      await rest.create(Kinds.configMap, { ...cm, metadata: { ...cm.metadata, name: 'watched' } });
      await waitUntil('watched in the cache', () => inf.lister.get('default', 'watched') !== undefined);
      for (const name of ['listed', 'watched']) {
        const stored = await rest.get<ConfigMap>(Kinds.configMap, 'default', name);
        expect(stored.metadata.managedFields).toEqual([expect.objectContaining({ operation: 'Update' })]);
        expect(inf.lister.get('default', name)!.metadata).not.toHaveProperty('managedFields');
      }
      const cached = inf.lister.get('default', 'listed')!;
      await rest.replace(Kinds.configMap, { ...cached, data: { a: '2' } }, { fieldManager: 'second' });
      const stored = await rest.get<ConfigMap>(Kinds.configMap, 'default', 'listed');
      expect(stored.data).toEqual({ a: '2' });
      expect((stored.metadata.managedFields as { manager: string }[]).map((m) => m.manager).sort()).toEqual([
        'first',
        'second',
      ]);
    } finally {
      await inf.stop();
      rest.close();
      await close();
    }
  });
});
