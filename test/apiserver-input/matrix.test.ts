/**
 * Bad input against the embedded API server, as a table: raw request bodies and `kubectl` runs.
 * Every case must get its 4xx with a message naming the field, a metav1.Status without a stack
 * trace, no write at all (the store's resourceVersion does not move), and a server still answering.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knativeAdmission } from '../../src/lib/webhook/admission.js';
import { configMap, ksvc, startTestApiServer, type TestServer } from '../support/apiserver.js';

const NS = '/api/v1/namespaces/default';
const CM = `${NS}/configmaps`;
const SEC = `${NS}/secrets`;
const POD = `${NS}/pods`;
const SVC = `${NS}/services`;
const EV = `${NS}/events`;
const DEP = '/apis/apps/v1/namespaces/default/deployments';
const KSVC = '/apis/serving.knative.dev/v1/namespaces/default/services';

const MERGE = 'application/merge-patch+json';
const JSONPATCH = 'application/json-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

type Obj = Record<string, any>;

/** One bad request: what to send, the status it must get and text its message must contain. */
interface Case {
  name: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'GET';
  path: string;
  body?: unknown;
  contentType?: string;
  status: number;
  message: string | RegExp;
}

const cm = (extra: Obj, name = 'm-new'): Obj => ({ ...configMap(name), ...extra });
const cmMeta = (metadata: Obj): Obj => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'm-new', ...metadata },
});
const secret = (extra: Obj): Obj => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's-new' },
  ...extra,
});
const pod = (container: Obj, spec: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p-new' },
  spec: { containers: [{ name: 'c', image: 'x', ...container }], ...spec },
});
const deployment = (spec: Obj, container: Obj = {}): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd-new' },
  spec: {
    selector: { matchLabels: { app: 'd' } },
    template: {
      metadata: { labels: { app: 'd' } },
      spec: { containers: [{ name: 'c', image: 'x', ...container }] },
    },
    ...spec,
  },
});
const svcWith = (spec: Obj, name = 'k-new'): Obj => {
  const s = ksvc(name) as Obj;
  s.spec.template.spec = { ...s.spec.template.spec, ...spec };
  return s;
};
const event = (extra: Obj): Obj => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'e-new' },
  involvedObject: { kind: 'Pod', name: 'x', namespace: 'default' },
  ...extra,
});
const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const GO = (field: string, type: string, what = 'number'): string =>
  `json: cannot unmarshal ${what} into Go struct field ${field} of type ${type}`;

