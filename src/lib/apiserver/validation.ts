/**
 * kube-apiserver's validation of what every object and the built-in kinds must satisfy once
 * decoded: names (DNS-1123 subdomain, DNS-1123 label for namespaces, DNS-1035 label for services),
 * label and annotation keys and values, ConfigMap and Secret keys, sizes and immutability, Secret
 * types' required keys, container resource names and quantities, and Deployment replicas. Causes
 * are phrased like k8s.io/apimachinery's validation messages, ready for `invalid()` in errors.ts.
 */
import {
  isDNS1035Label as dns1035Label,
  isDNS1123Label as dns1123Label,
  isDNS1123Subdomain as dns1123Subdomain,
  isQualifiedName as qualifiedName,
} from '../apis/names.js';
import type { KubeObject } from '../apis/types.js';
import type { StatusCause } from './errors.js';
import {
  persistentVolumeCauses,
  persistentVolumeClaimCauses,
  storageClassCauses,
} from './storage-validation.js';
import { DecodeError, parseQuantity } from './typed.js';
import type { ResourceType } from './types.js';

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';

const whole = (fmt: string): RegExp => new RegExp(`^${fmt}$`);

/** validation.RegexError: the message, examples and the regex. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (!examples.length) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

const maxLen = (n: number): string => `must be no more than ${n} characters`;

/** validation.IsValidLabelValue. */
export function labelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLen(63));
  if (!whole(LABEL_VALUE_FMT).test(v))
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FMT,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  return errs;
}

/** validation.IsConfigMapKey (ConfigMap and Secret keys). */
export function configMapKey(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLen(253));
  if (!whole(CONFIG_KEY_FMT).test(v))
    errs.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        CONFIG_KEY_FMT,
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  if (v === '.') errs.push("must not be '.'");
  else if (v === '..') errs.push("must not be '..'");
  else if (v.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** How field.Error prints a value: strings quoted, numbers and booleans bare. */
function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

const invalidCause = (field: string, value: unknown, message: string): StatusCause => ({
  field,
  message: `Invalid value: ${show(value)}: ${message}`,
  reason: 'FieldValueInvalid',
});

/** The name rule of a kind: DNS-1123 label for namespaces, DNS-1035 label for services, else subdomain. */
function nameRule(type: ResourceType): (v: string) => string[] {
  if (type.group === '' && type.resource === 'namespaces') return dns1123Label;
  if (type.group === '' && type.resource === 'services') return dns1035Label;
  return dns1123Subdomain;
}

/** metadata.name (and generateName, validated as a prefix) problems for a kind. */
export function nameCauses(type: ResourceType, meta: KubeObject['metadata']): StatusCause[] {
  const rule = nameRule(type);
  const out: StatusCause[] = [];
  if (meta.generateName)
    // A prefix may end in '-': validate it as if the generated suffix followed.
    for (const m of rule(meta.generateName.replace(/-$/, 'a')))
      out.push(invalidCause('metadata.generateName', meta.generateName, m));
  if (meta.name) for (const m of rule(meta.name)) out.push(invalidCause('metadata.name', meta.name, m));
  return out;
}

const TOTAL_ANNOTATION_SIZE = 256 * 1024;
const MAX_SECRET_SIZE = 1024 * 1024;

/** `Too long` as field.TooLong prints it. */
const tooLong = (field: string, max: number): StatusCause => ({
  field,
  message: `Too long: may not be more than ${max} bytes`,
  reason: 'FieldValueTooLong',
});

/** ObjectMeta validation common to every kind: label keys and values, annotation keys and size. */
function metadataCauses(obj: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    for (const m of qualifiedName(k)) out.push(invalidCause('metadata.labels', k, m));
    for (const m of labelValue(String(v))) out.push(invalidCause('metadata.labels', v, m));
  }
  let size = 0;
  for (const [k, v] of Object.entries(obj.metadata.annotations ?? {})) {
    for (const m of qualifiedName(k.toLowerCase())) out.push(invalidCause('metadata.annotations', k, m));
    size += k.length + String(v).length;
  }
  if (size > TOTAL_ANNOTATION_SIZE) out.push(tooLong('metadata.annotations', TOTAL_ANNOTATION_SIZE));
  return out;
}

type Dict = Record<string, string>;

function configMapCauses(obj: KubeObject, old?: KubeObject): StatusCause[] {
  const o = obj as KubeObject & { data?: Dict; binaryData?: Dict; immutable?: boolean };
  const out: StatusCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(o.data ?? {})) {
    for (const m of configMapKey(k)) out.push(invalidCause(`data[${k}]`, k, m));
    if (o.binaryData && Object.hasOwn(o.binaryData, k))
      out.push(invalidCause(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(v);
  }
  for (const [k, v] of Object.entries(o.binaryData ?? {})) {
    for (const m of configMapKey(k)) out.push(invalidCause(`binaryData[${k}]`, k, m));
    size += Buffer.from(v, 'base64').length;
  }
  if (size > MAX_SECRET_SIZE) out.push(tooLong('', MAX_SECRET_SIZE));
  out.push(...immutableCauses(o, old, ['data', 'binaryData']));
  return out;
}

/** Immutable ConfigMaps and Secrets: the flag cannot be unset and the data cannot change. */
function immutableCauses(obj: KubeObject, old: KubeObject | undefined, fields: string[]): StatusCause[] {
  const o = obj as unknown as Record<string, unknown>;
  const p = old as unknown as Record<string, unknown> | undefined;
  if (!p || p.immutable !== true) return [];
  const out: StatusCause[] = [];
  const forbidden = (field: string): StatusCause => ({
    field,
    message: 'Forbidden: field is immutable when `immutable` is set',
    reason: 'FieldValueForbidden',
  });
  if (o.immutable !== true) out.push(forbidden('immutable'));
  for (const f of fields)
    if (JSON.stringify(o[f] ?? {}) !== JSON.stringify(p[f] ?? {})) out.push(forbidden(f));
  return out;
}

/** Keys a Secret type requires in `data`. */
const SECRET_TYPE_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
};

