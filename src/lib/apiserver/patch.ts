/**
 * Patch types the server accepts: JSON merge patch (RFC 7386), JSON patch (RFC 6902), strategic
 * merge patch for core/apps kinds (lists merged by their Kubernetes merge key, `$patch: delete` /
 * `$patch: replace`, `$deleteFromPrimitiveList/<f>`, `$setElementOrder/<f>` and `$retainKeys`
 * accepted). Server-side apply of objects is managed-fields.ts; here it is only the merge used for
 * the /scale subresource. Every function returns a new document and throws ApiError (400/422) on a
 * bad patch.
 */
import { badRequest, ApiError } from './errors.js';

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(v: Json): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(p: unknown): string[] {
  if (typeof p !== 'string')
    throw badRequest('the server rejected our request due to an error in our request: path must be a string');
  if (p === '') return [];
  if (!p.startsWith('/'))
    throw badRequest(
      `the server rejected our request due to an error in our request: invalid JSON pointer "${p}"`,
    );
  return p.slice(1).split('/').map(unescapePointer);
}

function resolveParent(
  doc: Json,
  tokens: string[],
  op: string,
  path: string,
): { parent: JsonObject | Json[]; key: string } {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined)
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: ${op} operation does not apply: doc is missing path: "${path}": missing value`,
      );
  }
  if (!Array.isArray(cur) && !isObject(cur))
    throw new ApiError(
      422,
      'Invalid',
      `${op} operation does not apply: doc is missing path: "${path}": missing value`,
    );
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function getAt(doc: Json, path: string, op: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const { parent, key } = resolveParent(doc, tokens, op, path);
  const v = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (v === undefined)
    throw new ApiError(
      422,
      'Invalid',
      `${op} operation does not apply: doc is missing path: "${path}": missing value`,
    );
  return v;
}

function arrayIndex(key: string, len: number, allowEnd: boolean, path: string): number {
  if (key === '-' && allowEnd) return len;
  if (!/^(0|[1-9]\d*)$/.test(key))
    throw new ApiError(422, 'Invalid', `invalid array index "${key}" in path "${path}"`);
  const i = Number(key);
  if (i > len || (!allowEnd && i === len))
    throw new ApiError(422, 'Invalid', `array index out of bounds in path "${path}"`);
  return i;
}

function deepEqual(a: Json, b: Json): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k])]),
    );
  return v;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). */
export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops))
    throw badRequest(
      'the server rejected our request due to an error in our request: json patch must be an array of operations',
    );
  let doc = clone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== 'string')
      throw badRequest(
        'the server rejected our request due to an error in our request: invalid JSON patch operation',
      );
    const op = raw.op;
    const path = raw.path as string;
    const tokens = parsePointer(path);
    const set = (value: Json, insert: boolean): void => {
      if (tokens.length === 0) {
        doc = value;
        return;
      }
      const { parent, key } = resolveParent(doc, tokens, op, path);
      if (Array.isArray(parent)) {
        const i = arrayIndex(key, parent.length, insert, path);
        if (insert) parent.splice(i, 0, value);
        else parent[i] = value;
      } else {
        if (!insert && !(key in parent))
          throw new ApiError(
            422,
            'Invalid',
            `replace operation does not apply: doc is missing key: ${path}: missing value`,
          );
        parent[key] = value;
      }
    };
    const remove = (p: string, tk: string[]): Json => {
      if (tk.length === 0)
        throw new ApiError(
          422,
          'Invalid',
          'remove operation does not apply: cannot remove the whole document',
        );
      const { parent, key } = resolveParent(doc, tk, 'remove', p);
      if (Array.isArray(parent)) {
        const i = arrayIndex(key, parent.length, false, p);
        return parent.splice(i, 1)[0];
      }
      if (!(key in parent))
        throw new ApiError(
          422,
          'Invalid',
          `remove operation does not apply: doc is missing path: "${p}": missing value`,
        );
      const v = parent[key];
      delete parent[key];
      return v;
    };
    switch (op) {
      case 'add':
        set(clone(raw.value), true);
        break;
      case 'replace':
        set(clone(raw.value), false);
        break;
      case 'remove':
        remove(path, tokens);
        break;
      case 'move': {
        const from = raw.from as string;
        const v = remove(from, parsePointer(from));
        set(v, true);
        break;
      }
      case 'copy':
        set(clone(getAt(doc, raw.from as string, 'copy')), true);
        break;
      case 'test':
        if (!deepEqual(getAt(doc, path, 'test'), raw.value))
          throw new ApiError(422, 'Invalid', `testing value ${path} failed: test failed`);
        break;
      default:
        throw badRequest(
          `the server rejected our request due to an error in our request: Unexpected kind: ${op}`,
        );
    }
  }
  return doc;
}

/** Merge keys of Kubernetes' strategic-merge lists (by field name). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  conditions: 'type',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
  topologySpreadConstraints: 'topologyKey',
  secrets: 'name',
  readinessGates: 'conditionType',
  resourceClaims: 'name',
};

/** Primitive lists that strategic merge treats as sets (patchStrategy: merge). */
const MERGE_PRIMITIVE = new Set(['finalizers']);

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  if (field === 'ports') {
    // Container ports merge on containerPort, Service ports on port.
    return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

function strategicList(field: string, orig: Json[], patch: Json[]): Json[] {
  const key = mergeKeyFor(field, [...orig, ...patch]);
  if (patch.some((p) => isObject(p) && p.$patch === 'replace'))
    return patch.filter((p) => !(isObject(p) && p.$patch === 'replace')).map(stripDirectives);
  if (MERGE_PRIMITIVE.has(field) && patch.every((p) => !isObject(p))) {
    const out = [...orig];
    for (const p of patch) if (!out.includes(p)) out.push(p);
    return out;
  }
  if (!key) return patch.map(stripDirectives);
  const out = orig.map(clone);
  for (const p of patch) {
    if (!isObject(p)) continue;
    const idx = out.findIndex((o) => isObject(o) && o[key] === p[key]);
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], p);
    else out.push(stripDirectives(p));
  }
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    if (val === null) continue;
    out[k] = stripDirectives(val);
  }
  return out;
}

/** Kubernetes strategic merge patch for core/apps kinds. */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const out: JsonObject = isObject(target) ? clone(target) : {};
  const retain = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(v))
        out[field] = (out[field] as Json[]).filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      out[k] = Array.isArray(out[k]) ? strategicList(k, out[k] as Json[], v) : strategicList(k, [], v);
      continue;
    }
    if (isObject(v)) {
      const merged = strategicMergePatch(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
      continue;
    }
    out[k] = v;
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k) && !(k in patch)) delete out[k];
  return out;
}

/** The patch content types the server understands. */
export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/** Applies a patch body of the given content type to a document. */
export function applyPatch(contentType: string, target: Json, patch: Json, strategicAllowed: boolean): Json {
  switch (contentType) {
    case 'application/json-patch+json':
      return jsonPatch(target, patch);
    case 'application/merge-patch+json':
      return mergePatch(target, patch);
    case 'application/strategic-merge-patch+json':
      if (!strategicAllowed)
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
        );
      return strategicMergePatch(target, patch);
    case 'application/apply-patch+yaml':
      // Server-side apply without managed fields: the applied configuration wins field by field.
      return strategicAllowed ? strategicMergePatch(target, patch) : mergePatch(target, patch);
    default:
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
      );
  }
}
