import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionError, type AdmissionPlugin } from '../../src/lib/apiserver/types.js';
import {
  CM,
  configMap,
  ksvc,
  KSVC,
  request,
  startTestApiServer,
  type TestServer,
} from '../support/apiserver.js';

const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';

function deployment(name: string, replicas = 1): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'x' }] } },
    },
  };
}

const calls: string[] = [];
const admission: AdmissionPlugin[] = [
  {
    name: 'test-defaulter',
    matches: (r) => r.type.resource === 'configmaps',
    mutate: (r) => {
      calls.push(`mutate ${r.operation} ${r.name}`);
      if (r.operation !== 'DELETE')
        r.object.metadata.labels = { ...(r.object.metadata.labels ?? {}), defaulted: 'yes' };
    },
    validate: (r) => {
      calls.push(`validate ${r.operation} ${r.name}`);
      if (r.object.metadata.name === 'forbidden')
        throw new AdmissionError('validation failed: name is reserved', 400, 'BadRequest', [
          { field: 'metadata.name', message: 'reserved' },
        ]);
      if (r.operation === 'DELETE' && r.object.metadata.labels?.protected === 'true')
        throw new AdmissionError('protected', 403, 'Forbidden');
      if (r.name === 'lookup') {
        const sys = r.lookup('', 'namespaces', undefined, 'knative-serving');
        if (!sys) throw new AdmissionError('lookup failed');
      }
    },
  },
];

let t: TestServer;
beforeAll(async () => {
  t = await startTestApiServer({ admission });
});
afterAll(async () => {
  await t.close();
});

describe('discovery and health', () => {
  it('serves /version, /healthz, /api, /apis and group/version resource lists', async () => {
    expect((await t.req('GET', '/healthz')).text).toBe('ok');
    expect((await t.req('GET', '/version')).body.major).toBe('1');
    const api = await t.req('GET', '/api');
    expect(api.body.versions).toEqual(['v1']);
    const apis = await t.req('GET', '/apis');
    const names = apis.body.groups.map((g: { name: string }) => g.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'apps',
        'coordination.k8s.io',
        'apiextensions.k8s.io',
        'serving.knative.dev',
        'networking.internal.knative.dev',
      ]),
    );
    const serving = apis.body.groups.find((g: { name: string }) => g.name === 'serving.knative.dev');
    expect(serving.preferredVersion.version).toBe('v1');
    const rl = await t.req('GET', '/apis/serving.knative.dev/v1');
    const svc = rl.body.resources.find((r: { name: string }) => r.name === 'services');
    expect(svc).toMatchObject({
      kind: 'Service',
      namespaced: true,
      singularName: 'service',
      shortNames: ['kservice', 'ksvc'],
    });
    expect(svc.verbs).toEqual(
      expect.arrayContaining([
        'get',
        'list',
        'watch',
        'create',
        'update',
        'patch',
        'delete',
        'deletecollection',
      ]),
    );
    expect(rl.body.resources.map((r: { name: string }) => r.name)).toContain('services/status');
    const apps = await t.req('GET', '/apis/apps/v1');
    expect(apps.body.resources.find((r: { name: string }) => r.name === 'deployments/scale')).toMatchObject({
      kind: 'Scale',
      group: 'autoscaling',
    });
    const core = await t.req('GET', '/api/v1');
    expect(core.body.resources.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining([
        'namespaces',
        'configmaps',
        'secrets',
        'services',
        'endpoints',
        'pods',
        'events',
        'serviceaccounts',
      ]),
    );
  });

  it('creates the system namespaces and installs the Knative CRDs at first start', async () => {
    const ns = await t.req('GET', '/api/v1/namespaces');
    expect(ns.body.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual([
      'default',
      'knative-serving',
      'kube-public',
      'kube-system',
    ]);
    const crd = await t.req(
      'GET',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/services.serving.knative.dev',
    );
    expect(crd.status).toBe(200);
    expect(crd.body.status.conditions.find((c: { type: string }) => c.type === 'Established').status).toBe(
      'True',
    );
  });

  it('counts objects per resource', () => {
    expect(t.server.objectCounts()['namespaces']).toBeGreaterThanOrEqual(4);
  });
});

