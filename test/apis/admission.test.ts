import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWrite, knativeAdmission } from '../../src/lib/webhook/admission.js';
import { defaultConfigMaps } from '../../src/lib/apis/config/seed.js';
import type { KubeObject, Service } from '../../src/lib/apis/types.js';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';
import { AdmissionError, type AdmissionRequest, type ResourceType } from '../../src/lib/apiserver/types.js';
import { domainMapping, revision, service, withTraffic } from './fixtures.js';

const servicesType = {
  group: 'serving.knative.dev',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
} as ResourceType;

function req(partial: Partial<AdmissionRequest> & Pick<AdmissionRequest, 'object'>): AdmissionRequest {
  return {
    operation: 'CREATE',
    type: servicesType,
    namespace: 'default',
    subresource: '',
    userInfo: { username: 'alice', groups: [] },
    dryRun: false,
    lookup: () => undefined,
    ...partial,
  };
}

/** Deep copy with every object's keys in reverse order. */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reverseKeys(x)]),
    );
  return v;
}

/** Runs the plugins the way the API server does: every mutate, then every validate. */
function admit(r: AdmissionRequest): void {
  const plugins = knativeAdmission().filter((p) => p.matches(r));
  for (const p of plugins) p.mutate?.(r);
  for (const p of plugins) p.validate?.(r);
}

describe('knativeAdmission (plugin level)', () => {
  it('defaults and accepts a Service', () => {
    const r = req({ object: service('hello') });
    admit(r);
    const svc = r.object as Service;
    expect(svc.spec.traffic).toEqual([{ percent: 100, latestRevision: true }]);
    expect(svc.metadata.annotations?.['serving.knative.dev/creator']).toBe('alice');
  });

  it('rejects with the webhook denial text', () => {
    const r = req({ object: service('hello', withTraffic({ latestRevision: true, percent: 90 })) });
    let err: unknown;
    try {
      admit(r);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AdmissionError);
    expect((err as AdmissionError).message).toBe(
      'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: Traffic targets sum to 90, want 100: spec.traffic',
    );
    expect((err as AdmissionError).code).toBe(400);
    expect((err as AdmissionError).reason).toBe('BadRequest');
  });

  it('ignores status writes, deletes and other groups', () => {
    const bad = service('hello', withTraffic({ latestRevision: true, percent: 90 }));
    expect(
      knativeAdmission().some((p) =>
        p.matches(req({ object: bad, subresource: 'status', operation: 'UPDATE' })),
      ),
    ).toBe(false);
    expect(knativeAdmission().some((p) => p.matches(req({ object: bad, operation: 'DELETE' })))).toBe(false);
    const other = { ...servicesType, group: '', resource: 'services' } as ResourceType;
    expect(knativeAdmission().some((p) => p.matches(req({ object: bad, type: other })))).toBe(false);
  });

  it('reads config-defaults and config-autoscaler from knative-serving', () => {
    const cms = new Map<string, KubeObject>(defaultConfigMaps().map((c) => [c.metadata.name!, c]));
    cms.get('config-defaults')!.data = { 'revision-timeout-seconds': '42' };
    cms.get('config-autoscaler')!.data = { 'allow-zero-initial-scale': 'true' };
    const svc = service('hello');
    svc.spec.template.metadata = { annotations: { 'autoscaling.knative.dev/initial-scale': '0' } };
    const r = req({
      object: svc,
      lookup: (group, resource, ns, name) =>
        group === '' && resource === 'configmaps' && ns === 'knative-serving' ? cms.get(name) : undefined,
    });
    admit(r);
    expect((r.object as Service).spec.template.spec.timeoutSeconds).toBe(42);
  });

  it('keeps the stored spec on a no-op update', () => {
    const create = req({ object: service('hello') });
    admit(create);
    const stored = create.object;
    // Same content, different key order.
    const next = structuredClone(stored);
    next.spec = reverseKeys(stored.spec);
    expect(JSON.stringify(next.spec)).not.toBe(JSON.stringify(stored.spec));
    const update = req({
      operation: 'UPDATE',
      object: next,
      oldObject: structuredClone(stored),
      userInfo: { username: 'bob', groups: [] },
    });
    admit(update);
    expect(JSON.stringify(update.object.spec)).toBe(JSON.stringify(stored.spec));
    expect(update.object.metadata.annotations?.['serving.knative.dev/lastModifier']).toBe('alice');
  });
});

