/**
 * OpenAPI documents for the served kinds: swagger 2.0 at /openapi/v2 and OpenAPI 3.0 per
 * group/version at /openapi/v3. What clients rely on:
 * - kubectl (1.27+) asks /openapi/v3/<gv> whether PATCH of a kind accepts `fieldValidation`
 *   (every kind's PATCH operations list it, so `kubectl apply` validates server-side);
 * - `kubectl explain` finds schemas by their `x-kubernetes-group-version-kind`;
 * - strategic-merge clients read `x-kubernetes-patch-merge-key`/`-patch-strategy` on core lists.
 * CRD kinds carry their CRD schema; built-in kinds carry Kubernetes' own definitions
 * (config/openapi, see kube-schemas.ts) with descriptions, required fields and list semantics;
 * Scale and the metrics kinds, which those definitions do not cover, are spelled out here. Core
 * PATCH operations do not advertise strategic-merge bodies, so kubectl computes strategic patches
 * from its compiled-in types (exactly what it would send a real cluster).
 */
import { createHash } from 'node:crypto';
import { definitionClosure, definitionName, kindDefinition, kubeDefinitions } from './kube-schemas.js';
import type { ResourceType } from './types.js';

type Schema = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export { definitionName };

const str = (): Schema => ({ type: 'string' });
const strMap = (): Schema => ({ type: 'object', additionalProperties: { type: 'string' } });
const open = (properties: Record<string, Schema> = {}): Schema => ({
  type: 'object',
  properties,
  'x-kubernetes-preserve-unknown-fields': true,
});
const mergeList = (items: Schema, key: string, strategy = 'merge'): Schema => ({
  type: 'array',
  items,
  'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-patch-strategy': strategy,
});

/** ObjectMeta, ListMeta and friends: shared definitions every kind refers to. */
function metaDefinitions(ref: (name: string) => Schema): Record<string, Schema> {
  return {
    [`${META}.ObjectMeta`]: {
      type: 'object',
      description: 'ObjectMeta is metadata that all persisted resources must have.',
      properties: {
        name: str(),
        generateName: str(),
        namespace: str(),
        uid: str(),
        resourceVersion: str(),
        generation: { type: 'integer', format: 'int64' },
        creationTimestamp: { type: 'string', format: 'date-time' },
        deletionTimestamp: { type: 'string', format: 'date-time' },
        deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
        labels: strMap(),
        annotations: strMap(),
        ownerReferences: {
          ...mergeList(ref(`${META}.OwnerReference`), 'uid'),
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['uid'],
        },
        finalizers: {
          type: 'array',
          items: str(),
          'x-kubernetes-patch-strategy': 'merge',
          'x-kubernetes-list-type': 'set',
        },
        managedFields: { type: 'array', items: ref(`${META}.ManagedFieldsEntry`) },
      },
    },
    [`${META}.OwnerReference`]: {
      type: 'object',
      required: ['apiVersion', 'kind', 'name', 'uid'],
      properties: {
        apiVersion: str(),
        kind: str(),
        name: str(),
        uid: str(),
        controller: { type: 'boolean' },
        blockOwnerDeletion: { type: 'boolean' },
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [`${META}.ManagedFieldsEntry`]: open({
      manager: str(),
      operation: str(),
      apiVersion: str(),
      time: str(),
    }),
    [`${META}.ListMeta`]: {
      type: 'object',
      properties: {
        resourceVersion: str(),
        continue: str(),
        remainingItemCount: { type: 'integer', format: 'int64' },
      },
    },
    [`${META}.Status`]: {
      ...open({ status: str(), message: str(), reason: str(), code: { type: 'integer', format: 'int32' } }),
      'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }],
    },
    [`${META}.Patch`]: {
      type: 'object',
      description: 'Patch is provided to give a concrete name and type to the patch body.',
    },
    [`${META}.DeleteOptions`]: open({
      propagationPolicy: str(),
      gracePeriodSeconds: { type: 'integer', format: 'int64' },
    }),
    [`${META}.WatchEvent`]: {
      type: 'object',
      required: ['type', 'object'],
      properties: { type: str(), object: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    },
  };
}

/** Schemas of the kinds Kubernetes' published definitions do not cover (keyed by `group/Kind`). */
function localSchema(group: string, kind: string, ref: (name: string) => Schema): Schema {
  const meta = ref(`${META}.ObjectMeta`);
  const top = (properties: Record<string, Schema>): Schema => ({
    type: 'object',
    properties: { apiVersion: str(), kind: str(), metadata: meta, ...properties },
  });
  const quantities = { type: 'object', additionalProperties: str() };
  switch (`${group}/${kind}`) {
    case 'autoscaling/Scale':
      return top({
        spec: { type: 'object', properties: { replicas: { type: 'integer', format: 'int32' } } },
        status: {
          type: 'object',
          properties: { replicas: { type: 'integer', format: 'int32' }, selector: str() },
        },
      });
    case 'metrics.k8s.io/PodMetrics':
      return {
        ...top({
          timestamp: { type: 'string', format: 'date-time' },
          window: str(),
          containers: {
            type: 'array',
            items: { type: 'object', properties: { name: str(), usage: quantities } },
          },
        }),
        description: 'PodMetrics sets resource usage metrics of a pod.',
      };
    case 'metrics.k8s.io/NodeMetrics':
      return {
        ...top({ timestamp: { type: 'string', format: 'date-time' }, window: str(), usage: quantities }),
        description: 'NodeMetrics sets resource usage metrics of a node.',
      };
    default:
      return { ...top({ spec: open(), status: open() }), 'x-kubernetes-preserve-unknown-fields': true };
  }
}

/**
 * A shipped (swagger 2.0 form) definition for the document being built: v3 documents point at
 * `#/components/schemas/` and wrap a `$ref` that has siblings in `allOf`, as kube-apiserver does.
 */
function fromShipped(schema: unknown, v3: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((s) => fromShipped(s, v3));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) out[k] = fromShipped(v, v3);
  if (v3 && typeof out.$ref === 'string') {
    const ref = { $ref: out.$ref.replace('#/definitions/', '#/components/schemas/') };
    delete out.$ref;
    return Object.keys(out).length ? { allOf: [ref], ...out } : ref;
  }
  return out;
}

/** A CRD schema with its root metadata pointing at ObjectMeta (as kube-apiserver publishes it). */
function crdSchema(schema: Schema, ref: (name: string) => Schema): Schema {
  const properties = { ...((schema.properties as Record<string, Schema> | undefined) ?? {}) };
  properties.metadata = ref(`${META}.ObjectMeta`);
  return { ...schema, properties };
}

/** swagger 2.0 has no anyOf/nullable: int-or-string keeps only its extension (what kube-apiserver publishes). */
function toV2Schema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toV2Schema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) {
    if (k === 'nullable' || k === 'anyOf' || k === 'oneOf' || k === 'not' || k === 'allOf') continue;
    out[k] =
      k === '$ref' && typeof v === 'string'
        ? v.replace('#/components/schemas/', '#/definitions/')
        : toV2Schema(v);
  }
  return out;
}