describe('tables and OpenAPI', () => {
  it('answers as=Table requests with a meta.k8s.io Table', async () => {
    await t.req('POST', KSVC, ksvc('tabled'));
    const accept = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };
    const list = await t.req('GET', KSVC, undefined, accept);
    expect(list.body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(list.body.columnDefinitions.map((c: { name: string }) => c.name)).toContain('LatestCreated');
    const one = await t.req('GET', `${KSVC}/tabled`, undefined, accept);
    expect(one.body.rows).toHaveLength(1);
    const plain = await t.req('GET', `${KSVC}/tabled`, undefined, { accept: 'application/json' });
    expect(plain.body.kind).toBe('Service');
  });

  it('serves /openapi/v2 and /openapi/v3 documents', async () => {
    expect((await t.req('GET', '/openapi/v2')).status).toBe(200);
    const v3 = await t.req('GET', '/openapi/v3');
    expect(v3.status).toBe(200);
    expect((await t.req('GET', '/openapi/v3/apis/serving.knative.dev/v1')).status).toBe(200);
    expect((await t.req('GET', '/openapi/v3/api/v1')).status).toBe(200);
  });
});

describe('authentication and TLS', () => {
  it('rejects requests without or with a wrong token with a 401 Status', async () => {
    const none = await t.req('GET', '/api/v1/namespaces', undefined, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    const wrong = await t.req('GET', '/api/v1/namespaces', undefined, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    const write = await t.req('POST', CM, configMap('sneaky'), { authorization: '' });
    expect(write.status).toBe(401);
    expect((await t.req('GET', `${CM}/sneaky`)).status).toBe(404);
  });

  it('keeps the token and TLS material private (0600) and writes private kubeconfigs', () => {
    for (const f of [
      'token',
      'pki/ca.crt',
      'pki/apiserver.crt',
      'pki/apiserver.key',
      'state.db',
      'state.db-wal',
      'state.db-shm',
    ]) {
      expect(fs.statSync(path.join(t.dir, f)).mode & 0o777).toBe(0o600);
    }
    const file = path.join(t.dir, 'kubeconfig');
    t.server.writeKubeconfig(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toContain(`server: ${t.server.url}`);
    expect(t.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('create / get / update / delete', () => {
  it('creates with uid, creationTimestamp, resourceVersion and generation 1, then reads it back', async () => {
    const res = await t.req('POST', KSVC, ksvc('crud-a'));
    expect(res.status).toBe(201);
    const m = res.body.metadata;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(m.generation).toBe(1);
    expect(Number(m.resourceVersion)).toBeGreaterThan(0);
    const got = await t.req('GET', `${KSVC}/crud-a`);
    expect(got.body).toEqual(res.body);
    const dup = await t.req('POST', KSVC, ksvc('crud-a'));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'services.serving.knative.dev "crud-a" already exists',
    });
  });

  it('returns 404 NotFound in the Kubernetes phrasing', async () => {
    const res = await t.req('GET', `${KSVC}/nope`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'services.serving.knative.dev "nope" not found',
      details: { name: 'nope', group: 'serving.knative.dev', kind: 'services' },
    });
    const cm = await t.req('GET', `${CM}/nope`);
    expect(cm.body.message).toBe('configmaps "nope" not found');
  });

  it('bumps resourceVersion on every write and answers a stale update with 409 Conflict', async () => {
    const created = (await t.req('POST', CM, configMap('rv', { a: '1' }))).body;
    const u1 = await t.req('PUT', `${CM}/rv`, { ...created, data: { a: '2' } });
    expect(u1.status).toBe(200);
    expect(Number(u1.body.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );
    const stale = await t.req('PUT', `${CM}/rv`, { ...created, data: { a: '3' } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on configmaps "rv": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect((await t.req('GET', `${CM}/rv`)).body.data).toEqual({ a: '2' });
    const ks = (await t.req('POST', KSVC, ksvc('conflict'))).body;
    await t.req('PUT', `${KSVC}/conflict`, { ...ks, metadata: { ...ks.metadata, labels: { x: 'y' } } });
    const c = await t.req('PUT', `${KSVC}/conflict`, ks);
    expect(c.body.message).toBe(
      'Operation cannot be fulfilled on services.serving.knative.dev "conflict": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('requires a resourceVersion to update a custom resource', async () => {
    const ks = (await t.req('POST', KSVC, ksvc('norv'))).body;
    delete ks.metadata.resourceVersion;
    const res = await t.req('PUT', `${KSVC}/norv`, ks);
    expect(res.status).toBe(422);
    expect(res.body.message).toContain(
      'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    );
  });

  it('bumps generation only on spec changes and keeps status out of main-resource writes', async () => {
    let obj = (await t.req('POST', KSVC, ksvc('gen', { status: { observedGeneration: 99 } }))).body;
    expect(obj.status).toBeUndefined(); // status is dropped on create for status-subresource kinds
    obj = (await t.req('PUT', `${KSVC}/gen`, { ...obj, metadata: { ...obj.metadata, labels: { a: 'b' } } }))
      .body;
    expect(obj.metadata.generation).toBe(1);
    const rvBeforeStatus = Number(obj.metadata.resourceVersion);
    const st = await t.req('PUT', `${KSVC}/gen/status`, {
      ...obj,
      spec: { changed: true },
      status: { observedGeneration: 1 },
    });
    expect(st.status).toBe(200);
    expect(st.body.status).toEqual({ observedGeneration: 1 });
    expect(st.body.spec).toEqual(obj.spec); // /status ignores spec
    expect(st.body.metadata.generation).toBe(1);
    expect(Number(st.body.metadata.resourceVersion)).toBeGreaterThan(rvBeforeStatus); // status writes bump rv
    obj = st.body;
    const spec = { template: { spec: { containers: [{ image: 'example.com/v2' }] } } };
    const up = await t.req('PUT', `${KSVC}/gen`, { ...obj, spec, status: { observedGeneration: 42 } });
    expect(up.body.metadata.generation).toBe(2);
    expect(up.body.status).toEqual({ observedGeneration: 1 }); // main resource ignores status
    const patched = await t.req(
      'PATCH',
      `${KSVC}/gen/status`,
      { status: { observedGeneration: 2 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.body.status.observedGeneration).toBe(2);
    expect(patched.body.metadata.generation).toBe(2);
  });

  it('does not write (or bump resourceVersion) for an update that changes nothing', async () => {
    const obj = (await t.req('POST', CM, configMap('noop', { a: '1' }))).body;
    const same = await t.req('PUT', `${CM}/noop`, obj);
    expect(same.body.metadata.resourceVersion).toBe(obj.metadata.resourceVersion);
  });

  it('generates names from generateName', async () => {
    const res = await t.req('POST', CM, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'gen-' },
    });
    expect(res.status).toBe(201);
    expect(res.body.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    const none = await t.req('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
    expect(none.status).toBe(422);
    expect(none.body.message).toBe(
      'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
    );
  });

  it('validates names', async () => {
    const res = await t.req('POST', CM, configMap('Bad_Name'));
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe('Invalid');
    expect(res.body.message).toContain(
      'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
    );
  });

  it('validates label keys and values', async () => {
    const res = await t.req('POST', CM, configMap('labels', {}, { 'bad key': 'x' }));
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(
      /^ConfigMap "labels" is invalid: metadata\.labels: Invalid value: "bad key": name part must consist of/,
    );
    const val = await t.req('POST', CM, configMap('labels', {}, { ok: 'not ok!' }));
    expect(val.status).toBe(422);
    expect((await t.req('GET', `${CM}/labels`)).status).toBe(404);
    expect(
      (await t.req('POST', CM, configMap('labels', {}, { 'serving.knative.dev/service': 'hello' }))).status,
    ).toBe(201);
  });

  it('turns Secret stringData into base64 data', async () => {
    const res = await t.req('POST', '/api/v1/namespaces/default/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sd' },
      stringData: { user: 'admin' },
    });
    expect(res.body).toMatchObject({
      type: 'Opaque',
      data: { user: Buffer.from('admin').toString('base64') },
    });
    expect(res.body.stringData).toBeUndefined();
  });

  it('dryRun=All runs admission and validation, returns the object and stores nothing', async () => {
    const before = t.server.objectCounts()['configmaps'] ?? 0;
    const res = await t.req('POST', `${CM}?dryRun=All`, configMap('dry'));
    expect(res.status).toBe(200);
    expect(res.body.metadata.labels.defaulted).toBe('yes');
    expect(res.body.metadata.uid).toBeDefined();
    expect((await t.req('GET', `${CM}/dry`)).status).toBe(404);
    const bad = await t.req('POST', `${CM}?dryRun=All`, configMap('forbidden'));
    expect(bad.status).toBe(400);
    expect(t.server.objectCounts()['configmaps'] ?? 0).toBe(before);
    const obj = (await t.req('POST', CM, configMap('dry2'))).body;
    const upd = await t.req('PUT', `${CM}/dry2?dryRun=All`, { ...obj, data: { x: 'y' } });
    expect(upd.body.data).toEqual({ x: 'y' });
    expect((await t.req('GET', `${CM}/dry2`)).body.data).toEqual({});
    const del = await t.req('DELETE', `${CM}/dry2?dryRun=All`);
    expect(del.status).toBe(200);
    expect((await t.req('GET', `${CM}/dry2`)).status).toBe(200);
  });

  it('runs the admission chain (mutate then validate) and maps AdmissionError to a Status', async () => {
    calls.length = 0;
    const ok = await t.req('POST', CM, configMap('admitted'));
    expect(ok.body.metadata.labels).toEqual({ defaulted: 'yes' });
    expect(calls).toEqual(['mutate CREATE admitted', 'validate CREATE admitted']);
    const bad = await t.req('POST', CM, configMap('forbidden'));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: 'validation failed: name is reserved',
      details: { causes: [{ field: 'metadata.name', message: 'reserved' }] },
    });
    expect((await t.req('GET', `${CM}/forbidden`)).status).toBe(404);
    const lookup = await t.req('POST', CM, configMap('lookup'));
    expect(lookup.status).toBe(201);
    const prot = await t.req('POST', CM, configMap('prot', {}, { protected: 'true' }));
    const del = await t.req('DELETE', `${CM}/prot`);
    expect(del.status).toBe(403);
    expect((await t.req('GET', `${CM}/prot`)).body.metadata.uid).toBe(prot.body.metadata.uid);
    calls.length = 0;
    await t.req(
      'PATCH',
      `${CM}/admitted`,
      { data: { k: 'v' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(calls).toEqual(['mutate UPDATE admitted', 'validate UPDATE admitted']);
  });

  it('deletes objects and collections', async () => {
    await t.req('POST', CM, configMap('dc-1', {}, { dc: 'yes' }));
    await t.req('POST', CM, configMap('dc-2', {}, { dc: 'yes' }));
    await t.req('POST', CM, configMap('dc-3', {}, { dc: 'no' }));
    const res = await t.req('DELETE', `${CM}?labelSelector=dc%3Dyes`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual([
      'dc-1',
      'dc-2',
    ]);
    expect((await t.req('GET', `${CM}/dc-1`)).status).toBe(404);
    expect((await t.req('GET', `${CM}/dc-3`)).status).toBe(200);
    const del = await t.req('DELETE', `${CM}/dc-3`);
    expect(del.status).toBe(200);
    expect((await t.req('DELETE', `${CM}/dc-3`)).status).toBe(404);
  });

  it('honours delete preconditions', async () => {
    const obj = (await t.req('POST', CM, configMap('pre'))).body;
    const res = await t.req('DELETE', `${CM}/pre`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      preconditions: { uid: 'other' },
    });
    expect(res.status).toBe(409);
    expect(res.body.message).toBe(
      `Operation cannot be fulfilled on configmaps "pre": Precondition failed: UID in precondition: other, UID in object meta: ${obj.metadata.uid}`,
    );
  });

  it('lists with resourceVersion, stable order and limit/continue', async () => {
    for (let i = 0; i < 7; i++)
      await t.req('POST', '/api/v1/namespaces/default/secrets', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `page-${i}` },
      });
    const all = await t.req('GET', '/api/v1/namespaces/default/secrets');
    expect(all.body.kind).toBe('SecretList');
    expect(Number(all.body.metadata.resourceVersion)).toBeGreaterThan(0);
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const page = await t.req(
        'GET',
        `/api/v1/namespaces/default/secrets?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      names.push(...page.body.items.map((i: { metadata: { name: string } }) => i.metadata.name));
      cont = page.body.metadata.continue ?? '';
      if (cont) expect(page.body.metadata.remainingItemCount).toBeGreaterThan(0);
      pages++;
    } while (cont);
    expect(pages).toBe(3);
    expect(names).toEqual(all.body.items.map((i: { metadata: { name: string } }) => i.metadata.name));
    expect(names).toEqual([...names].sort());
    const bad = await t.req('GET', '/api/v1/namespaces/default/secrets?limit=1&continue=garbage');
    expect(bad.status).toBe(400);
  });

  it('lists across namespaces and cluster-scoped kinds', async () => {
    await t.req('POST', '/api/v1/namespaces/kube-public/configmaps', configMap('elsewhere'));
    const all = await t.req('GET', '/api/v1/configmaps');
    const keys = all.body.items.map(
      (i: { metadata: { namespace: string; name: string } }) => `${i.metadata.namespace}/${i.metadata.name}`,
    );
    expect(keys).toContain('kube-public/elsewhere');
    expect(keys).toEqual([...keys].sort());
  });

  it('serves the scale subresource of deployments', async () => {
    const d = (await t.req('POST', DEPLOY, deployment('web', 2))).body;
    expect(d.metadata.generation).toBe(1);
    const scale = await t.req('GET', `${DEPLOY}/web/scale`);
    expect(scale.body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 2 },
      status: { replicas: 0, selector: 'app=web' },
    });
    const put = await t.req('PUT', `${DEPLOY}/web/scale`, { ...scale.body, spec: { replicas: 5 } });
    expect(put.body.spec.replicas).toBe(5);
    const after = (await t.req('GET', `${DEPLOY}/web`)).body;
    expect(after.spec.replicas).toBe(5);
    expect(after.metadata.generation).toBe(2);
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(d.metadata.resourceVersion));
    const patch = await t.req(
      'PATCH',
      `${DEPLOY}/web/scale`,
      { spec: { replicas: 0 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patch.body.spec.replicas).toBe(0);
    const stale = await t.req('PUT', `${DEPLOY}/web/scale`, { ...scale.body, spec: { replicas: 1 } });
    expect(stale.status).toBe(409);
    const neg = await t.req(
      'PATCH',
      `${DEPLOY}/web/scale`,
      { spec: { replicas: -1 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(neg.status).toBe(422);
    const st = await t.req(
      'PATCH',
      `${DEPLOY}/web/status`,
      { status: { replicas: 3, readyReplicas: 3 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(st.body.status.replicas).toBe(3);
    expect((await t.req('GET', `${DEPLOY}/web/scale`)).body.status.replicas).toBe(3);
    expect((await t.req('GET', `${KSVC}/x/scale`)).status).toBe(404);
  });
});

describe('schema enforcement for CRD kinds', () => {
  it('rejects unknown fields under Strict, prunes with a Warning otherwise', async () => {
    const body = ksvc('strict', { spec: { template: { spec: { containers: [{ image: 'x' }] } }, bogus: 1 } });
    const strict = await t.req('POST', `${KSVC}?fieldValidation=Strict`, body);
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe(
      'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.bogus"',
    );
    expect((await t.req('GET', `${KSVC}/strict`)).status).toBe(404);
    const warn = await t.req('POST', KSVC, body);
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toContain('unknown field \\"spec.bogus\\"');
    expect(warn.body.spec.bogus).toBeUndefined();
  });

  it('rejects schema violations with 422 Invalid', async () => {
    const res = await t.req(
      'POST',
      KSVC,
      ksvc('badtype', {
        spec: { template: { spec: { containers: [{ image: 'x' }], timeoutSeconds: 'soon' } } },
      }),
    );
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe('Invalid');
    expect(res.body.message).toMatch(/^Service\.serving\.knative\.dev "badtype" is invalid: /);
    expect((await t.req('GET', `${KSVC}/badtype`)).status).toBe(404);
  });

  it('registers kinds of CRDs created through the API and removes them with the CRD', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: {
          kind: 'Widget',
          listKind: 'WidgetList',
          plural: 'widgets',
          singular: 'widget',
          shortNames: ['wd'],
        },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    };
    const created = await t.req('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    expect(created.status).toBe(201);
    const rl = await t.req('GET', '/apis/example.com/v1');
    expect(rl.body.resources[0]).toMatchObject({ name: 'widgets', kind: 'Widget', shortNames: ['wd'] });
    const w = await t.req('POST', '/apis/example.com/v1/namespaces/default/widgets', {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w1' },
      spec: { size: 3 },
    });
    expect(w.status).toBe(201);
    const bad = await t.req('POST', '/apis/example.com/v1/namespaces/default/widgets', {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w2' },
      spec: { size: 'big' },
    });
    expect(bad.status).toBe(422);
    expect(
      (await t.req('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com'))
        .status,
    ).toBe(200);
    expect((await t.req('GET', '/apis/example.com/v1/namespaces/default/widgets')).status).toBe(404);
  });
});

describe('bad requests get a metav1.Status and change nothing', () => {
  it('malformed JSON and YAML are 400; YAML bodies are accepted', async () => {
    const before = JSON.stringify(t.server.objectCounts());
    const json = await t.req('POST', CM, '{"metadata": {', { 'content-type': 'application/json' });
    expect(json.status).toBe(400);
    expect(json.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    const y = await t.req('POST', CM, 'metadata: [unclosed', { 'content-type': 'application/yaml' });
    expect(y.status).toBe(400);
    expect(y.body.reason).toBe('BadRequest');
    expect(JSON.stringify(t.server.objectCounts())).toBe(before);
    const ok = await t.req(
      'POST',
      CM,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: "1"\n',
      { 'content-type': 'application/yaml' },
    );
    expect(ok.status).toBe(201);
    expect(ok.body.data).toEqual({ a: '1' });
  });

  it('unknown resources and groups are 404 "the server could not find the requested resource"', async () => {
    for (const p of [
      '/apis/nope.example.com/v1/namespaces/default/things',
      '/api/v1/namespaces/default/gizmos',
      '/apis/serving.knative.dev/v9',
      '/nonsense',
    ]) {
      const res = await t.req('GET', p);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({
        kind: 'Status',
        reason: 'NotFound',
        message: 'the server could not find the requested resource',
      });
    }
  });

  it('the body kind must match the URL, and the namespace in the body must match the URL', async () => {
    const res = await t.req('POST', CM, {
      ...configMap('wrongns'),
      metadata: { name: 'wrongns', namespace: 'kube-system' },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
    expect((await t.req('GET', '/api/v1/namespaces/kube-system/configmaps/wrongns')).status).toBe(404);
    const kind = await t.req('POST', CM, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k' } });
    expect(kind.status).toBe(400);
  });

  it('namespaced creates need an existing namespace', async () => {
    const res = await t.req('POST', '/api/v1/namespaces/missing/configmaps', configMap('x'));
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('namespaces "missing" not found');
  });

  it('oversized bodies are 413', async () => {
    const small = await startTestApiServer({ maxBodyBytes: 1024 });
    try {
      const res = await small.req('POST', CM, configMap('big', { blob: 'x'.repeat(4096) }));
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
      expect((await small.req('GET', `${CM}/big`)).status).toBe(404);
    } finally {
      await small.close();
    }
    const big = await t.req('POST', CM, configMap('big', { blob: 'x'.repeat(3 * 1024 * 1024 + 10) }));
    expect(big.status).toBe(413);
  });

  it('wrong methods are 405, unknown patch types 415', async () => {
    const res = await t.req('PUT', CM, configMap('m'));
    expect(res.status).toBe(405);
    expect(res.body.reason).toBe('MethodNotAllowed');
    await t.req('POST', CM, configMap('pt'));
    const pt = await t.req('PATCH', `${CM}/pt`, { data: {} }, { 'content-type': 'text/plain' });
    expect(pt.status).toBe(415);
    const smp = await t.req(
      'PATCH',
      `${KSVC}/crud-a`,
      { spec: {} },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    expect(smp.status).toBe(415);
  });

  it('the name in the body must match the URL on update', async () => {
    const obj = (await t.req('POST', CM, configMap('named'))).body;
    const res = await t.req('PUT', `${CM}/named`, { ...obj, metadata: { ...obj.metadata, name: 'other' } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      'the name of the object (other) does not match the name on the URL (named)',
    );
  });
});

describe('the CA', () => {
  it('verifies the serving certificate for 127.0.0.1 and localhost', async () => {
    const viaLocalhost = await request(
      { ...t.server, url: t.server.url.replace('127.0.0.1', 'localhost') },
      'GET',
      '/version',
    );
    expect(viaLocalhost.status).toBe(200);
  });
});
