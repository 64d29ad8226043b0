import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Service } from '../../src/lib/apis/types.js';
import { startTestApiServer } from '../support/apiserver.js';
import type { KindReconciler, ReconcileResult } from '../../src/lib/controller/framework/driver.js';
import { serviceReconciler } from '../../src/lib/controller/service/reconciler.js';
import { LeaderElector, type Lease } from '../../src/lib/kube/leader.js';
import { isPermanentError, PermanentError } from '../../src/lib/kube/queue.js';
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

describe("driver reporting (the generated reconciler's Events)", () => {
  const diskFull = () => new ApiError(500, { reason: 'InternalError', message: 'disk full' });
  /** A reconciler of Services that sets one status field and then does what the row says. */
  const reconciler = (
    outcome: () => ReconcileResult | void,
    opts: { finalizeFails?: boolean } = {},
  ): KindReconciler<Service> => ({
    kind: Kinds.service,
    reconcileKind: async (svc) => {
      svc.status!.url = 'http://foo.default.example.com';
      return outcome();
    },
    finalizer: 'test.knative.dev',
    finalizeKind: async () => {
      if (opts.finalizeFails) throw new Error('cannot clean up');
    },
  });
  const rows: {
    name: string;
    outcome: () => ReconcileResult | void;
    failStatus?: boolean;
    error?: string;
    permanent?: boolean;
    events: string[];
    statusWritten: boolean;
  }[] = [
    { name: 'success: no Event', outcome: () => {}, events: [], statusWritten: true },
    {
      name: 'an Event reconcileKind returns is recorded after the status write',
      outcome: () => ({ event: { type: 'Normal', reason: 'Synced', message: 'all good' } }),
      events: ['Normal Synced all good'],
      statusWritten: true,
    },
    {
      name: 'a Warning Event returned does not fail the run',
      outcome: () => ({ event: { type: 'Warning', reason: 'Odd', message: 'not quite' } }),
      events: ['Warning Odd not quite'],
      statusWritten: true,
    },
    {
      name: 'a reconcile error is an InternalError Event with its message; status is still written',
      outcome: () => {
        throw new Error('failed to create Route: quota exceeded');
      },
      error: 'failed to create Route: quota exceeded',
      events: ['Warning InternalError failed to create Route: quota exceeded'],
      statusWritten: true,
    },
    {
      name: 'a PermanentError is reported the same way and stays permanent for the queue',
      outcome: () => {
        throw new PermanentError('spec can never work');
      },
      error: 'spec can never work',
      permanent: true,
      events: ['Warning InternalError spec can never work'],
      statusWritten: true,
    },
    {
      name: 'a failed status write is UpdateFailed and fails the run',
      outcome: () => ({ event: { type: 'Normal', reason: 'Synced', message: 'all good' } }),
      failStatus: true,
      error: 'disk full',
      events: ['Warning UpdateFailed Failed to update status for "foo": disk full'],
      statusWritten: false,
    },
    {
      name: 'with both failing only UpdateFailed is reported, and its error returned',
      outcome: () => {
        throw new Error('boom');
      },
      failStatus: true,
      error: 'disk full',
      events: ['Warning UpdateFailed Failed to update status for "foo": disk full'],
      statusWritten: false,
    },
  ];
  it.each(rows)('$name', async (row) => {
    const w = new World([service('foo', (s) => (s.metadata.finalizers = ['test.knative.dev']))]);
    if (row.failStatus) w.failNext.set('updateStatus services', diskFull());
    const run = w.reconcile(reconciler(row.outcome), 'default/foo');
    if (row.error) {
      const err = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as Error).message).toBe(row.error);
      expect(isPermanentError(err)).toBe(row.permanent ?? false);
    } else await run;
    expect(w.events).toEqual(row.events);
    expect(w.summary().includes('updateStatus Service foo')).toBe(row.statusWritten);
  });

  it('a failing finalizer is an InternalError Event and keeps the finalizer', async () => {
    const w = new World([
      service('foo', (s) => {
        s.metadata.finalizers = ['test.knative.dev'];
        s.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
      }),
    ]);
    await expect(
      w.reconcile(
        reconciler(() => {}, { finalizeFails: true }),
        'default/foo',
      ),
    ).rejects.toThrow('cannot clean up');
    expect(w.events).toEqual(['Warning InternalError cannot clean up']);
    expect(w.summary()).toEqual([]);
  });
});

describe('against a real API server', () => {
  it('leader election: one holder at a time; a released lease is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'knlite-lease-'));
    const server = (await startTestApiServer({ dataDir: dir, port: 0 })).server;
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