// --- against the real embedded API server -----------------------------------------------------

interface Res {
  status: number;
  body: any;
}

function call(server: ApiServer, method: string, p: string, body?: unknown): Promise<Res> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { authorization: `Bearer ${server.token}` };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const r = https.request(new URL(p, server.url), { method, ca: server.caPem, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
    r.on('error', reject);
    r.end(payload);
  });
}

describe('knativeAdmission in the embedded API server', () => {
  let dir: string;
  let server: ApiServer;
  const base = '/apis/serving.knative.dev/v1/namespaces/default/services';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'knlite-apis-admission-'));
    server = (await startTestApiServer({ dataDir: dir, port: 0, admission: knativeAdmission() })).server;
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a defaulted Service at generation 1', async () => {
    const res = await call(server, 'POST', base, service('hello'));
    expect(res.status).toBe(201);
    expect(res.body.metadata.generation).toBe(1);
    expect(res.body.spec.traffic).toEqual([{ percent: 100, latestRevision: true }]);
    expect(res.body.spec.template.spec.containers[0].name).toBe('user-container');
    expect(res.body.spec.template.spec.timeoutSeconds).toBe(300);
  });

  it('a no-op PUT and a status write keep generation 1', async () => {
    const got = await call(server, 'GET', `${base}/hello`);
    const put = await call(server, 'PUT', `${base}/hello`, got.body);
    expect(put.status).toBe(200);
    expect(put.body.metadata.generation).toBe(1);
    const status = await call(server, 'PUT', `${base}/hello/status`, {
      ...put.body,
      status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(status.status).toBe(200);
    expect(status.body.metadata.generation).toBe(1);
  });

  it('rejects a bad Service with 400 and stores nothing', async () => {
    const res = await call(
      server,
      'POST',
      base,
      service('bad', withTraffic({ latestRevision: true, percent: 90 })),
    );
    expect(res.status).toBe(400);
    expect(res.body.reason).toBe('BadRequest');
    expect(res.body.message).toBe(
      'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: Traffic targets sum to 90, want 100: spec.traffic',
    );
    expect((await call(server, 'GET', `${base}/bad`)).status).toBe(404);
  });

  it('rejects a single-label DomainMapping and defaults the ref namespace of a good one', async () => {
    const dms = '/apis/serving.knative.dev/v1beta1/namespaces/default/domainmappings';
    // (A wildcard name never gets here: the API server refuses it as an object name first, 422.)
    const bad = await call(server, 'POST', dms, domainMapping('localhost'));
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe(
      'admission webhook "validation.webhook.serving.knative.dev" denied the request: validation failed: invalid name "localhost": name: Invalid value: "localhost": should be a domain with at least two segments separated by dots: metadata.name',
    );
    const good = await call(server, 'POST', dms, domainMapping('hello.example.com'));
    expect(good.status).toBe(201);
    expect(good.body.spec.ref.namespace).toBe('default');
  });

  it('keeps a Revision spec immutable', async () => {
    const revs = '/apis/serving.knative.dev/v1/namespaces/default/revisions';
    const created = await call(server, 'POST', revs, revision('hello-00001'));
    expect(created.status).toBe(201);
    const next = created.body;
    next.spec.containers[0].image = 'other:latest';
    const res = await call(server, 'PUT', `${revs}/hello-00001`, next);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('validation failed: Immutable fields changed (-old +new): spec');
  });

  it('rejects a BYO-name update that keeps the name', async () => {
    const svc = service('byo');
    svc.spec.template.metadata = { name: 'byo-v1' };
    expect((await call(server, 'POST', base, svc)).status).toBe(201);
    const got = (await call(server, 'GET', `${base}/byo`)).body;
    got.spec.template.spec.containers[0].image = 'ghcr.io/knative/helloworld-go:v2';
    const res = await call(server, 'PUT', `${base}/byo`, got);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(
      'validation failed: Saw the following changes without a name change (-old +new): spec.template.metadata.name',
    );
  });
});

describe('checkWrite', () => {
  it('validates a defaulted copy without touching the input', () => {
    const svc = service('hello');
    expect(checkWrite('services', svc)).toBeUndefined();
    expect(svc.spec.traffic).toBeUndefined();
    const bad = service('hello', withTraffic({ percent: 50 }));
    expect(checkWrite('services', bad)?.message).toBe('Traffic targets sum to 50, want 100: spec.traffic');
  });
});
