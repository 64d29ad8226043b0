import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/lib/apiserver/server.js';
import { serviceReconciler } from '../../src/lib/controller/service/reconciler.js';
import { LeaderElector, type Lease } from '../../src/lib/kube/leader.js';
import { ApiError } from '../../src/lib/kube/errors.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { RestClient } from '../../src/lib/kube/rest.js';
import { waitUntil } from '../support/wait.js';
import { service, World } from './fixtures.js';

describe('driver', () => {
  it('re-reads and retries the status write on 409 Conflict', async () => {
    const w = new World([service('foo')]);
    w.failNext.set(
      'updateStatus services',
      new ApiError(409, { reason: 'Conflict', message: 'the object has been modified' }),
    );
    await w.reconcile(serviceReconciler(w.deps()), 'default/foo');
    expect(w.summary()).toEqual(['create Configuration foo', 'create Route foo', 'updateStatus Service foo']);
  });

  it('never swallows a failing status write', async () => {
    const w = new World([service('foo')]);
    w.failNext.set(
      'updateStatus services',
      new ApiError(500, { reason: 'InternalError', message: 'disk full' }),
    );
    await expect(w.reconcile(serviceReconciler(w.deps()), 'default/foo')).rejects.toThrow('disk full');
  });
});

describe('against a real API server', () => {
  it('leader election: one holder at a time; a released lease is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knlite-lease-'));
    const server = await startApiServer({ dataDir: dir, port: 0 });
    const rest = RestClient.fromKubeconfig(server.kubeconfig());
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