const CASES: Case[] = [
  // ---- ConfigMap: typed decoding (400) ----
  {
    name: 'cm data number',
    method: 'POST',
    path: CM,
    body: cm({ data: { 'stable-window': 60 } }),
    status: 400,
    message: GO('ConfigMap.data', 'string'),
  },
  {
    name: 'cm data bool',
    method: 'POST',
    path: CM,
    body: cm({ data: { a: true } }),
    status: 400,
    message: GO('ConfigMap.data', 'string', 'bool'),
  },
  {
    name: 'cm data object value',
    method: 'POST',
    path: CM,
    body: cm({ data: { a: { b: 'c' } } }),
    status: 400,
    message: GO('ConfigMap.data', 'string', 'object'),
  },
  {
    name: 'cm data array',
    method: 'POST',
    path: CM,
    body: cm({ data: ['a'] }),
    status: 400,
    message: GO('ConfigMap.data', 'map[string]string', 'array'),
  },
  {
    name: 'cm data string',
    method: 'POST',
    path: CM,
    body: cm({ data: 'a=b' }),
    status: 400,
    message: GO('ConfigMap.data', 'map[string]string', 'string'),
  },
  {
    name: 'cm binaryData not base64',
    method: 'POST',
    path: CM,
    body: cm({ binaryData: { a: 'AB$=' } }),
    status: 400,
    message: 'illegal base64 data at input byte 2',
  },
  {
    name: 'cm binaryData bad padding',
    method: 'POST',
    path: CM,
    body: cm({ binaryData: { a: 'QUJD=' } }),
    status: 400,
    message: 'illegal base64 data at input byte 4',
  },
  {
    name: 'cm binaryData number',
    method: 'POST',
    path: CM,
    body: cm({ binaryData: { a: 1 } }),
    status: 400,
    message: GO('ConfigMap.binaryData', '[]uint8'),
  },
  {
    name: 'cm immutable string',
    method: 'POST',
    path: CM,
    body: cm({ immutable: 'yes' }),
    status: 400,
    message: GO('ConfigMap.immutable', 'bool', 'string'),
  },
  // ---- ConfigMap: validation (422) ----
  {
    name: 'cm key with space',
    method: 'POST',
    path: CM,
    body: cm({ data: { 'bad key': 'v' } }),
    status: 422,
    message:
      'data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters',
  },
  {
    name: 'cm key starting with ..',
    method: 'POST',
    path: CM,
    body: cm({ data: { '..x': 'v' } }),
    status: 422,
    message: `data[..x]: Invalid value: "..x": must not start with '..'`,
  },
  {
    name: 'cm key in data and binaryData',
    method: 'POST',
    path: CM,
    body: cm({ data: { a: 'v' }, binaryData: { a: 'dg==' } }),
    status: 422,
    message: 'data[a]: Invalid value: "a": duplicate of key present in binaryData',
  },
  {
    name: 'cm too large',
    method: 'POST',
    path: CM,
    body: cm({ data: { a: 'x'.repeat(1024 * 1024 + 1) } }),
    status: 422,
    message: 'Too long: may not be more than 1048576 bytes',
  },
  // ---- ObjectMeta ----
  {
    name: 'name with underscore',
    method: 'POST',
    path: CM,
    body: cmMeta({ name: 'Bad_Name' }),
    status: 422,
    message: 'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
  },
  {
    name: 'name too long',
    method: 'POST',
    path: CM,
    body: cmMeta({ name: 'a'.repeat(254) }),
    status: 422,
    message: 'metadata.name: Invalid value: "aaaa',
  },
  {
    name: 'name missing',
    method: 'POST',
    path: CM,
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} },
    status: 422,
    message: 'metadata.name: Required value: name or generateName is required',
  },
  {
    name: 'generateName invalid',
    method: 'POST',
    path: CM,
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'Bad_' } },
    status: 422,
    message: 'metadata.generateName: Invalid value: "Bad_"',
  },
  {
    name: 'name wrong type',
    method: 'POST',
    path: CM,
    body: cmMeta({ name: 5 }),
    status: 400,
    message: GO('ObjectMeta.metadata.name', 'string'),
  },
  {
    name: 'label value number',
    method: 'POST',
    path: CM,
    body: cmMeta({ labels: { app: 1 } }),
    status: 400,
    message: GO('ObjectMeta.metadata.labels', 'string'),
  },
  {
    name: 'label value with space',
    method: 'POST',
    path: CM,
    body: cmMeta({ labels: { app: 'a b' } }),
    status: 422,
    message: 'metadata.labels: Invalid value: "a b": a valid label must be an empty string',
  },
  {
    name: 'label value too long',
    method: 'POST',
    path: CM,
    body: cmMeta({ labels: { app: 'a'.repeat(64) } }),
    status: 422,
    message: 'must be no more than 63 characters',
  },
  {
    name: 'label key two slashes',
    method: 'POST',
    path: CM,
    body: cmMeta({ labels: { 'a/b/c': 'x' } }),
    status: 422,
    message: 'metadata.labels: Invalid value: "a/b/c": a qualified name must consist',
  },
  {
    name: 'label key bad prefix',
    method: 'POST',
    path: CM,
    body: cmMeta({ labels: { 'Ex_ample/app': 'x' } }),
    status: 422,
    message: 'prefix part a lowercase RFC 1123 subdomain',
  },
  {
    name: 'label key empty name',
    method: 'POST',
    path: CM,
    body: cmMeta({ labels: { 'example.com/': 'x' } }),
    status: 422,
    message: 'name part must be non-empty',
  },
  {
    name: 'annotation key invalid',
    method: 'POST',
    path: CM,
    body: cmMeta({ annotations: { '-x': 'y' } }),
    status: 422,
    message: 'metadata.annotations: Invalid value: "-x": name part must consist',
  },
  {
    name: 'annotation value number',
    method: 'POST',
    path: CM,
    body: cmMeta({ annotations: { a: 1 } }),
    status: 400,
    message: GO('ObjectMeta.metadata.annotations', 'string'),
  },
  {
    name: 'annotations too large',
    method: 'POST',
    path: CM,
    body: cmMeta({ annotations: { a: 'x'.repeat(256 * 1024 + 1) } }),
    status: 422,
    message: 'metadata.annotations: Too long: may not be more than 262144 bytes',
  },
  {
    name: 'metadata string',
    method: 'POST',
    path: CM,
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: 'm' },
    status: 400,
    message: GO('ConfigMap.metadata', 'v1.ObjectMeta', 'string'),
  },
  {
    name: 'finalizers string',
    method: 'POST',
    path: CM,
    body: cmMeta({ finalizers: 'a' }),
    status: 400,
    message: GO('ObjectMeta.metadata.finalizers', '[]string', 'string'),
  },
  {
    name: 'ownerReferences object',
    method: 'POST',
    path: CM,
    body: cmMeta({ ownerReferences: { uid: 'x' } }),
    status: 400,
    message: GO('ObjectMeta.metadata.ownerReferences', '[]v1.OwnerReference', 'object'),
  },
  {
    name: 'ownerReference controller string',
    method: 'POST',
    path: CM,
    body: cmMeta({
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u', controller: 'yes' }],
    }),
    status: 400,
    message: GO('OwnerReference.metadata.ownerReferences.controller', 'bool', 'string'),
  },
  {
    name: 'creationTimestamp not a time',
    method: 'POST',
    path: CM,
    body: cmMeta({ creationTimestamp: 'yesterday' }),
    status: 400,
    message: 'parsing time "yesterday"',
  },
  // ---- patches and updates of an existing ConfigMap ----
  {
    name: 'merge patch data number',
    method: 'PATCH',
    path: `${CM}/fixture`,
    body: { data: { 'stable-window': 60 } },
    contentType: MERGE,
    status: 422,
    message: GO('ConfigMap.data', 'string'),
  },
  {
    name: 'json patch data number',
    method: 'PATCH',
    path: `${CM}/fixture`,
    body: [{ op: 'add', path: '/data/x', value: 1 }],
    contentType: JSONPATCH,
    status: 422,
    message: GO('ConfigMap.data', 'string'),
  },
  {
    name: 'strategic patch data bool',
    method: 'PATCH',
    path: `${CM}/fixture`,
    body: { data: { x: false } },
    contentType: SMP,
    status: 422,
    message: GO('ConfigMap.data', 'string', 'bool'),
  },
  {
    name: 'apply patch data number',
    method: 'PATCH',
    path: `${CM}/fixture?fieldManager=m`,
    body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fixture\ndata:\n  scale-down-delay: 0\n',
    contentType: APPLY,
    status: 422,
    message: GO('ConfigMap.data', 'string'),
  },
  {
    name: 'merge patch bad label',
    method: 'PATCH',
    path: `${CM}/fixture`,
    body: { metadata: { labels: { app: 'a b' } } },
    contentType: MERGE,
    status: 422,
    message: 'metadata.labels: Invalid value: "a b"',
  },
  {
    name: 'merge patch immutable string',
    method: 'PATCH',
    path: `${CM}/fixture`,
    body: { immutable: 'true' },
    contentType: MERGE,
    status: 422,
    message: GO('ConfigMap.immutable', 'bool', 'string'),
  },
  {
    name: 'merge patch renames',
    method: 'PATCH',
    path: `${CM}/fixture`,
    body: { metadata: { name: 'other' } },
    contentType: MERGE,
    status: 400,
    message: 'the name of the object (other) does not match the name on the URL (fixture)',
  },
  {
    name: 'patch text/plain',
    method: 'PATCH',
    path: `${CM}/fixture`,
    body: '{}',
    contentType: 'text/plain',
    status: 415,
    message: 'accepted media types include: application/json-patch+json',
  },
  {
    name: 'merge patch nested too deep',
    method: 'PATCH',
    path: `${CM}/fixture`,
    body: `{"data":${deep(100_000)}}`,
    contentType: MERGE,
    status: 400,
    message: 'exceeded max depth',
  },
  {
    name: 'json patch not a list',
    method: 'PATCH',
    path: `${CM}/fixture`,
    body: { op: 'add' },
    contentType: JSONPATCH,
    status: 400,
    message: /patch|json/i,
  },
  {
    name: 'put data number',
    method: 'PUT',
    path: `${CM}/fixture`,
    body: { ...configMap('fixture'), data: { a: 1 } },
    status: 400,
    message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: ' + GO('ConfigMap.data', 'string'),
  },
  {
    name: 'put resourceVersion abc',
    method: 'PUT',
    path: `${CM}/fixture`,
    body: cmMeta({ name: 'fixture', resourceVersion: 'abc' }),
    status: 400,
    message:
      'metadata.resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax',
  },
  {
    name: 'put resourceVersion negative',
    method: 'PUT',
    path: `${CM}/fixture`,
    body: cmMeta({ name: 'fixture', resourceVersion: '-1' }),
    status: 400,
    message: 'metadata.resourceVersion: Invalid value: "-1"',
  },
  // ---- request envelope ----
  {
    name: 'text/plain body',
    method: 'POST',
    path: CM,
    body: JSON.stringify(cm({})),
    contentType: 'text/plain',
    status: 415,
    message: 'accepted media types include: application/json, application/yaml',
  },
  {
    name: 'form body',
    method: 'POST',
    path: CM,
    body: 'a=b',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    message: 'the body of the request was in an unknown format',
  },
  {
    name: 'fieldManager too long',
    method: 'POST',
    path: `${CM}?fieldManager=${'f'.repeat(200)}`,
    body: cm({}),
    status: 422,
    message: 'fieldManager: Too long: may not be more than 128 bytes',
  },
  {
    name: 'dryRun unknown',
    method: 'POST',
    path: `${CM}?dryRun=Some`,
    body: cm({}),
    status: 422,
    message: 'dryRun: Unsupported value: []string{"Some"}: supported values: "All"',
  },
  {
    name: 'fieldValidation unknown',
    method: 'POST',
    path: `${CM}?fieldValidation=strict`,
    body: cm({}),
    status: 422,
    message: 'fieldValidation: Unsupported value: "strict"',
  },
  {
    name: 'json nested too deep',
    method: 'POST',
    path: CM,
    body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"m-new"},"x":${deep(100_000)}}`,
    status: 400,
    message: "json parse error: invalid character '[' exceeded max depth",
  },
  {
    name: 'yaml nested too deep',
    method: 'POST',
    path: CM,
    body: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m-new}\nx: ${deep(5000)}\n`,
    contentType: 'application/yaml',
    status: 400,
    message: 'yaml: exceeded max depth of 1000',
  },
  {
    name: 'malformed json',
    method: 'POST',
    path: CM,
    body: '{"apiVersion":',
    status: 400,
    message: "couldn't get version/kind; json parse error",
  },
  {
    name: 'malformed yaml',
    method: 'POST',
    path: CM,
    body: 'a: [b\n',
    contentType: 'application/yaml',
    status: 400,
    message: 'error converting YAML to JSON',
  },
  {
    name: 'body is a list',
    method: 'POST',
    path: CM,
    body: [],
    status: 400,
    message: 'not a ConfigMap object',
  },
  {
    name: 'kind mismatch',
    method: 'POST',
    path: CM,
    body: { ...cm({}), kind: 'Secret' },
    status: 400,
    message: 'the kind of the object (Secret) does not match the kind on the URL (ConfigMap)',
  },
  {
    name: 'apiVersion mismatch',
    method: 'POST',
    path: CM,
    body: { ...cm({}), apiVersion: 'v2' },
    status: 400,
    message: 'the API version in the data (v2) does not match the expected API version (v1)',
  },
  {
    name: 'namespace mismatch',
    method: 'POST',
    path: CM,
    body: cmMeta({ namespace: 'kube-system' }),
    status: 400,
    message: 'the namespace of the provided object does not match the namespace sent on the request',
  },
  // ---- Secret ----
  {
    name: 'secret data not base64',
    method: 'POST',
    path: SEC,
    body: secret({ data: { password: 'hunter2' } }),
    status: 400,
    message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 4',
  },
  {
    name: 'secret data number',
    method: 'POST',
    path: SEC,
    body: secret({ data: { a: 1 } }),
    status: 400,
    message: GO('Secret.data', '[]uint8'),
  },
  {
    name: 'secret stringData number',
    method: 'POST',
    path: SEC,
    body: secret({ stringData: { port: 5432 } }),
    status: 400,
    message: GO('Secret.stringData', 'string'),
  },
  {
    name: 'secret type number',
    method: 'POST',
    path: SEC,
    body: secret({ type: 1 }),
    status: 400,
    message: GO('Secret.type', 'v1.SecretType'),
  },
  {
    name: 'secret tls without key',
    method: 'POST',
    path: SEC,
    body: secret({ type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c' } }),
    status: 422,
    message: 'data[tls.key]: Required value',
  },
  {
    name: 'secret stringData bad key',
    method: 'POST',
    path: SEC,
    body: secret({ stringData: { 'a b': 'c' } }),
    status: 422,
    message: 'data[a b]: Invalid value: "a b"',
  },
  {
    name: 'secret type change',
    method: 'PATCH',
    path: `${SEC}/fixture`,
    body: { type: 'example.com/x' },
    contentType: MERGE,
    status: 422,
    message: 'type: Invalid value: "example.com/x": field is immutable',
  },
  // ---- Pod ----
  {
    name: 'pod containers string',
    method: 'POST',
    path: POD,
    body: { ...pod({}), spec: { containers: 'notalist' } },
    status: 400,
    message: GO('PodSpec.spec.containers', '[]v1.Container', 'string'),
  },
  {
    name: 'pod image number',
    method: 'POST',
    path: POD,
    body: pod({ image: 1 }),
    status: 400,
    message: GO('Container.spec.containers.image', 'string'),
  },
  {
    name: 'pod containerPort string',
    method: 'POST',
    path: POD,
    body: pod({ ports: [{ containerPort: '80' }] }),
    status: 400,
    message: GO('ContainerPort.spec.containers.ports.containerPort', 'int32', 'string'),
  },
  {
    name: 'pod containerPort fraction',
    method: 'POST',
    path: POD,
    body: pod({ ports: [{ containerPort: 80.5 }] }),
    status: 400,
    message: GO('ContainerPort.spec.containers.ports.containerPort', 'int32', 'number 80.5'),
  },
  {
    name: 'pod env value number',
    method: 'POST',
    path: POD,
    body: pod({ env: [{ name: 'A', value: 1 }] }),
    status: 400,
    message: GO('EnvVar.spec.containers.env.value', 'string'),
  },
  {
    name: 'pod restartPolicy number',
    method: 'POST',
    path: POD,
    body: pod({}, { restartPolicy: 1 }),
    status: 400,
    message: GO('PodSpec.spec.restartPolicy', 'v1.RestartPolicy'),
  },
  {
    name: 'pod probe port bool',
    method: 'POST',
    path: POD,
    body: pod({ readinessProbe: { httpGet: { port: true } } }),
    status: 400,
    message: 'json: cannot unmarshal bool into Go value of type int32',
  },
  {
    name: 'pod memory negative',
    method: 'POST',
    path: POD,
    body: pod({ resources: { limits: { memory: '-1Gi' } } }),
    status: 422,
    message:
      'spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
  },
  {
    name: 'pod cpu unparsable',
    method: 'POST',
    path: POD,
    body: pod({ resources: { requests: { cpu: 'lots' } } }),
    status: 400,
    message: 'quantities must match the regular expression',
  },
  {
    name: 'pod cpu bad suffix',
    method: 'POST',
    path: POD,
    body: pod({ resources: { requests: { cpu: '1Qi' } } }),
    status: 400,
    message: /quantities must match|unable to parse quantity's suffix/,
  },
  {
    name: 'pod requests above limits',
    method: 'POST',
    path: POD,
    body: pod({ resources: { limits: { cpu: '1' }, requests: { cpu: '2' } } }),
    status: 422,
    message:
      'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
  },
  {
    name: 'pod unknown resource',
    method: 'POST',
    path: POD,
    body: pod({ resources: { limits: { gpu: '1' } } }),
    status: 422,
    message:
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
  },
  {
    name: 'pod emptyDir sizeLimit',
    method: 'POST',
    path: POD,
    body: pod({}, { volumes: [{ name: 'v', emptyDir: { sizeLimit: 'big' } }] }),
    status: 400,
    message: 'quantities must match the regular expression',
  },
  // ---- Deployment ----
  {
    name: 'deployment replicas string',
    method: 'POST',
    path: DEP,
    body: deployment({ replicas: '3' }),
    status: 400,
    message: GO('DeploymentSpec.spec.replicas', 'int32', 'string'),
  },
  {
    name: 'deployment replicas negative',
    method: 'POST',
    path: DEP,
    body: deployment({ replicas: -1 }),
    status: 422,
    message: 'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  },
  {
    name: 'deployment containers string',
    method: 'POST',
    path: DEP,
    body: deployment({ template: { spec: { containers: 'notalist' } } }),
    status: 400,
    message: GO('PodSpec.spec.template.spec.containers', '[]v1.Container', 'string'),
  },
  {
    name: 'deployment memory negative',
    method: 'POST',
    path: DEP,
    body: deployment({}, { resources: { limits: { memory: '-1Gi' } } }),
    status: 422,
    message:
      'spec.template.spec.containers[0].resources.limits[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
  },
  {
    name: 'deployment template label number',
    method: 'POST',
    path: DEP,
    body: deployment({ template: { metadata: { labels: { app: 1 } } } }),
    status: 400,
    message: GO('ObjectMeta.spec.template.metadata.labels', 'string'),
  },
  {
    name: 'deployment maxSurge bool',
    method: 'POST',
    path: DEP,
    body: deployment({ strategy: { rollingUpdate: { maxSurge: true } } }),
    status: 400,
    message: 'json: cannot unmarshal bool into Go value of type int32',
  },
  {
    name: 'deployment merge patch replicas',
    method: 'PATCH',
    path: `${DEP}/fixture`,
    body: { spec: { replicas: 'x' } },
    contentType: MERGE,
    status: 422,
    message: GO('DeploymentSpec.spec.replicas', 'int32', 'string'),
  },
  {
    name: 'deployment scale negative',
    method: 'PATCH',
    path: `${DEP}/fixture/scale`,
    body: { spec: { replicas: -1 } },
    contentType: MERGE,
    status: 422,
    message: 'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  },
  // ---- other core kinds ----
  {
    name: 'service name DNS-1035',
    method: 'POST',
    path: SVC,
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name: '1svc' }, spec: { ports: [{ port: 80 }] } },
    status: 422,
    message: 'metadata.name: Invalid value: "1svc": a DNS-1035 label',
  },
  {
    name: 'service port string',
    method: 'POST',
    path: SVC,
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ports: [{ port: '80' }] } },
    status: 400,
    message: GO('ServicePort.spec.ports.port', 'int32', 'string'),
  },
  {
    name: 'namespace name with dot',
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } },
    status: 422,
    message: 'metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label',
  },
  {
    name: 'event count string',
    method: 'POST',
    path: EV,
    body: event({ count: '1' }),
    status: 400,
    message: GO('Event.count', 'int32', 'string'),
  },
  {
    name: 'event lastTimestamp',
    method: 'POST',
    path: EV,
    body: event({ lastTimestamp: 'yesterday' }),
    status: 400,
    message: 'parsing time "yesterday"',
  },
  // ---- Knative Service (CRD schema before admission) ----
  {
    name: 'ksvc containers string',
    method: 'POST',
    path: KSVC,
    body: svcWith({ containers: 'notalist' }),
    status: 422,
    message:
      'spec.template.spec.containers: Invalid value: "string": spec.template.spec.containers in body must be of type array: "string"',
  },
  {
    name: 'ksvc container string',
    method: 'POST',
    path: KSVC,
    body: svcWith({ containers: ['x'] }),
    status: 422,
    message: 'spec.template.spec.containers[0] in body must be of type object',
  },
  {
    name: 'ksvc template string',
    method: 'POST',
    path: KSVC,
    body: { ...ksvc('k-new'), spec: { template: 'x' } },
    status: 422,
    message: 'spec.template in body must be of type object',
  },
  {
    name: 'ksvc containerConcurrency string',
    method: 'POST',
    path: KSVC,
    body: svcWith({ containerConcurrency: 'ten' }),
    status: 422,
    message: 'spec.template.spec.containerConcurrency in body must be of type integer',
  },
  {
    name: 'ksvc env string',
    method: 'POST',
    path: KSVC,
    body: svcWith({ containers: [{ image: 'x', env: 'A=1' }] }),
    status: 422,
    message: 'spec.template.spec.containers[0].env in body must be of type array',
  },
  {
    name: 'ksvc label number',
    method: 'POST',
    path: KSVC,
    body: { ...ksvc('k-new'), metadata: { name: 'k-new', labels: { a: 1 } } },
    status: 400,
    message: GO('ObjectMeta.metadata.labels', 'string'),
  },
  {
    name: 'ksvc name invalid',
    method: 'POST',
    path: KSVC,
    body: ksvc('Bad_Name'),
    status: 422,
    message: 'metadata.name: Invalid value: "Bad_Name"',
  },
  {
    name: 'ksvc merge patch containers',
    method: 'PATCH',
    path: `${KSVC}/fixture`,
    body: { spec: { template: { spec: { containers: 'x' } } } },
    contentType: MERGE,
    status: 422,
    message: 'spec.template.spec.containers in body must be of type array',
  },
  {
    name: 'ksvc apply containers',
    method: 'PATCH',
    path: `${KSVC}/fixture?fieldManager=m`,
    body: 'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: fixture\nspec:\n  template:\n    spec:\n      containers: notalist\n',
    contentType: APPLY,
    status: 422,
    message: 'spec.template.spec.containers in body must be of type array',
  },
  // ---- query parameters ----
  {
    name: 'list resourceVersionMatch unsupported',
    method: 'GET',
    path: `${CM}?resourceVersion=1&resourceVersionMatch=Newest`,
    status: 422,
    message: 'resourceVersionMatch: Unsupported value: "Newest"',
  },
  {
    name: 'list resourceVersion abc',
    method: 'GET',
    path: `${CM}?resourceVersion=abc`,
    status: 400,
    message: 'resourceVersion: Invalid value: "abc"',
  },
  {
    name: 'list limit not a number',
    method: 'GET',
    path: `${CM}?limit=ten`,
    status: 400,
    message: 'strconv.ParseInt: parsing "ten": invalid syntax',
  },
  {
    name: 'watch timeoutSeconds not a number',
    method: 'GET',
    path: `${CM}?watch=1&timeoutSeconds=soon`,
    status: 400,
    message: 'strconv.ParseInt: parsing "soon": invalid syntax',
  },
  {
    name: 'watch sendInitialEvents without match',
    method: 'GET',
    path: `${CM}?watch=true&sendInitialEvents=true`,
    status: 422,
    message: 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
  },
];