function secretCauses(obj: KubeObject, old?: KubeObject): StatusCause[] {
  const o = obj as KubeObject & { data?: Dict; type?: string };
  const out: StatusCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(o.data ?? {})) {
    for (const m of configMapKey(k)) out.push(invalidCause(`data[${k}]`, k, m));
    size += Buffer.from(v, 'base64').length;
  }
  if (size > MAX_SECRET_SIZE) out.push(tooLong('data', MAX_SECRET_SIZE));
  for (const k of SECRET_TYPE_KEYS[o.type ?? ''] ?? [])
    if (!Object.hasOwn(o.data ?? {}, k))
      out.push({ field: `data[${k}]`, message: 'Required value', reason: 'FieldValueRequired' });
  const oldType = (old as { type?: string } | undefined)?.type;
  if (old && oldType !== o.type) out.push(invalidCause('type', o.type ?? '', 'field is immutable'));
  out.push(...immutableCauses(o, old, ['data']));
  return out;
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** ValidateResourceRequirements for one container's `resources`. */
function resourceCauses(resources: unknown, path: string): StatusCause[] {
  if (!resources || typeof resources !== 'object') return [];
  const r = resources as { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
  const out: StatusCause[] = [];
  const parsed: Record<'limits' | 'requests', Record<string, { text: string; value: number }>> = {
    limits: {},
    requests: {},
  };
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, q] of Object.entries(r[kind] ?? {})) {
      const field = `${path}.${kind}[${name}]`;
      if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-'))
        out.push(invalidCause(field, name, 'must be a standard resource for containers'));
      let quantity;
      try {
        quantity = parseQuantity(String(q));
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        out.push(invalidCause(field, String(q), err.message));
        continue;
      }
      if (quantity.value < 0)
        out.push(invalidCause(field, quantity.text, 'must be greater than or equal to 0'));
      else parsed[kind][name] = quantity;
    }
  }
  for (const [name, req] of Object.entries(parsed.requests)) {
    const lim = parsed.limits[name];
    if (lim && req.value > lim.value)
      out.push(
        invalidCause(
          `${path}.requests[${name}]`,
          req.text,
          `must be less than or equal to ${name} limit of ${lim.text}`,
        ),
      );
  }
  return out;
}

/** Container checks of a PodSpec at `path` (`spec` for pods, `spec.template.spec` for deployments). */
function podSpecCauses(spec: unknown, path: string): StatusCause[] {
  if (!spec || typeof spec !== 'object') return [];
  const s = spec as Record<string, unknown>;
  const out: StatusCause[] = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    const cs = s[list];
    if (!Array.isArray(cs)) continue;
    cs.forEach((c: unknown, i) => {
      if (c && typeof c === 'object')
        out.push(
          ...resourceCauses((c as { resources?: unknown }).resources, `${path}.${list}[${i}].resources`),
        );
    });
  }
  return out;
}

function deploymentCauses(obj: KubeObject): StatusCause[] {
  const spec = (obj as { spec?: { replicas?: number; template?: { spec?: unknown } } }).spec ?? {};
  const out: StatusCause[] = [];
  if (typeof spec.replicas === 'number' && spec.replicas < 0)
    out.push(invalidCause('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  out.push(...podSpecCauses(spec.template?.spec, 'spec.template.spec'));
  return out;
}

/**
 * Everything kube-apiserver's validation of a decoded object would refuse (names are checked at
 * create by `nameCauses`). `old` is the stored object on updates.
 */
export function validateObject(type: ResourceType, obj: KubeObject, old?: KubeObject): StatusCause[] {
  const out = metadataCauses(obj);
  const key = `${type.group}/${type.resource}`;
  if (key === '/configmaps') out.push(...configMapCauses(obj, old));
  else if (key === '/secrets') out.push(...secretCauses(obj, old));
  else if (key === '/pods') out.push(...podSpecCauses((obj as { spec?: unknown }).spec, 'spec'));
  else if (key === 'apps/deployments') out.push(...deploymentCauses(obj));
  else if (key === '/persistentvolumeclaims') out.push(...persistentVolumeClaimCauses(obj, old));
  else if (key === '/persistentvolumes') out.push(...persistentVolumeCauses(obj));
  else if (key === 'storage.k8s.io/storageclasses') out.push(...storageClassCauses(obj));
  return out;
}
