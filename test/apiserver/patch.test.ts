import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../src/lib/apiserver/patch.js';
import { ApiError } from '../../src/lib/apiserver/errors.js';
import { CM, configMap, ksvc, KSVC, startTestApiServer, type TestServer } from '../support/apiserver.js';

describe('JSON merge patch (RFC 7386)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (target, patch, want) => {
    expect(mergePatch(target, patch)).toEqual(want);
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { a: { b: [1, 2, 3], c: 'x' } };
  it('applies add, remove, replace, move, copy and test', () => {
    expect(jsonPatch(doc, [{ op: 'add', path: '/a/b/1', value: 9 }])).toEqual({
      a: { b: [1, 9, 2, 3], c: 'x' },
    });
    expect(jsonPatch(doc, [{ op: 'add', path: '/a/b/-', value: 4 }])).toEqual({
      a: { b: [1, 2, 3, 4], c: 'x' },
    });
    expect(jsonPatch(doc, [{ op: 'remove', path: '/a/c' }])).toEqual({ a: { b: [1, 2, 3] } });
    expect(jsonPatch(doc, [{ op: 'replace', path: '/a/c', value: 'y' }])).toEqual({
      a: { b: [1, 2, 3], c: 'y' },
    });
    expect(jsonPatch(doc, [{ op: 'move', from: '/a/c', path: '/d' }])).toEqual({
      a: { b: [1, 2, 3] },
      d: 'x',
    });
    expect(jsonPatch(doc, [{ op: 'copy', from: '/a/c', path: '/a/e' }])).toEqual({
      a: { b: [1, 2, 3], c: 'x', e: 'x' },
    });
    expect(jsonPatch({ 'a/b': { '~': 1 } }, [{ op: 'replace', path: '/a~1b/~0', value: 2 }])).toEqual({
      'a/b': { '~': 2 },
    });
    expect(doc).toEqual({ a: { b: [1, 2, 3], c: 'x' } }); // input untouched
  });
  it('fails on a failed test or a missing path', () => {
    expect(() => jsonPatch(doc, [{ op: 'test', path: '/a/c', value: 'nope' }])).toThrow(ApiError);
    expect(() => jsonPatch(doc, [{ op: 'remove', path: '/zz' }])).toThrow(ApiError);
    expect(() => jsonPatch(doc, [{ op: 'replace', path: '/a/b/7', value: 1 }])).toThrow(ApiError);
    expect(() => jsonPatch(doc, { op: 'add' })).toThrow(ApiError);
  });
});

describe('strategic merge patch', () => {
  const pod = {
    spec: {
      containers: [
        {
          name: 'a',
          image: 'a:1',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
          ports: [{ containerPort: 80 }],
          volumeMounts: [{ name: 'v', mountPath: '/v' }],
        },
        { name: 'b', image: 'b:1' },
      ],
      volumes: [{ name: 'v', emptyDir: {} }],
    },
    status: {
      conditions: [
        { type: 'Ready', status: 'False' },
        { type: 'Available', status: 'True' },
      ],
    },
    metadata: { finalizers: ['f1'] },
  };
  it('merges lists by their merge keys', () => {
    const out = strategicMergePatch(pod, {
      spec: {
        containers: [
          {
            name: 'a',
            image: 'a:2',
            env: [
              { name: 'Y', value: '3' },
              { name: 'Z', value: '4' },
            ],
            ports: [{ containerPort: 8080 }],
          },
          { name: 'c', image: 'c:1' },
        ],
        volumes: [{ name: 'w', emptyDir: {} }],
      },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
      metadata: { finalizers: ['f2'] },
    }) as any;
    expect(out.spec.containers.map((c: { name: string }) => c.name)).toEqual(['a', 'b', 'c']);
    expect(out.spec.containers[0].image).toBe('a:2');
    expect(out.spec.containers[0].env).toEqual([
      { name: 'X', value: '1' },
      { name: 'Y', value: '3' },
      { name: 'Z', value: '4' },
    ]);
    expect(out.spec.containers[0].ports).toEqual([{ containerPort: 80 }, { containerPort: 8080 }]);
    expect(out.spec.containers[0].volumeMounts).toEqual([{ name: 'v', mountPath: '/v' }]);
    expect(out.spec.volumes.map((v: { name: string }) => v.name)).toEqual(['v', 'w']);
    expect(out.status.conditions).toEqual([
      { type: 'Ready', status: 'True' },
      { type: 'Available', status: 'True' },
    ]);
    expect(out.metadata.finalizers).toEqual(['f1', 'f2']);
  });
  it('honours $patch: delete, $patch: replace, null and $deleteFromPrimitiveList', () => {
    const out = strategicMergePatch(pod, {
      spec: {
        containers: [
          { name: 'b', $patch: 'delete' },
          { name: 'a', env: [{ name: 'X', $patch: 'delete' }], volumeMounts: null },
        ],
        volumes: [{ $patch: 'replace' }, { name: 'z', emptyDir: {} }],
      },
      status: { $patch: 'replace', phase: 'Running' },
      $setElementOrder: undefined,
      metadata: { '$deleteFromPrimitiveList/finalizers': ['f1'] },
    }) as any;
    expect(out.spec.containers.map((c: { name: string }) => c.name)).toEqual(['a']);
    expect(out.spec.containers[0].env).toEqual([{ name: 'Y', value: '2' }]);
    expect(out.spec.containers[0].volumeMounts).toBeUndefined();
    expect(out.spec.volumes).toEqual([{ name: 'z', emptyDir: {} }]);
    expect(out.status).toEqual({ phase: 'Running' });
    expect(out.metadata.finalizers).toEqual([]);
  });
  it('merges Service ports by port', () => {
    const out = strategicMergePatch(
      { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
      { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } },
    ) as any;
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090 }, { port: 443 }]);
  });
});