let t: TestServer;

/** The store's global resourceVersion: any write moves it. */
async function storeRv(): Promise<string> {
  return (await t.req('GET', '/api/v1/namespaces')).body.metadata.resourceVersion;
}

beforeAll(async () => {
  t = await startTestApiServer({ admission: knativeAdmission() });
  const fixtures: [string, Obj][] = [
    [CM, configMap('fixture', { a: '1' })],
    [SEC, secret({ metadata: { name: 'fixture' }, stringData: { a: 'b' } })],
    [DEP, { ...deployment({}), metadata: { name: 'fixture' } }],
    [KSVC, ksvc('fixture')],
  ];
  for (const [p, body] of fixtures) expect((await t.req('POST', p, body)).status).toBe(201);
});
afterAll(async () => t?.close());

describe('bad input matrix: raw API requests', () => {
  it('has at least 60 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await storeRv();
    const headers = c.contentType !== undefined ? { 'content-type': c.contentType } : undefined;
    const r = await t.req(c.method, c.path, c.body, headers);
    expect(r.status, r.text.slice(0, 500)).toBe(c.status);
    expect(r.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: c.status });
    if (typeof c.message === 'string') expect(r.body.message).toContain(c.message);
    else expect(r.body.message).toMatch(c.message);
    // No internals: no stack frames, no source paths, no JavaScript error names.
    expect(r.text).not.toMatch(/\n\s+at |\.ts:\d+|TypeError|RangeError|Cannot read prop|Cannot create prop/);
    expect(await storeRv()).toBe(before);
    expect((await t.req('GET', '/readyz')).status).toBe(200);
  });

  it('left every fixture as it was', async () => {
    expect((await t.req('GET', `${CM}/fixture`)).body.data).toEqual({ a: '1' });
    expect((await t.req('GET', `${SEC}/fixture`)).body.type).toBe('Opaque');
    expect((await t.req('GET', `${DEP}/fixture`)).body.spec.replicas).toBe(1);
    expect((await t.req('GET', `${KSVC}/fixture`)).body.spec.template.spec.containers).toHaveLength(1);
  });
});

