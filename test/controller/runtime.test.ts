import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { ConfigMap, KubeObject } from '../../src/lib/apis/types.js';
import { startApiServer } from '../../src/lib/apiserver/server.js';
import { serviceReconciler } from '../../src/lib/controller/service/reconciler.js';
import { Informer } from '../../src/lib/controller/runtime/informer.js';
import { Kinds } from '../../src/lib/controller/runtime/kinds.js';
import { LeaderElector, type Lease } from '../../src/lib/controller/runtime/leader.js';
import { ApiError, RestClient } from '../../src/lib/controller/runtime/rest.js';
import { Store, labelIndex } from '../../src/lib/controller/runtime/store.js';
import { WorkQueue } from '../../src/lib/controller/runtime/queue.js';
import { waitUntil } from '../support/wait.js';
import { service, World } from './fixtures.js';

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

describe('WorkQueue', () => {
  it('dedupes queued keys and never runs one key twice at once', async () => {
    const runs: string[] = [];
    let active = 0;
    let maxActive = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new WorkQueue('t', async (key) => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs.push(key);
      if (runs.length === 1) await gate;
      active--;
    });
    q.add('a');
    q.add('a');
    q.add('b');
    q.start();
    await waitUntil('first run', () => runs.length >= 2);
    // 'a' is running: adding it again marks it dirty instead of running it concurrently.
    q.add('a');
    q.add('a');
    expect(runs).toEqual(['a', 'b']);
    release();
    await waitUntil('dirty key re-run', () => runs.length === 3);
    await q.idle();
    expect(runs).toEqual(['a', 'b', 'a']);
    expect(maxActive).toBeLessThanOrEqual(2);
    await q.shutdown();
  });

  it('retries failures with per-key exponential backoff, then forgets', async () => {
    const times: number[] = [];
    const q = new WorkQueue('t', async () => {
      times.push(Date.now());
      if (times.length < 4) throw new Error('not yet');
    });
    q.add('k');
    q.start();
    await waitUntil('success after retries', () => times.length === 4);
    // 5ms, 10ms, 20ms: each wait at least as long as the configured backoff.
    expect(times[3] - times[0]).toBeGreaterThanOrEqual(5 + 10 + 20);
    expect(q.addRateLimited('k')).toBe(5); // forgotten after the success
    await q.shutdown();
  });

  it('honours requeueAfter and pauses while not leading', async () => {
    let n = 0;
    const q = new WorkQueue('t', async () => (++n === 1 ? { requeueAfter: 20 } : undefined));
    q.add('k');
    q.start();
    await waitUntil('requeued', () => n === 2);
    q.pause();
    q.add('k');
    await q.idle();
    expect(n).toBe(2);
    q.start();
    await waitUntil('resumed', () => n === 3);
    await q.shutdown();
  });
});

describe('driver', () => {
  it('re-reads and retries the status write on 409 Conflict', async () => {
    const w = new World([service('foo')]);
    w.failNext.set('updateStatus services', new ApiError(409, 'Conflict', 'the object has been modified'));
    await w.reconcile(serviceReconciler(w.deps()), 'default/foo');
    expect(w.summary()).toEqual(['create Configuration foo', 'create Route foo', 'updateStatus Service foo']);
  });

  it('never swallows a failing status write', async () => {
    const w = new World([service('foo')]);
    w.failNext.set('updateStatus services', new ApiError(500, 'InternalError', 'disk full'));
    await expect(w.reconcile(serviceReconciler(w.deps()), 'default/foo')).rejects.toThrow('disk full');
  });
});

describe('against a real API server', () => {
  it('informers restart after the API server goes away and comes back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knlite-inf-'));
    let server = await startApiServer({ dataDir: dir, port: 0 });
    const port = server.port;
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig());
    const rest = await RestClient.create(kc);
    const inf = new Informer<ConfigMap>(kc, rest, Kinds.configMap, { namespace: 'default' });
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
      server = await startApiServer({ dataDir: dir, port });
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

  it('leader election: one holder at a time; a released lease is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knlite-lease-'));
    const server = await startApiServer({ dataDir: dir, port: 0 });
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig());
    const rest = await RestClient.create(kc);
    const leading = new Set<string>();
    const elector = (id: string) =>
      new LeaderElector(rest, {
        namespace: 'knative-serving',
        name: 'test-lease',
        identity: id,
        // Long enough that a loaded machine never lets a renewal lapse; release hands over at once.
        leaseDurationSeconds: 15,
        renewMs: 100,
        retryMs: 100,
        onStartedLeading: () => leading.add(id),
        onStoppedLeading: () => leading.delete(id),
      });
    const a = elector('a');
    const b = elector('b');
    try {
      a.start();
      await waitUntil('a leads', () => leading.has('a'));
      b.start();
      // b keeps retrying while a renews; it must not lead meanwhile.
      const renewTime = async () =>
        (await rest.get<Lease>(Kinds.lease, 'knative-serving', 'test-lease')).spec.renewTime;
      for (let i = 0; i < 3; i++) {
        const before = await renewTime();
        await waitUntil('a renews', async () => (await renewTime()) !== before);
      }
      expect(leading.has('b')).toBe(false);
      await a.stop();
      await waitUntil('b takes over', () => leading.has('b'));
      expect([...leading]).toEqual(['b']);
    } finally {
      await a.stop();
      await b.stop();
      rest.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
