/**
 * Typed decoding and validation of built-in kinds (kube-apiserver's wording), and schema decoding
 * of custom resources before Knative's admission webhooks touch them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knativeAdmission } from '../../src/lib/webhook/admission.js';
import { configMap, ksvc, KSVC, startTestApiServer, type TestServer } from '../support/apiserver.js';

let t: TestServer;
const SYS_CM = '/api/v1/namespaces/knative-serving/configmaps';
const MERGE = { 'content-type': 'application/merge-patch+json' };

beforeAll(async () => {
  t = await startTestApiServer({ admission: knativeAdmission() });
});
afterAll(async () => t.close());

describe('ConfigMap data types', () => {
  it('refuses a number in data on POST with a 400 naming the Go field', async () => {
    const r = await t.req('POST', SYS_CM, {
      ...configMap('config-autoscaler-num'),
      data: { 'scale-down-delay': 0 },
    });
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe('BadRequest');
    expect(r.body.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
    );
    expect((await t.req('GET', `${SYS_CM}/config-autoscaler-num`)).status).toBe(404);
  });

  it('refuses a merge patch that puts a number in data, leaving the ConfigMap unchanged', async () => {
    const created = await t.req('POST', SYS_CM, configMap('cm-merge', { 'stable-window': '60s' }));
    expect(created.status).toBe(201);
    const r = await t.req('PATCH', `${SYS_CM}/cm-merge`, { data: { 'stable-window': 60 } }, MERGE);
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(
      /^ "" is invalid: patch: Invalid value: ".*": json: cannot unmarshal number into Go struct field ConfigMap.data of type string$/,
    );
    const after = await t.req('GET', `${SYS_CM}/cm-merge`);
    expect(after.body.data).toEqual({ 'stable-window': '60s' });
    expect(after.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
  });

  it('refuses wrong types through PUT, JSON patch, strategic merge patch and apply', async () => {
    const c = await t.req('POST', SYS_CM, configMap('cm-all', { a: 'x' }));
    const put = await t.req('PUT', `${SYS_CM}/cm-all`, { ...c.body, data: { a: true } });
    expect(put.status).toBe(400);
    expect(put.body.message).toContain(
      'cannot unmarshal bool into Go struct field ConfigMap.data of type string',
    );
    const json = await t.req('PATCH', `${SYS_CM}/cm-all`, [{ op: 'add', path: '/data/b', value: 1 }], {
      'content-type': 'application/json-patch+json',
    });
    expect(json.status).toBe(422);
    const smp = await t.req(
      'PATCH',
      `${SYS_CM}/cm-all`,
      { data: { b: { x: 1 } } },
      {
        'content-type': 'application/strategic-merge-patch+json',
      },
    );
    expect(smp.status).toBe(422);
    expect(smp.body.message).toContain(
      'cannot unmarshal object into Go struct field ConfigMap.data of type string',
    );
    const apply = await t.req(
      'PATCH',
      `${SYS_CM}/cm-all?fieldManager=test`,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-all\ndata:\n  a: 0\n',
      { 'content-type': 'application/apply-patch+yaml' },
    );
    expect(apply.status).toBe(422);
    expect((await t.req('GET', `${SYS_CM}/cm-all`)).body.data).toEqual({ a: 'x' });
  });

  it('refuses binaryData that is not base64 and invalid keys', async () => {
    const bin = await t.req('POST', SYS_CM, { ...configMap('cm-bin'), binaryData: { a: 'not base64!' } });
    expect(bin.status).toBe(400);
    expect(bin.body.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 3',
    );
    const key = await t.req('POST', SYS_CM, configMap('cm-key', { 'bad key': 'v' }));
    expect(key.status).toBe(422);
    expect(key.body.message).toBe(
      `ConfigMap "cm-key" is invalid: data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    );
  });
});

describe('Secret data', () => {
  const SEC = '/api/v1/namespaces/default/secrets';
  it('refuses data that is not base64 and merges stringData into data', async () => {
    const bad = await t.req('POST', SEC, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's-bad' },
      data: { password: 'hunter2' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe(
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 4',
    );
    const num = await t.req('POST', SEC, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's-num' },
      stringData: { port: 5432 },
    });
    expect(num.status).toBe(400);
    expect(num.body.message).toContain(
      'json: cannot unmarshal number into Go struct field Secret.stringData of type string',
    );
    const ok = await t.req('POST', SEC, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's-ok' },
      data: { a: 'eA==' },
      stringData: { b: 'y' },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.data).toEqual({ a: 'eA==', b: 'eQ==' });
    expect(ok.body.stringData).toBeUndefined();
  });

  it('requires the keys of kubernetes.io/tls and keeps type immutable', async () => {
    const tls = await t.req('POST', SEC, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's-tls' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'eA==' },
    });
    expect(tls.status).toBe(422);
    expect(tls.body.message).toBe('Secret "s-tls" is invalid: data[tls.key]: Required value');
    const s = await t.req('POST', SEC, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's-type' } });
    const r = await t.req('PATCH', `${SEC}/s-type`, { type: 'example.com/other' }, MERGE);
    expect(r.status).toBe(422);
    expect(r.body.message).toBe(
      'Secret "s-type" is invalid: type: Invalid value: "example.com/other": field is immutable',
    );
    expect((await t.req('GET', `${SEC}/s-type`)).body.metadata.resourceVersion).toBe(
      s.body.metadata.resourceVersion,
    );
  });
});

describe('names, labels and annotations', () => {
  it('validates names by kind: DNS-1035 label for services, DNS-1123 label for namespaces', async () => {
    const svc = await t.req('POST', '/api/v1/namespaces/default/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: '1svc' },
      spec: { ports: [{ port: 80 }] },
    });
    expect(svc.status).toBe(422);
    expect(svc.body.message).toBe(
      `Service "1svc" is invalid: metadata.name: Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    );
    const ns = await t.req('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'a.b' },
    });
    expect(ns.status).toBe(422);
    expect(ns.body.message).toContain('a lowercase RFC 1123 label must consist of');
    const long = await t.req('POST', '/api/v1/namespaces/default/configmaps', configMap('x'.repeat(254)));
    expect(long.status).toBe(422);
    expect(long.body.message).toContain('must be no more than 253 characters');
  });

  it('refuses a label value of the wrong type and invalid label and annotation keys', async () => {
    const num = await t.req('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'lbl-num', labels: { app: 1 } },
    });
    expect(num.status).toBe(400);
    expect(num.body.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    );
    const key = await t.req('POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'lbl-key', labels: { 'a/b/c': 'x' }, annotations: { '-x': 'y' } },
    });
    expect(key.status).toBe(422);
    expect(key.body.details.causes.map((c: { field: string }) => c.field)).toEqual([
      'metadata.labels',
      'metadata.annotations',
    ]);
    expect(key.body.message).toContain(
      `metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters`,
    );
  });
});

describe('container resources', () => {
  const PODS = '/api/v1/namespaces/default/pods';
  const pod = (name: string, resources: unknown) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'x', resources }] },
  });

  it('refuses quantities that do not parse, with resource.Quantity wording', async () => {
    const r = await t.req('POST', PODS, pod('q-bad', { limits: { memory: 'lots' } }));
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
    const suffix = await t.req('POST', PODS, pod('q-suffix', { requests: { cpu: '1Xi' } }));
    expect(suffix.status).toBe(400);
  });

  it('refuses negative quantities and requests above limits in pods and deployments', async () => {
    const neg = await t.req('POST', PODS, pod('q-neg', { limits: { memory: '-1Gi' } }));
    expect(neg.status).toBe(422);
    expect(neg.body.message).toBe(
      'Pod "q-neg" is invalid: spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
    );
    const over = await t.req(
      'POST',
      PODS,
      pod('q-over', { limits: { cpu: '1' }, requests: { cpu: '1500m' } }),
    );
    expect(over.status).toBe(422);
    expect(over.body.message).toBe(
      'Pod "q-over" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: "1500m": must be less than or equal to cpu limit of 1',
    );
    const dep = await t.req('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd-neg' },
      spec: {
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { memory: '-5' } } }] },
        },
      },
    });
    expect(dep.status).toBe(422);
    expect(dep.body.message).toBe(
      'Deployment.apps "d-neg" is invalid: spec.template.spec.containers[0].resources.requests[memory]: Invalid value: "-5": must be greater than or equal to 0',
    );
    const ok = await t.req(
      'POST',
      PODS,
      pod('q-ok', { limits: { memory: '1Gi', cpu: 1 }, requests: { cpu: '0.5' } }),
    );
    expect(ok.status).toBe(201);
  });

  it('refuses a containers field that is not a list with the Go type', async () => {
    const r = await t.req('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd-str' },
      spec: { template: { spec: { containers: 'notalist' } } },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container',
    );
  });
});

describe('custom resources are decoded against their schema before admission', () => {
  it('answers 422 naming the field for containers: "notalist" instead of a 500 from defaulting', async () => {
    const body = ksvc('notalist');
    (body.spec as any).template.spec.containers = 'notalist';
    const r = await t.req('POST', KSVC, body);
    expect(r.status).toBe(422);
    expect(r.body.message).toBe(
      'Service.serving.knative.dev "notalist" is invalid: spec.template.spec.containers: Invalid value: "string": spec.template.spec.containers in body must be of type array: "string"',
    );
    expect(r.text).not.toMatch(/Cannot create property|\n\s+at /);
    const item = ksvc('item-str');
    (item.spec as any).template.spec.containers = ['notanobject'];
    const r2 = await t.req('POST', KSVC, item);
    expect(r2.status).toBe(422);
    expect(r2.body.message).toContain('spec.template.spec.containers[0] in body must be of type object');
  });

  it('refuses the same through a merge patch of an existing Service', async () => {
    const c = await t.req('POST', KSVC, ksvc('patched'));
    expect(c.status).toBe(201);
    const r = await t.req(
      'PATCH',
      `${KSVC}/patched`,
      { spec: { template: { spec: { containers: 'notalist' } } } },
      MERGE,
    );
    expect(r.status).toBe(422);
    expect(r.body.message).toContain('spec.template.spec.containers in body must be of type array');
    const after = await t.req('GET', `${KSVC}/patched`);
    expect(after.body.metadata.resourceVersion).toBe(c.body.metadata.resourceVersion);
  });
});