const gvkOf = (t: ResourceType, kind = t.kind) => ({ group: t.group, version: t.version, kind });

/** Resource types that are whole kinds (not duplicates of the same kind). */
function kindsOf(types: ResourceType[]): ResourceType[] {
  const seen = new Set<string>();
  return types.filter((t) => {
    const key = `${t.group}/${t.version}/${t.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every definition of `types` (kind + list kind) plus the meta definitions, with `$ref`s built by `ref`. */
function definitions(types: ResourceType[], ref: (name: string) => Schema): Record<string, Schema> {
  const defs: Record<string, Schema> = metaDefinitions(ref);
  const v3 = String(ref('x').$ref).startsWith('#/components/');
  const scale = types.some((t) => t.subresources.scale);
  const all = kindsOf(types);
  const shipped = all.filter((t) => !t.schema && kindDefinition(t.group, t.version, t.kind));
  const kube = kubeDefinitions();
  for (const name of definitionClosure([
    `${META}.ObjectMeta`,
    ...shipped.map((t) => definitionName(t.group, t.version, t.kind)),
  ]))
    defs[name] = fromShipped(kube[name], v3) as Schema;
  if (scale)
    defs[definitionName('autoscaling', 'v1', 'Scale')] = withGvk(
      localSchema('autoscaling', 'Scale', ref),
      'autoscaling',
      'v1',
      'Scale',
    );
  for (const t of all) {
    const name = definitionName(t.group, t.version, t.kind);
    const schema = t.schema
      ? crdSchema(t.schema, ref)
      : shipped.includes(t)
        ? defs[name]
        : localSchema(t.group, t.kind, ref);
    defs[name] = withGvk(schema, t.group, t.version, t.kind);
    defs[definitionName(t.group, t.version, t.listKind)] = withGvk(
      {
        type: 'object',
        required: ['items'],
        properties: {
          apiVersion: str(),
          kind: str(),
          metadata: ref(`${META}.ListMeta`),
          items: { type: 'array', items: ref(name) },
        },
      },
      t.group,
      t.version,
      t.listKind,
    );
  }
  return defs;
}

function withGvk(schema: Schema, group: string, version: string, kind: string): Schema {
  return { ...schema, 'x-kubernetes-group-version-kind': [{ group, version, kind }] };
}

/** The swagger 2.0 document served at /openapi/v2 (JSON). */
export function openApiV2(types: ResourceType[]): object {
  const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
  const defs = definitions(types, ref);
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: v2Paths(kindsOf(types), ref),
    definitions: Object.fromEntries(Object.entries(defs).map(([k, v]) => [k, toV2Schema(v)])),
  };
}

/** The swagger 2.0 form of every resource's paths: bodies are `in: body` parameters, responses carry `schema`. */
function v2Paths(types: ResourceType[], ref: (name: string) => Schema): Record<string, Schema> {
  const paths: Record<string, Schema> = {};
  for (const t of types) Object.assign(paths, resourcePaths(t, ref));
  const v2Param = (p: Schema): Schema => {
    const { schema, ...rest } = p as { schema?: Schema } & Schema;
    return { ...rest, type: schema?.type ?? 'string', ...(schema?.uniqueItems ? { uniqueItems: true } : {}) };
  };
  const v2Op = (op: Schema): Schema => {
    const { requestBody, responses, parameters, ...rest } = op as Schema & {
      requestBody?: { content: Record<string, { schema: Schema }> };
      responses?: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
      parameters?: Schema[];
    };
    const params = (parameters ?? []).map(v2Param);
    const out: Schema = { ...rest };
    if (requestBody) {
      const [type, { schema }] = Object.entries(requestBody.content)[0];
      params.push({ name: 'body', in: 'body', required: true, schema });
      out.consumes = Object.keys(requestBody.content).length > 1 ? Object.keys(requestBody.content) : [type];
    }
    if (params.length) out.parameters = params;
    out.produces = ['application/json', 'application/yaml'];
    out.schemes = ['https'];
    if (responses)
      out.responses = Object.fromEntries(
        Object.entries(responses).map(([code, r]) => [
          code,
          r.content ? { description: r.description, schema: r.content['application/json'].schema } : r,
        ]),
      );
    return out;
  };
  for (const item of Object.values(paths))
    for (const [k, v] of Object.entries(item))
      item[k] = k === 'parameters' ? (v as Schema[]).map(v2Param) : v2Op(v as Schema);
  return paths;
}

/** `apis/serving.knative.dev/v1` or `api/v1`: the key of a group/version in the v3 index. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function uniqueGroupVersions(types: ResourceType[]): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const t of types)
    seen.set(groupVersionPath(t.group, t.version), { group: t.group, version: t.version });
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, gv]) => gv);
}

// Building a group/version document costs milliseconds (CRD schemas are large) and kubectl asks for
// the index on every command, so documents are memoized per set of served types.
const schemaIds = new WeakMap<object, number>();
let nextSchemaId = 0;
let memo: { key: string; docs: Map<string, object | undefined>; index?: object } = {
  key: '',
  docs: new Map(),
};

function typesKey(types: ResourceType[]): string {
  const id = (schema: object | undefined) => {
    if (!schema) return '';
    if (!schemaIds.has(schema)) schemaIds.set(schema, ++nextSchemaId);
    return String(schemaIds.get(schema));
  };
  return types
    .map((t) =>
      [
        t.group,
        t.version,
        t.resource,
        t.kind,
        t.listKind,
        t.namespaced,
        JSON.stringify(t.subresources),
        id(t.schema),
      ].join('|'),
    )
    .join(';');
}

function memoFor(types: ResourceType[]): typeof memo {
  const key = typesKey(types);
  if (memo.key !== key) memo = { key, docs: new Map() };
  return memo;
}

/** The /openapi/v3 index: one entry per served group/version, with a content hash in the URL. */
export function openApiV3Index(types: ResourceType[]): object {
  const m = memoFor(types);
  if (m.index) return m.index;
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of uniqueGroupVersions(types)) {
    const doc = openApiV3GroupVersion(types, group, version);
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
    const key = groupVersionPath(group, version);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  m.index = { paths };
  return m.index;
}

const queryParam = (name: string, description: string): Schema => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});
const writeParams = (): Schema[] => [
  queryParam('dryRun', 'When present, indicates that modifications should not be persisted.'),
  queryParam('fieldManager', 'A name associated with the actor or entity that is making these changes.'),
  queryParam(
    'fieldValidation',
    'How the server handles objects with unknown or duplicate fields: Ignore, Warn or Strict (the default).',
  ),
];
const pathParam = (name: string): Schema => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', uniqueItems: true },
});
const body = (schemaRef: Schema, types: string[]): Schema => ({
  required: true,
  content: Object.fromEntries(types.map((t) => [t, { schema: schemaRef }])),
});
const ok = (schemaRef: Schema, codes = ['200']): Schema =>
  Object.fromEntries([
    ...codes.map((c) => [c, { description: 'OK', content: { 'application/json': { schema: schemaRef } } }]),
    ['401', { description: 'Unauthorized' }],
  ]);

const camel = (s: string) => s.replace(/(^|[.\-/])(\w)/g, (_m, _p, c: string) => c.toUpperCase());

/** The REST paths and operations of one resource type. */
function resourcePaths(t: ResourceType, ref: (name: string) => Schema): Record<string, Schema> {
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  const collection = t.namespaced ? `${base}/namespaces/{namespace}/${t.resource}` : `${base}/${t.resource}`;
  const item = `${collection}/{name}`;
  const objRef = ref(definitionName(t.group, t.version, t.kind));
  const listRef = ref(definitionName(t.group, t.version, t.listKind));
  const gvk = gvkOf(t);
  const scope = t.namespaced ? 'Namespaced' : '';
  const op = (action: string, verb: string, extra: Schema): Schema => ({
    tags: [camel(`${t.group || 'core'}_${t.version}`)],
    operationId: `${verb}${camel(t.group || 'core')}${camel(t.version)}${scope}${t.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  const patchTypes = [
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/apply-patch+yaml',
  ];
  const namespaceParams = t.namespaced ? [pathParam('namespace')] : [];
  const itemOps = (kindRef: Schema, g: Schema, suffix: string): Schema => ({
    get: { ...op('get', `read${suffix}`, { responses: ok(kindRef) }), 'x-kubernetes-group-version-kind': g },
    put: {
      ...op('put', `replace${suffix}`, {
        parameters: writeParams(),
        requestBody: body(kindRef, ['*/*']),
        responses: ok(kindRef, ['200', '201']),
      }),
      'x-kubernetes-group-version-kind': g,
    },
    patch: {
      ...op('patch', `patch${suffix}`, {
        parameters: [...writeParams(), queryParam('force', 'Force is going to "force" Apply requests.')],
        requestBody: body(ref(`${META}.Patch`), patchTypes),
        responses: ok(kindRef, ['200', '201']),
      }),
      'x-kubernetes-group-version-kind': g,
    },
    parameters: [pathParam('name'), ...namespaceParams],
  });
  const paths: Record<string, Schema> = {
    [collection]: {
      get: op('list', 'list', { responses: ok(listRef) }),
      post: op('post', 'create', {
        parameters: writeParams(),
        requestBody: body(objRef, ['*/*']),
        responses: ok(objRef, ['200', '201', '202']),
      }),
      delete: op('deletecollection', 'deleteCollection', { responses: ok(ref(`${META}.Status`)) }),
      parameters: namespaceParams,
    },
    [item]: {
      ...itemOps(objRef, gvk, ''),
      delete: op('delete', 'delete', {
        parameters: [
          queryParam('dryRun', 'When present, indicates that modifications should not be persisted.'),
        ],
        responses: ok(ref(`${META}.Status`), ['200', '202']),
      }),
    },
  };
  if (t.subresources.status) paths[`${item}/status`] = itemOps(objRef, gvk, 'Status');
  if (t.subresources.scale) {
    paths[`${item}/scale`] = itemOps(
      ref(definitionName('autoscaling', 'v1', 'Scale')),
      { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      'Scale',
    );
  }
  if (t.namespaced) paths[`${base}/${t.resource}`] = { get: op('list', 'list', { responses: ok(listRef) }) };
  return paths;
}

/**
 * The OpenAPI 3.0 document of one group/version (served at /openapi/v3/apis/<group>/<version>),
 * or undefined when nothing is served there.
 */
export function openApiV3GroupVersion(
  types: ResourceType[],
  group: string,
  version: string,
): object | undefined {
  const served = types.filter((t) => t.group === group && t.version === version);
  if (!served.length) return undefined;
  const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
  // Components hold this group/version's kinds plus what they refer to (meta, Scale).
  const schemas = definitions(served, ref);
  const paths: Record<string, Schema> = {};
  for (const t of kindsOf(served)) Object.assign(paths, resourcePaths(t, ref));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: {
      schemas,
      securitySchemes: {
        BearerToken: {
          type: 'apiKey',
          description: 'Bearer Token authentication',
          name: 'authorization',
          in: 'header',
        },
      },
    },
  };
}