describe('PATCH over HTTP', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestApiServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('applies merge, JSON and strategic patches to core kinds, bumping resourceVersion', async () => {
    const created = (await t.req('POST', CM, configMap('p', { a: '1', b: '2' }))).body;
    const merge = await t.req(
      'PATCH',
      `${CM}/p`,
      { data: { a: null, c: '3' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(merge.status).toBe(200);
    expect(merge.body.data).toEqual({ b: '2', c: '3' });
    expect(Number(merge.body.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    const json = await t.req('PATCH', `${CM}/p`, [{ op: 'replace', path: '/data/b', value: '9' }], {
      'content-type': 'application/json-patch+json',
    });
    expect(json.body.data).toEqual({ b: '9', c: '3' });
    const smp = await t.req(
      'PATCH',
      `${CM}/p`,
      { metadata: { labels: { l: 'v' } } },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    expect(smp.body.metadata.labels).toEqual({ l: 'v' });
    const failed = await t.req('PATCH', `${CM}/p`, [{ op: 'test', path: '/data/b', value: 'no' }], {
      'content-type': 'application/json-patch+json',
    });
    expect(failed.status).toBe(422);
    expect((await t.req('GET', `${CM}/p`)).body.data).toEqual({ b: '9', c: '3' });
  });

  it('patches Deployments strategically (containers by name)', async () => {
    await t.req('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { a: 'd' } },
        template: {
          metadata: { labels: { a: 'd' } },
          spec: {
            containers: [
              { name: 'main', image: 'x:1' },
              { name: 'side', image: 's:1' },
            ],
          },
        },
      },
    });
    const res = await t.req(
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/d',
      { spec: { template: { spec: { containers: [{ name: 'main', image: 'x:2' }] } } } },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    expect(res.body.spec.template.spec.containers).toEqual([
      { name: 'main', image: 'x:2' },
      { name: 'side', image: 's:1' },
    ]);
    expect(res.body.metadata.generation).toBe(2);
  });

  it('merge-patches custom resources, with a resourceVersion in the patch as a precondition', async () => {
    const created = (await t.req('POST', KSVC, ksvc('mp'))).body;
    const res = await t.req(
      'PATCH',
      `${KSVC}/mp`,
      { metadata: { annotations: { a: 'b' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(res.body.metadata.annotations).toEqual({ a: 'b' });
    expect(res.body.metadata.generation).toBe(1);
    const stale = await t.req(
      'PATCH',
      `${KSVC}/mp`,
      { metadata: { resourceVersion: created.metadata.resourceVersion, labels: { x: 'y' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(stale.status).toBe(409);
    const missing = await t.req(
      'PATCH',
      `${KSVC}/nope`,
      {},
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(missing.status).toBe(404);
  });

  it('server-side apply creates, then owns exactly what it applies (fieldManager required)', async () => {
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: "1"\n';
    const noManager = await t.req('PATCH', `${CM}/applied`, body, {
      'content-type': 'application/apply-patch+yaml',
    });
    // kube-apiserver answers PatchOptions validation with 422 Invalid.
    expect(noManager.status).toBe(422);
    expect(noManager.body.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    const created = await t.req('PATCH', `${CM}/applied?fieldManager=test`, body, {
      'content-type': 'application/apply-patch+yaml',
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual({ a: '1' });
    const again = await t.req(
      'PATCH',
      `${CM}/applied?fieldManager=test`,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  b: "2"\n',
      { 'content-type': 'application/apply-patch+yaml' },
    );
    expect(again.status).toBe(200);
    // The same manager no longer applies `a`, and no one else owns it: it goes.
    expect(again.body.data).toEqual({ b: '2' });
  });
});
