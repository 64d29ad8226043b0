/**
 * Server-side apply and managedFields, after structured-merge-diff (sigs.k8s.io/structured-merge-
 * diff `merge/update.go`, `typed/tofieldset.go`, `typed/merge.go`):
 *
 * - every write records who set which fields: `metadata.managedFields` entries with a FieldsV1 set
 *   (`f:<field>`, `k:{"name":"c"}` for list-map items, `v:"x"` for set members, `.` for a member
 *   that also has children), the operation (`Apply` or `Update`), manager, apiVersion and time;
 * - an Update takes the fields it adds or changes from every other manager; an Apply owns exactly
 *   the fields of its configuration, merges it into the live object by the schema's list semantics
 *   (`x-kubernetes-list-type: map` merges by `x-kubernetes-list-map-keys`, `set` by value, lists
 *   are atomic otherwise), removes fields it applied before and no longer applies (unless another
 *   manager owns them), and fails with 409 Conflict when it changes a field another manager owns,
 *   unless forced (which takes the field over).
 *
 * Kubernetes' system fields (apiVersion, kind, metadata.name/uid/resourceVersion/...) are never
 * managed, and neither is `status` on the main resource of a kind with a status subresource.
 */
import { ApiError } from './errors.js';
import { resolveRef, type Schema } from './kube-schemas.js';

type Json = unknown;
type JsonObject = Record<string, Json>;

/** metav1.FieldsV1 in its JSON form. */
export type FieldsV1 = { [key: string]: FieldsV1 };

/** metav1.ManagedFieldsEntry. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: FieldsV1;
  subresource?: string;
}

/** What the field manager needs to know about the object's kind and the request. */
export interface FieldContext {
  /** The kind's OpenAPI schema (undefined: every list is atomic, every map granular). */
  schema: Schema | undefined;
  /** `v1`, `apps/v1`, ... */
  apiVersion: string;
  /** '' for the main resource, 'status' for the status subresource. */
  subresource: '' | 'status';
  /** Whether status is written only through /status (so the main resource never manages it). */
  statusIsSubresource: boolean;
  /** RFC 3339 (seconds) time of this operation. */
  now: string;
}

const SEP = '\u0001';
const APPLY = 'Apply';
const UPDATE = 'Update';

function isObject(v: Json): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function canonical(v: Json): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    isObject(val)
      ? Object.fromEntries(
          Object.keys(val)
            .sort()
            .map((k) => [k, val[k]]),
        )
      : val,
  );
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

// ---- schema navigation ---------------------------------------------------------------------------

function deref(s: Schema | undefined): Schema | undefined {
  if (!s) return undefined;
  if (typeof s.$ref === 'string') return resolveRef(s);
  const all = s.allOf as Schema[] | undefined;
  if (Array.isArray(all) && all.length === 1 && typeof all[0].$ref === 'string') return resolveRef(all[0]);
  return s;
}

function declares(s: Schema | undefined, key: string): boolean {
  const props = deref(s)?.properties as Record<string, Schema> | undefined;
  return !!props && Object.prototype.hasOwnProperty.call(props, key);
}

function childSchema(s: Schema | undefined, key: string): Schema | undefined {
  const d = deref(s);
  if (!d) return undefined;
  const props = d.properties as Record<string, Schema> | undefined;
  if (props && Object.prototype.hasOwnProperty.call(props, key)) return props[key];
  const ap = d.additionalProperties;
  return ap && typeof ap === 'object' ? (ap as Schema) : undefined;
}

function itemSchema(s: Schema | undefined): Schema | undefined {
  const items = deref(s)?.items;
  return items && typeof items === 'object' && !Array.isArray(items) ? (items as Schema) : undefined;
}

interface ListSemantics {
  type: 'atomic' | 'set' | 'map';
  keys: string[];
}

