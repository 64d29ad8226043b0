import { describe, expect, it } from 'vitest';
import { loadCrdResourceTypes } from '../../src/lib/apiserver/crds.js';
import { pruneUnknownFields, validateSchema, type Schema } from '../../src/lib/apiserver/schema.js';

const types = loadCrdResourceTypes();
const schemaOf = (resource: string): Schema => types.find((t) => t.resource === resource)!.schema!;

function ksvc(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'hello' }, spec };
}

describe('validateSchema keywords', () => {
  const cases: { name: string; schema: Schema; value: unknown; want: string[] }[] = [
    { name: 'string ok', schema: { type: 'string' }, value: 'x', want: [] },
    {
      name: 'integer given a string',
      schema: { type: 'object', properties: { n: { type: 'integer' } } },
      value: { n: 'string' },
      want: ['n: Invalid value: "string": n in body must be of type integer: "string"'],
    },
    {
      name: 'integer given a float',
      schema: { type: 'object', properties: { n: { type: 'integer' } } },
      value: { n: 1.5 },
      want: ['n: Invalid value: "number": n in body must be of type integer: "number"'],
    },
    {
      name: 'required',
      schema: { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
      value: {},
      want: ['a: Required value'],
    },
    {
      name: 'enum',
      schema: { type: 'object', properties: { e: { type: 'string', enum: ['A', 'B'] } } },
      value: { e: 'C' },
      want: ['e: Unsupported value: "C": supported values: "A", "B"'],
    },
    {
      name: 'minimum and maximum',
      schema: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 10 } },
      value: [-1, 11, 5],
      want: [
        '[0]: Invalid value: -1: [0] in body should be greater than or equal to 0',
        '[1]: Invalid value: 11: [1] in body should be less than or equal to 10',
      ],
    },
    {
      name: 'exclusive minimum',
      schema: { type: 'object', properties: { n: { type: 'number', minimum: 0, exclusiveMinimum: true } } },
      value: { n: 0 },
      want: ['n: Invalid value: 0: n in body should be greater than 0'],
    },
    {
      name: 'lengths and pattern',
      schema: {
        type: 'object',
        properties: { s: { type: 'string', minLength: 2, maxLength: 3, pattern: '^[a-z]+$' } },
      },
      value: { s: 'ABCD' },
      want: [
        's: Too long: may not be longer than 3',
        's: Invalid value: "ABCD": s in body should match \'^[a-z]+$\'',
      ],
    },
    {
      name: 'items count',
      schema: {
        type: 'object',
        properties: { l: { type: 'array', minItems: 1, maxItems: 1, items: { type: 'string' } } },
      },
      value: { l: ['a', 'b'] },
      want: ['l: Too many: 2: must have at most 1 items'],
    },
    {
      name: 'int32 range',
      schema: { type: 'object', properties: { p: { type: 'integer', format: 'int32' } } },
      value: { p: 2 ** 31 },
      want: ['p: Invalid value: 2147483648: p in body must be of type int32'],
    },
    {
      name: 'int-or-string',
      schema: {
        type: 'object',
        properties: {
          p: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        },
      },
      value: { p: true },
      want: ['p: Invalid value: "boolean": p in body must be of type integer,string: "boolean"'],
    },
    {
      name: 'nullable',
      schema: {
        type: 'object',
        properties: { a: { type: 'string', nullable: true }, b: { type: 'string' } },
      },
      value: { a: null, b: null },
      want: ['b: Invalid value: "null": b in body must be of type string: "null"'],
    },
    {
      name: 'additionalProperties schema',
      schema: { type: 'object', additionalProperties: { type: 'string' } },
      value: { x: 'ok', y: 3 },
      want: ['y: Invalid value: "number": y in body must be of type string: "number"'],
    },
    {
      name: 'embedded resource',
      schema: {
        type: 'object',
        properties: {
          r: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            'x-kubernetes-preserve-unknown-fields': true,
          },
        },
      },
      value: { r: { metadata: {} } },
      want: ['r.apiVersion: Required value: must not be empty', 'r.kind: Required value: must not be empty'],
    },
  ];
  it.each(cases)('$name', ({ schema, value, want }) => {
    expect(validateSchema(schema, value).map((e) => `${e.field}: ${e.message}`)).toEqual(want);
  });
});

