/**
 * The set of resources the server currently serves, indexed by group/version/resource. CRDs add
 * and remove entries at runtime; storage is keyed by group/resource (all versions share objects).
 */
import type { ResourceType } from './types.js';

/** Served resource types, mutable as CRDs come and go. */
export class Registry {
  private readonly byGvr = new Map<string, ResourceType>();

  constructor(types: ResourceType[] = []) {
    for (const t of types) this.add(t);
  }

  /** Adds or replaces a type. */
  add(t: ResourceType): void {
    this.byGvr.set(`${t.group}/${t.version}/${t.resource}`, t);
  }

  /** Removes one type. */
  remove(t: Pick<ResourceType, 'group' | 'version' | 'resource'>): void {
    this.byGvr.delete(`${t.group}/${t.version}/${t.resource}`);
  }

  /** Removes every version of a CRD's types. */
  removeCrd(crdName: string): ResourceType[] {
    const gone = [...this.byGvr.values()].filter((t) => t.crdName === crdName);
    for (const t of gone) this.byGvr.delete(`${t.group}/${t.version}/${t.resource}`);
    return gone;
  }

  /** The type served at group/version/resource. */
  get(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byGvr.get(`${group}/${version}/${resource}`);
  }

  /** Some served version of group/resource (for storage-level work like GC). */
  anyVersion(group: string, resource: string): ResourceType | undefined {
    for (const t of this.byGvr.values()) if (t.group === group && t.resource === resource) return t;
    return undefined;
  }

  /** The type for an apiVersion + kind (used to resolve ownerReferences). */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    for (const t of this.byGvr.values())
      if (t.group === group && t.version === version && t.kind === kind) return t;
    return undefined;
  }

  /** All served types. */
  all(): ResourceType[] {
    return [...this.byGvr.values()];
  }

  /** Group names (excluding core) with their versions, in registration order. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.byGvr.values()) {
      if (!t.group) continue;
      const vs = out.get(t.group) ?? [];
      if (!vs.includes(t.version)) vs.push(t.version);
      out.set(t.group, vs);
    }
    return out;
  }

  /** Distinct storage keys (group/resource) of namespaced types. */
  namespacedStorage(): { group: string; resource: string }[] {
    const seen = new Map<string, { group: string; resource: string }>();
    for (const t of this.byGvr.values())
      if (t.namespaced) seen.set(`${t.group}/${t.resource}`, { group: t.group, resource: t.resource });
    return [...seen.values()];
  }
}