function listSemantics(s: Schema | undefined): ListSemantics {
  const d = s && (s['x-kubernetes-list-type'] !== undefined ? s : deref(s));
  const t = d?.['x-kubernetes-list-type'];
  if (t === 'map') {
    const keys = d?.['x-kubernetes-list-map-keys'];
    return { type: 'map', keys: Array.isArray(keys) ? (keys as string[]) : [] };
  }
  if (t === 'set') return { type: 'set', keys: [] };
  return { type: 'atomic', keys: [] };
}

function atomicMap(s: Schema | undefined): boolean {
  return s?.['x-kubernetes-map-type'] === 'atomic' || deref(s)?.['x-kubernetes-map-type'] === 'atomic';
}

/** The `k:{...}` element of a list-map item: its key fields, sorted by name, as JSON. */
function keyElement(item: JsonObject, keys: string[], s?: Schema): string {
  const k: JsonObject = {};
  for (const name of [...keys].sort()) {
    // A key field left out takes its schema default (a container port's protocol is TCP).
    const v = item[name] ?? childSchema(s, name)?.default;
    if (v !== undefined) k[name] = v;
  }
  return `k:${JSON.stringify(k)}`;
}

// ---- field sets ----------------------------------------------------------------------------------

type EntryKind = 'leaf' | 'item' | 'map' | 'struct';

/** Every path of a value: leaves (with their value), list items, and the maps/structs around them. */
type Paths = Map<string, { kind: EntryKind; sig: string }>;

function walk(value: Json, s: Schema | undefined, path: string[], out: Paths): void {
  const key = path.join(SEP);
  if (isObject(value)) {
    if (atomicMap(s)) {
      out.set(key, { kind: 'leaf', sig: canonical(value) });
      return;
    }
    const d = deref(s);
    if (path.length) out.set(key, { kind: d?.properties ? 'struct' : 'map', sig: '' });
    for (const [k, v] of Object.entries(value)) {
      const cpath = [...path, `f:${k}`];
      const ckey = cpath.join(SEP);
      if (v === null || (isObject(v) && Object.keys(v).length === 0)) {
        out.set(ckey, { kind: 'leaf', sig: canonical(v) });
        continue;
      }
      walk(v, childSchema(s, k), cpath, out);
      // Keys a struct does not declare (map entries) are members of the set themselves.
      const e = out.get(ckey);
      if (e && !declares(s, k) && e.kind !== 'leaf') e.kind = 'item';
    }
    return;
  }
  if (Array.isArray(value)) {
    const ls = listSemantics(s);
    if (ls.type === 'atomic') {
      out.set(key, { kind: 'leaf', sig: canonical(value) });
      return;
    }
    out.set(key, { kind: 'map', sig: '' });
    const items = itemSchema(s);
    for (const item of value) {
      if (ls.type === 'set' || !isObject(item)) {
        out.set([...path, `v:${JSON.stringify(item)}`].join(SEP), { kind: 'leaf', sig: canonical(item) });
        continue;
      }
      const ipath = [...path, keyElement(item, ls.keys, items)];
      walk(item, items, ipath, out);
      out.set(ipath.join(SEP), { kind: 'item', sig: '' });
    }
    return;
  }
  out.set(key, { kind: 'leaf', sig: canonical(value) });
}

const UNMANAGED_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** The paths of an object that field management tracks for this request. */
function objectPaths(obj: Json, ctx: FieldContext): Paths {
  const view: JsonObject = {};
  if (isObject(obj)) {
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'apiVersion' || k === 'kind') continue;
      if (ctx.subresource === 'status' ? k !== 'status' : ctx.statusIsSubresource && k === 'status') continue;
      if (k === 'metadata' && isObject(v)) {
        const meta = Object.fromEntries(Object.entries(v).filter(([mk]) => !UNMANAGED_META.has(mk)));
        if (Object.keys(meta).length) view.metadata = meta;
        continue;
      }
      view[k] = v;
    }
  }
  const out: Paths = new Map();
  walk(view, ctx.schema, [], out);
  return out;
}

/** The set an Apply of `config` owns: its leaves and list items. */
function appliedSet(config: Json, ctx: FieldContext): Set<string> {
  const out = new Set<string>();
  for (const [k, e] of objectPaths(config, ctx)) if (e.kind === 'leaf' || e.kind === 'item') out.add(k);
  return out;
}