// ---- kubectl ------------------------------------------------------------------------------------

const KUBECTL = process.env.KUBECTL ?? 'kubectl';
let home = '';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      KUBECTL,
      ['--request-timeout=20s', ...args],
      { env: { ...process.env, KUBECONFIG: path.join(home, 'kubeconfig'), HOME: home }, timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

/** One kubectl run that must fail with `message` in its stderr and write nothing. */
interface KubectlCase {
  name: string;
  args: string[];
  stdin?: string;
  message: string;
}

const KUBECTL_CASES: KubectlCase[] = [
  {
    name: 'apply ConfigMap with scale-down-delay: 0 unquoted',
    args: ['apply', '-f', '-'],
    stdin:
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kc-new\n  namespace: default\ndata:\n  scale-down-delay: 0\n',
    message: GO('ConfigMap.data', 'string'),
  },
  {
    name: 'apply existing ConfigMap with a number',
    args: ['apply', '-f', '-'],
    stdin:
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fixture\n  namespace: default\ndata:\n  a: "1"\n  stable-window: 60\n',
    message: GO('ConfigMap.data', 'string'),
  },
  {
    name: 'patch --type merge with a number',
    args: [
      'patch',
      'cm',
      '-n',
      'default',
      'fixture',
      '--type',
      'merge',
      '-p',
      '{"data":{"stable-window":60}}',
    ],
    message: GO('ConfigMap.data', 'string'),
  },
  {
    name: 'apply --server-side ConfigMap with a number',
    args: ['apply', '--server-side', '-f', '-'],
    stdin:
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fixture\n  namespace: default\ndata:\n  a: 1\n',
    message: GO('ConfigMap.data', 'string'),
  },
  {
    name: 'apply Knative Service with containers: notalist',
    args: ['apply', '-f', '-'],
    stdin:
      'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: kc-svc\n  namespace: default\nspec:\n  template:\n    spec:\n      containers: notalist\n',
    message: 'spec.template.spec.containers',
  },
  {
    name: 'apply Pod with memory: -1Gi',
    args: ['apply', '-f', '-'],
    stdin:
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kc-pod\n  namespace: default\nspec:\n  containers:\n  - name: c\n    image: x\n    resources:\n      limits:\n        memory: -1Gi\n',
    message: 'must be greater than or equal to 0',
  },
  {
    name: 'apply Secret with data that is not base64',
    args: ['apply', '-f', '-'],
    stdin:
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: kc-sec\n  namespace: default\ndata:\n  password: hunter2\n',
    message: 'illegal base64 data at input byte 4',
  },
  {
    name: 'apply ConfigMap named Bad_Name',
    args: ['apply', '-f', '-'],
    stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: default\n',
    message: 'a lowercase RFC 1123 subdomain',
  },
  {
    name: 'create namespace a.b',
    args: ['create', 'namespace', 'a.b'],
    message: 'a lowercase RFC 1123 label',
  },
  {
    name: 'apply ConfigMap with an invalid label key',
    args: ['apply', '-f', '-'],
    stdin:
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kc-lbl\n  namespace: default\n  labels:\n    a/b/c: x\n',
    message: 'metadata.labels: Invalid value: "a/b/c"',
  },
];

describe('bad input matrix: kubectl', () => {
  beforeAll(() => {
    const probe = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0)
      throw new Error(`kubectl is required for this suite: ${probe.error?.message ?? probe.stderr}`);
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'knlite-matrix-'));
    fs.writeFileSync(path.join(home, 'kubeconfig'), t.server.kubeconfig(), { mode: 0o600 });
  });
  afterAll(() => {
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it.each(KUBECTL_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await storeRv();
    const r = await kubectl(c.args, c.stdin);
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stderr).toContain(c.message);
    expect(r.stderr).not.toMatch(/InternalError|\n\s+at |\.ts:\d+/);
    expect(await storeRv()).toBe(before);
    expect((await t.req('GET', '/readyz')).status).toBe(200);
  });
});
