import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.js';
import { CM, configMap, ksvc, KSVC, startTestApiServer, type TestServer } from '../support/apiserver.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestApiServer();
});
afterAll(async () => {
  await t.close();
});

async function owner(name: string): Promise<{ uid: string; ref: Record<string, unknown> }> {
  const o = (await t.req('POST', KSVC, ksvc(name))).body;
  return {
    uid: o.metadata.uid,
    ref: {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      name,
      uid: o.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  };
}

async function dependent(
  name: string,
  refs: Record<string, unknown>[],
  finalizers?: string[],
): Promise<void> {
  const res = await t.req('POST', CM, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ownerReferences: refs, ...(finalizers ? { finalizers } : {}) },
  });
  expect(res.status).toBe(201);
}

const exists = async (p: string): Promise<boolean> => (await t.req('GET', p)).status === 200;

describe('ownerReference garbage collection', () => {
  it('background: deletes the owner at once and its dependents afterwards', async () => {
    const o = await owner('bg');
    await dependent('bg-child', [o.ref]);
    const del = await t.req('DELETE', `${KSVC}/bg`);
    expect(del.status).toBe(200);
    expect(await exists(`${KSVC}/bg`)).toBe(false);
    await waitUntil('dependent collected', async () => !(await exists(`${CM}/bg-child`)));
  });

  it('keeps dependents that still have a live owner', async () => {
    const a = await owner('multi-a');
    const b = await owner('multi-b');
    await dependent('multi-child', [a.ref, b.ref]);
    await t.req('DELETE', `${KSVC}/multi-a`);
    await t.server.gcIdle();
    expect(await exists(`${CM}/multi-child`)).toBe(true);
    await t.req('DELETE', `${KSVC}/multi-b`);
    await waitUntil('dependent collected', async () => !(await exists(`${CM}/multi-child`)));
  });

  it('foreground: the owner keeps a deletionTimestamp and foregroundDeletion until dependents are gone', async () => {
    const o = await owner('fg');
    await dependent('fg-child', [o.ref], ['example.com/hold']);
    const del = await t.req('DELETE', `${KSVC}/fg`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Foreground',
    });
    expect(del.status).toBe(202);
    expect(del.body.metadata.deletionTimestamp).toBeDefined();
    expect(del.body.metadata.finalizers).toContain('foregroundDeletion');
    await waitUntil(
      'child marked for deletion',
      async () => (await t.req('GET', `${CM}/fg-child`)).body.metadata.deletionTimestamp,
    );
    await t.server.gcIdle();
    expect(await exists(`${KSVC}/fg`)).toBe(true);
    // Releasing the dependent's finalizer lets it go, and then the owner.
    await t.req(
      'PATCH',
      `${CM}/fg-child`,
      { metadata: { finalizers: null } },
      { 'content-type': 'application/merge-patch+json' },
    );
    await waitUntil('owner deleted', async () => !(await exists(`${KSVC}/fg`)));
    expect(await exists(`${CM}/fg-child`)).toBe(false);
  });

  it('orphan: deletes the owner and strips the reference from dependents', async () => {
    const o = await owner('orph');
    await dependent('orph-child', [o.ref]);
    const del = await t.req('DELETE', `${KSVC}/orph?propagationPolicy=Orphan`);
    expect(del.status).toBe(200);
    await t.server.gcIdle();
    const child = (await t.req('GET', `${CM}/orph-child`)).body;
    expect(child.metadata.ownerReferences).toBeUndefined();
  });

  it('collects dependents created with owners that do not exist', async () => {
    await dependent('dangling', [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' },
    ]);
    await waitUntil('dangling collected', async () => !(await exists(`${CM}/dangling`)));
  });

  it('rejects an unknown propagationPolicy', async () => {
    await t.req('POST', CM, configMap('pp'));
    const res = await t.req('DELETE', `${CM}/pp?propagationPolicy=Sometimes`);
    expect(res.status).toBe(422);
    expect(await exists(`${CM}/pp`)).toBe(true);
  });
});

describe('finalizers', () => {
  it('an object with finalizers gets a deletionTimestamp and stays until they are removed', async () => {
    await t.req('POST', CM, {
      ...configMap('fin'),
      metadata: { name: 'fin', finalizers: ['example.com/a', 'example.com/b'] },
    });
    const del = await t.req('DELETE', `${CM}/fin`);
    expect(del.status).toBe(202);
    const marked = (await t.req('GET', `${CM}/fin`)).body;
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    // Deleting again changes nothing.
    const again = await t.req('DELETE', `${CM}/fin`);
    expect(again.body.metadata.resourceVersion).toBe(marked.metadata.resourceVersion);
    // An update cannot clear deletionTimestamp.
    const upd = await t.req('PUT', `${CM}/fin`, {
      ...marked,
      metadata: { ...marked.metadata, deletionTimestamp: undefined, finalizers: ['example.com/b'] },
    });
    expect(upd.body.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
    expect(await exists(`${CM}/fin`)).toBe(true);
    const more = await t.req('PUT', `${CM}/fin`, {
      ...upd.body,
      metadata: { ...upd.body.metadata, finalizers: ['example.com/b', 'example.com/new'] },
    });
    expect(more.status).toBe(422);
    expect(more.body.message).toContain('no new finalizers can be added if the object is being deleted');
    const last = await t.req('PUT', `${CM}/fin`, {
      ...upd.body,
      metadata: { ...upd.body.metadata, finalizers: [] },
    });
    expect(last.status).toBe(200);
    expect(await exists(`${CM}/fin`)).toBe(false);
  });
});

describe('namespace deletion', () => {
  it('marks the namespace Terminating, removes its contents, then the namespace', async () => {
    await t.req('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'doomed' },
    });
    await t.req('POST', '/api/v1/namespaces/doomed/configmaps', configMap('c1'));
    await t.req('POST', '/api/v1/namespaces/doomed/configmaps', {
      ...configMap('held'),
      metadata: { name: 'held', finalizers: ['example.com/hold'] },
    });
    await t.req('POST', '/apis/serving.knative.dev/v1/namespaces/doomed/services', ksvc('s1'));
    const del = await t.req('DELETE', '/api/v1/namespaces/doomed');
    expect(del.body.status.phase).toBe('Terminating');
    const create = await t.req('POST', '/api/v1/namespaces/doomed/configmaps', configMap('late'));
    expect(create.status).toBe(403);
    expect(create.body.message).toBe(
      'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    );
    await waitUntil(
      'contents deleted',
      async () =>
        !(await exists('/api/v1/namespaces/doomed/configmaps/c1')) &&
        !(await exists('/apis/serving.knative.dev/v1/namespaces/doomed/services/s1')),
    );
    await t.server.gcIdle();
    expect(await exists('/api/v1/namespaces/doomed')).toBe(true); // a finalizer holds one object
    await t.req(
      'PATCH',
      '/api/v1/namespaces/doomed/configmaps/held',
      { metadata: { finalizers: null } },
      { 'content-type': 'application/merge-patch+json' },
    );
    await waitUntil('namespace gone', async () => !(await exists('/api/v1/namespaces/doomed')));
  });

  it('refuses to delete the default namespace', async () => {
    const res = await t.req('DELETE', '/api/v1/namespaces/default');
    expect(res.status).toBe(403);
    expect(res.body.message).toBe('namespaces "default" is forbidden: this namespace may not be deleted');
  });
});