describe('validateSchema on Knative kinds', () => {
  it('accepts a typical Knative Service', () => {
    const svc = ksvc({
      template: {
        metadata: { name: 'hello-v1', annotations: { 'autoscaling.knative.dev/min-scale': '1' } },
        spec: {
          containerConcurrency: 10,
          timeoutSeconds: 300,
          containers: [
            {
              image: 'ghcr.io/knative/helloworld-go:latest',
              env: [
                { name: 'TARGET', value: 'World' },
                { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
              ],
              ports: [{ containerPort: 8080, name: 'http1' }],
              resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 1 } },
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
              securityContext: { runAsNonRoot: true },
            },
          ],
          volumes: [{ name: 'cfg', configMap: { name: 'cm' } }],
        },
      },
      traffic: [
        { latestRevision: true, percent: 80 },
        { revisionName: 'hello-v0', percent: 20, tag: 'old' },
      ],
    });
    expect(validateSchema(schemaOf('services'), svc)).toEqual([]);
  });

  it('phrases a type error on containerConcurrency like Kubernetes', () => {
    const svc = ksvc({
      template: { spec: { containerConcurrency: 'string', containers: [{ image: 'x' }] } },
    });
    const errors = validateSchema(schemaOf('services'), svc);
    expect(errors).toEqual([
      {
        field: 'spec.template.spec.containerConcurrency',
        reason: 'FieldValueTypeInvalid',
        message:
          'Invalid value: "string": spec.template.spec.containerConcurrency in body must be of type integer: "string"',
      },
    ]);
  });

  it('reports array paths with [i] and resource quantities that do not parse', () => {
    const svc = ksvc({
      template: {
        spec: {
          containers: [
            { image: 'x' },
            { image: 'y', resources: { limits: { cpu: 'lots' } }, env: [{ value: 'v' }] },
          ],
        },
      },
    });
    const fields = validateSchema(schemaOf('services'), svc)
      .map((e) => e.field)
      .sort();
    expect(fields).toEqual([
      'spec.template.spec.containers[1].env[0].name',
      'spec.template.spec.containers[1].resources.limits.cpu',
    ]);
  });

  it('requires spec.ref on a DomainMapping and spec.namespace on a ClusterDomainClaim', () => {
    const dm = {
      apiVersion: 'serving.knative.dev/v1beta1',
      kind: 'DomainMapping',
      metadata: { name: 'a.com' },
      spec: {},
    };
    expect(validateSchema(schemaOf('domainmappings'), dm).map((e) => `${e.field}: ${e.message}`)).toEqual([
      'spec.ref: Required value',
    ]);
    const cdc = {
      apiVersion: 'networking.internal.knative.dev/v1alpha1',
      kind: 'ClusterDomainClaim',
      metadata: { name: 'a.com' },
    };
    expect(validateSchema(schemaOf('clusterdomainclaims'), cdc).map((e) => e.field)).toEqual(['spec']);
  });

  it('leaves root metadata to ObjectMeta handling but rejects a non-object', () => {
    const schema = schemaOf('routes');
    expect(validateSchema(schema, { metadata: { name: 'x', labels: { a: 'b' }, anything: 1 } })).toEqual([]);
    expect(validateSchema(schema, { metadata: 'x' }).map((e) => e.field)).toEqual(['metadata']);
  });
});

describe('pruneUnknownFields', () => {
  it('removes undeclared fields and reports their paths', () => {
    const svc = ksvc({
      foo: 1,
      template: {
        metadata: { labels: { a: 'b' }, somethingElse: true },
        spec: { containers: [{ image: 'x', bogus: 2, securityContext: { anything: { goes: 1 } } }] },
      },
    }) as any;
    svc.status = { url: 'http://x', extra: 1 };
    const removed = pruneUnknownFields(schemaOf('services'), svc);
    expect(removed).toEqual(['spec.foo', 'spec.template.spec.containers[0].bogus', 'status.extra']);
    expect(svc.spec.foo).toBeUndefined();
    expect(svc.spec.template.metadata.somethingElse).toBe(true); // preserve-unknown-fields
    expect(svc.spec.template.spec.containers[0]).toEqual({
      image: 'x',
      securityContext: { anything: { goes: 1 } },
    });
  });

  it('keeps apiVersion, kind and the whole root metadata', () => {
    const obj: Record<string, unknown> = {
      apiVersion: 'v',
      kind: 'K',
      metadata: { name: 'x', custom: 1 },
      other: 2,
    };
    expect(pruneUnknownFields({ type: 'object', properties: {} }, obj)).toEqual(['other']);
    expect(obj).toEqual({ apiVersion: 'v', kind: 'K', metadata: { name: 'x', custom: 1 } });
  });

  it('drops nulls the schema does not allow, silently', () => {
    const schema: Schema = {
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string', nullable: true } },
    };
    const obj: Record<string, unknown> = { a: null, b: null };
    expect(pruneUnknownFields(schema, obj)).toEqual([]);
    expect(obj).toEqual({ b: null });
  });

  it('keeps map entries declared through additionalProperties', () => {
    const schema: Schema = {
      type: 'object',
      properties: {
        m: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { x: { type: 'string' } } },
        },
      },
    };
    const obj: Record<string, unknown> = { m: { k1: { x: 'a', y: 'b' } } };
    expect(pruneUnknownFields(schema, obj)).toEqual(['m.k1.y']);
    expect(obj).toEqual({ m: { k1: { x: 'a' } } });
  });
});
