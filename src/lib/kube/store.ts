/**
 * An in-memory, indexed object store: the informer cache in production and the fixture store in
 * table tests. Secondary indexes (e.g. revisions by configuration) keep lookups O(1) with a thousand
 * services instead of scanning every object per reconcile.
 */
import type { KubeObject } from '../apis/types.js';

/** Maps an object to the index values it is filed under (e.g. `ns/config`). */
export type IndexFunc<T> = (obj: T) => string[];

/** Read access to a cache of one kind. Returned objects are shared: clone before mutating. */
export interface Lister<T extends KubeObject> {
  get(namespace: string | undefined, name: string): T | undefined;
  list(namespace?: string): T[];
  /** Objects filed under `value` by the named index. */
  byIndex(index: string, value: string): T[];
}

/** `namespace/name` (or `name` for cluster-scoped objects). */
export function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}

/** Splits a `namespace/name` key. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** Files objects by label value within their namespace: `ns/<label value>`. */
export function labelIndex<T extends KubeObject>(label: string): IndexFunc<T> {
  return (obj) => {
    const v = obj.metadata.labels?.[label];
    return v ? [`${obj.metadata.namespace ?? ''}/${v}`] : [];
  };
}

/** A map-backed Lister with secondary indexes. */
export class Store<T extends KubeObject> implements Lister<T> {
  private readonly byNs = new Map<string, Map<string, T>>();
  private readonly indexes = new Map<string, { fn: IndexFunc<T>; map: Map<string, Map<string, T>> }>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}, objects: T[] = []) {
    for (const [name, fn] of Object.entries(indexers)) this.indexes.set(name, { fn, map: new Map() });
    for (const o of objects) this.upsert(o);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.byNs.get(namespace ?? '')?.get(name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.byNs.get(namespace)?.values() ?? [])];
    const out: T[] = [];
    for (const m of this.byNs.values()) out.push(...m.values());
    return out;
  }

  byIndex(index: string, value: string): T[] {
    const idx = this.indexes.get(index);
    if (!idx) throw new Error(`no index ${index}`);
    return [...(idx.map.get(value)?.values() ?? [])];
  }

  /** Adds or replaces an object; returns the previous version. */
  upsert(obj: T): T | undefined {
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name!;
    let m = this.byNs.get(ns);
    if (!m) this.byNs.set(ns, (m = new Map()));
    const old = m.get(name);
    if (old) this.unindex(old);
    m.set(name, obj);
    this.index(obj);
    return old;
  }

  /** Removes an object; returns what was stored. */
  remove(namespace: string | undefined, name: string): T | undefined {
    const m = this.byNs.get(namespace ?? '');
    const old = m?.get(name);
    if (!old) return undefined;
    m!.delete(name);
    if (m!.size === 0) this.byNs.delete(namespace ?? '');
    this.unindex(old);
    return old;
  }

  /** Replaces the whole content (after a relist); returns objects that disappeared. */
  replaceAll(objects: T[]): T[] {
    const fresh = new Set(objects.map(keyOf));
    const gone = this.list().filter((o) => !fresh.has(keyOf(o)));
    for (const o of gone) this.remove(o.metadata.namespace, o.metadata.name!);
    for (const o of objects) this.upsert(o);
    return gone;
  }

  private index(obj: T): void {
    const k = keyOf(obj);
    for (const { fn, map } of this.indexes.values()) {
      for (const v of fn(obj)) {
        let bucket = map.get(v);
        if (!bucket) map.set(v, (bucket = new Map()));
        bucket.set(k, obj);
      }
    }
  }

  private unindex(obj: T): void {
    const k = keyOf(obj);
    for (const { fn, map } of this.indexes.values()) {
      for (const v of fn(obj)) {
        const bucket = map.get(v);
        bucket?.delete(k);
        if (bucket?.size === 0) map.delete(v);
      }
    }
  }
}