/** What changed from `before` to `after`, as structured-merge-diff's Compare reports it. */
function compare(
  before: Json,
  after: Json,
  ctx: FieldContext,
): { changed: Set<string>; removed: Set<string> } {
  const a = objectPaths(before, ctx);
  const b = objectPaths(after, ctx);
  const counts = (kind: EntryKind) => kind !== 'struct';
  const changed = new Set<string>();
  const removed = new Set<string>();
  for (const [k, e] of b) {
    if (!counts(e.kind)) continue;
    const old = a.get(k);
    if (!old) changed.add(k);
    else if (e.kind === 'leaf' && (old.kind !== 'leaf' || old.sig !== e.sig)) changed.add(k);
  }
  for (const [k, e] of a) if (counts(e.kind) && !b.has(k)) removed.add(k);
  return { changed, removed };
}

/** FieldsV1 of a set of paths. */
export function toFieldsV1(set: Iterable<string>): FieldsV1 {
  interface Node {
    member: boolean;
    children: Map<string, Node>;
  }
  const root: Node = { member: false, children: new Map() };
  for (const key of set) {
    let node = root;
    for (const el of key.split(SEP)) {
      let next = node.children.get(el);
      if (!next) node.children.set(el, (next = { member: false, children: new Map() }));
      node = next;
    }
    node.member = true;
  }
  const encode = (node: Node): FieldsV1 => {
    const out: FieldsV1 = {};
    if (node.member && node.children.size) out['.'] = {};
    for (const el of [...node.children.keys()].sort()) out[el] = encode(node.children.get(el)!);
    return out;
  };
  return encode(root);
}

/** The set of paths a FieldsV1 holds. */
export function fromFieldsV1(f: FieldsV1 | undefined): Set<string> {
  const out = new Set<string>();
  const visit = (node: FieldsV1, path: string[]): void => {
    for (const [el, child] of Object.entries(node ?? {})) {
      if (el === '.') {
        out.add(path.join(SEP));
        continue;
      }
      const p = [...path, el];
      if (!child || Object.keys(child).length === 0) out.add(p.join(SEP));
      else visit(child, p);
    }
  };
  visit(f ?? {}, []);
  return out;
}

/** `.spec.containers[name="c"].image`: a path the way fieldpath.Path.String() prints it. */
export function pathString(key: string): string {
  return key
    .split(SEP)
    .map((el) => {
      if (el.startsWith('f:')) return `.${el.slice(2)}`;
      if (el.startsWith('v:')) return `[=${el.slice(2)}]`;
      if (el.startsWith('k:')) {
        const k = JSON.parse(el.slice(2)) as JsonObject;
        return `[${Object.entries(k)
          .map(([n, v]) => `${n}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      return `[${el.slice(2)}]`;
    })
    .join('');
}

// ---- managers ------------------------------------------------------------------------------------

interface Manager {
  entry: ManagedFieldsEntry;
  set: Set<string>;
}

function identity(e: ManagedFieldsEntry): string {
  // The identifier structured-merge-diff keys managers by: Apply entries ignore the apiVersion.
  return JSON.stringify([
    e.manager ?? '',
    e.operation ?? '',
    e.operation === APPLY ? '' : (e.apiVersion ?? ''),
    e.subresource ?? '',
  ]);
}

function readManagers(entries: unknown): Map<string, Manager> {
  const out = new Map<string, Manager>();
  if (!Array.isArray(entries)) return out;
  for (const e of entries as ManagedFieldsEntry[]) {
    if (!e || typeof e !== 'object') continue;
    out.set(identity(e), { entry: e, set: fromFieldsV1(e.fieldsV1) });
  }
  return out;
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((k) => b.has(k));
}

function writeManagers(managers: Map<string, Manager>, before: Map<string, Manager>, now: string) {
  const out: ManagedFieldsEntry[] = [];
  for (const [id, m] of managers) {
    if (m.set.size === 0) continue;
    const prev = before.get(id);
    const entry: ManagedFieldsEntry = { ...m.entry, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(m.set) };
    // The time moves only when the manager's fields or operation changed.
    entry.time = prev && sameSet(prev.set, m.set) && prev.entry.time ? prev.entry.time : now;
    out.push(orderEntry(entry));
  }
  return out;
}

function orderEntry(e: ManagedFieldsEntry): ManagedFieldsEntry {
  const out: ManagedFieldsEntry = {
    apiVersion: e.apiVersion,
    fieldsType: e.fieldsType,
    fieldsV1: e.fieldsV1,
    manager: e.manager,
    operation: e.operation,
  };
  if (e.subresource) out.subresource = e.subresource;
  out.time = e.time;
  return out;
}

/** How kube-apiserver names a manager in a conflict: `"kubectl"`, `"x" using v1`. */
function printManager(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === UPDATE) s += ` using ${e.apiVersion}`;
  return s;
}

function conflictError(conflicts: { manager: ManagedFieldsEntry; path: string }[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const by = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = printManager(c.manager);
      by.set(m, [...(by.get(m) ?? []), pathString(c.path)]);
    }
    const lines: string[] = [];
    for (const m of [...by.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const p of by.get(m)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

function entryFor(manager: string, operation: 'Apply' | 'Update', ctx: FieldContext): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = { manager, operation, apiVersion: ctx.apiVersion };
  if (ctx.subresource) e.subresource = ctx.subresource;
  return e;
}

/**
 * managedFields after an Update (create, PUT, or a non-apply PATCH) by `manager` turned `before`
 * (undefined on create) into `after`: the manager gains what it added or changed and loses what
 * it removed; every other manager loses what this one changed.
 */
export function updateManagedFields(
  before: JsonObject | undefined,
  after: JsonObject,
  manager: string,
  ctx: FieldContext,
): ManagedFieldsEntry[] {
  const beforeManagers = readManagers((before?.metadata as JsonObject | undefined)?.managedFields);
  const managers = new Map([...beforeManagers].map(([k, m]) => [k, { entry: m.entry, set: new Set(m.set) }]));
  const { changed, removed } = compare(before ?? {}, after, ctx);
  for (const m of managers.values()) for (const k of changed) m.set.delete(k);
  const self = entryFor(manager, UPDATE, ctx);
  const id = identity(self);
  const mine = managers.get(id) ?? { entry: self, set: new Set<string>() };
  for (const k of changed) mine.set.add(k);
  for (const k of removed) mine.set.delete(k);
  mine.entry = { ...mine.entry, ...self };
  managers.set(id, mine);
  return writeManagers(managers, beforeManagers, ctx.now);
}

/** Merges an applied configuration into a live value by the schema's list and map semantics. */
export function mergeApplied(live: Json, config: Json, s: Schema | undefined): Json {
  if (isObject(config)) {
    if (!isObject(live) || atomicMap(s)) return clone(config);
    const out: JsonObject = clone(live);
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete out[k];
      else out[k] = mergeApplied(out[k], v, childSchema(s, k));
    }
    return out;
  }
  if (Array.isArray(config)) {
    const ls = listSemantics(s);
    if (ls.type === 'atomic' || !Array.isArray(live)) return clone(config);
    const out = clone(live);
    if (ls.type === 'set') {
      for (const v of config) if (!out.some((o) => canonical(o) === canonical(v))) out.push(clone(v));
      return out;
    }
    const items = itemSchema(s);
    for (const item of config) {
      if (!isObject(item)) continue;
      const k = keyElement(item, ls.keys, items);
      const i = out.findIndex((o) => isObject(o) && keyElement(o, ls.keys, items) === k);
      if (i >= 0) out[i] = mergeApplied(out[i], item, items);
      else out.push(clone(item));
    }
    return out;
  }
  return clone(config);
}

/** Removes one path from an object (in place), finding list-map items by their key. */
function removePath(obj: Json, els: string[], schema: Schema | undefined): void {
  let cur: Json = obj;
  let s = schema;
  for (let i = 0; i < els.length; i++) {
    const el = els[i];
    const last = i === els.length - 1;
    if (el.startsWith('f:') && isObject(cur)) {
      const f = el.slice(2);
      if (last) delete cur[f];
      else {
        cur = cur[f];
        s = childSchema(s, f);
      }
      continue;
    }
    if (!Array.isArray(cur)) return;
    const arr: Json[] = cur;
    const items = itemSchema(s);
    const keys = listSemantics(s).keys;
    const idx = el.startsWith('v:')
      ? arr.findIndex((x) => canonical(x) === canonical(JSON.parse(el.slice(2))))
      : arr.findIndex((x) => isObject(x) && keyElement(x, keys, items) === el);
    if (idx < 0) return;
    if (last) arr.splice(idx, 1);
    else {
      cur = arr[idx];
      s = items;
    }
  }
}

/**
 * A server-side apply of `config` by `manager` to `live` (undefined when the apply creates the
 * object): the merged object with its managedFields, or a 409 naming every conflicting manager
 * and field unless `force`.
 */
export function applyConfiguration(
  live: JsonObject | undefined,
  config: JsonObject,
  manager: string,
  force: boolean,
  ctx: FieldContext,
): JsonObject {
  const base = live ?? {};
  let beforeManagers = readManagers((base.metadata as JsonObject | undefined)?.managedFields);
  if (live && beforeManagers.size === 0) {
    // An object no one manages yet: what it holds belongs to "before-first-apply", as in kube.
    const all = compare({}, live, ctx).changed;
    const e: ManagedFieldsEntry = {
      manager: 'before-first-apply',
      operation: UPDATE,
      apiVersion: ctx.apiVersion,
    };
    beforeManagers = new Map([[identity(e), { entry: e, set: all }]]);
  }
  const managers = new Map([...beforeManagers].map(([k, m]) => [k, { entry: m.entry, set: new Set(m.set) }]));
  const self = entryFor(manager, APPLY, ctx);
  const id = identity(self);
  const lastSet = managers.get(id)?.set ?? new Set<string>();
  const configSet = appliedSet(config, ctx);

  const viewConfig = clone(config);
  delete viewConfig.status;
  if (ctx.subresource === 'status')
    for (const k of Object.keys(viewConfig)) if (k !== 'metadata') delete viewConfig[k];
  const applied =
    ctx.subresource === 'status'
      ? { ...base, status: mergeApplied(base.status, config.status, childSchema(ctx.schema, 'status')) }
      : (mergeApplied(base, viewConfig, ctx.schema) as JsonObject);

  const { changed } = compare(base, applied, ctx);
  const conflicts: { manager: ManagedFieldsEntry; path: string }[] = [];
  for (const [mid, m] of managers) {
    if (mid === id) continue;
    for (const k of [...m.set].sort()) if (changed.has(k)) conflicts.push({ manager: m.entry, path: k });
  }
  if (conflicts.length && !force) throw conflictError(conflicts);
  for (const [mid, m] of managers) if (mid !== id) for (const c of conflicts) m.set.delete(c.path);
  managers.set(id, { entry: { ...(managers.get(id)?.entry ?? {}), ...self }, set: configSet });

  // Fields this manager applied before and applies no more go, unless someone else still owns them.
  const keep = new Set<string>(['f:metadata']);
  for (const m of managers.values())
    for (const k of m.set) {
      const els = k.split(SEP);
      for (let i = 1; i <= els.length; i++) keep.add(els.slice(0, i).join(SEP));
    }
  const removals = new Set<string>();
  for (const k of lastSet) {
    const els = k.split(SEP);
    for (let i = 1; i <= els.length; i++) {
      const p = els.slice(0, i).join(SEP);
      if (!keep.has(p)) {
        removals.add(p);
        break;
      }
    }
  }
  const out = applied;
  for (const p of removals) removePath(out, p.split(SEP), ctx.schema);
  const meta = (isObject(out.metadata) ? out.metadata : (out.metadata = {})) as JsonObject;
  meta.managedFields = writeManagers(managers, beforeManagers, ctx.now);
  return out;
}
