/**
 * Garbage collection after commits, like kube-controller-manager's garbage collector and namespace
 * controller: dependents whose owners are all gone are deleted (background propagation); owners
 * being deleted in the foreground keep the `foregroundDeletion` finalizer until their dependents
 * are gone; terminating namespaces are emptied and then removed. Work is queued by commit events
 * and runs on the next turn of the event loop, never inside the request that caused it.
 */
import type { KubeObject } from '../apis/types.js';
import { ApiError } from './errors.js';
import { FOREGROUND_FINALIZER, type Handlers } from './handlers.js';
import type { ObjectKey, StoreEvent } from './store.js';
import type { UserInfo } from './types.js';

const GC_USER: UserInfo = {
  username: 'system:serviceaccount:kube-system:generic-garbage-collector',
  groups: ['system:serviceaccounts'],
};

/** Background collector bound to one Handlers instance. */
export class GarbageCollector {
  private readonly ownersGone = new Set<string>();
  private readonly foreground = new Set<string>();
  private readonly namespaces = new Set<string>();
  private scheduled = false;
  private stopped = false;
  private readonly unsubscribe: () => void;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly h: Handlers) {
    this.unsubscribe = h.store.subscribe((events) => events.forEach((e) => this.observe(e)));
    this.sweep();
  }

  /** Queues everything a restart may have left half-done. */
  private sweep(): void {
    const store = this.h.store;
    for (const uid of store.ownerUids()) {
      const key = store.keyOfUid(uid);
      if (!key) this.ownersGone.add(uid);
      else {
        const o = store.get(key.grp, key.resource, key.namespace, key.name);
        if (o?.metadata.deletionTimestamp && o.metadata.finalizers?.includes(FOREGROUND_FINALIZER))
          this.foreground.add(uid);
      }
    }
    for (const row of store.list('', 'namespaces', undefined)) {
      const ns = JSON.parse(row.data) as KubeObject;
      if (ns.metadata.deletionTimestamp) this.namespaces.add(ns.metadata.name!);
    }
    this.schedule();
  }

  private observe(e: StoreEvent): void {
    if (e.type === 'DELETED') {
      const obj = e.object();
      if (obj.metadata.uid) this.ownersGone.add(obj.metadata.uid);
      for (const ref of obj.metadata.ownerReferences ?? []) this.foreground.add(ref.uid);
      if (e.namespace) this.namespaces.add(e.namespace);
    } else {
      const obj = e.object();
      if (obj.metadata.deletionTimestamp) {
        if (e.grp === '' && e.resource === 'namespaces') this.namespaces.add(e.name);
        if (obj.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) this.foreground.add(obj.metadata.uid!);
      }
      if (e.type === 'ADDED' && obj.metadata.ownerReferences?.length) {
        // A dependent created with owners that do not exist is garbage from the start.
        for (const ref of obj.metadata.ownerReferences)
          if (!this.h.store.keyOfUid(ref.uid)) this.ownersGone.add(ref.uid);
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    if (!this.ownersGone.size && !this.foreground.size && !this.namespaces.size) {
      this.notifyIdle();
      return;
    }
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      this.runOnce();
      this.schedule();
    });
  }

  private notifyIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    w.forEach((f) => f());
  }

  /** Resolves when no collection work is queued (for shutdown and tests). */
  idle(): Promise<void> {
    if (!this.scheduled && !this.ownersGone.size && !this.foreground.size && !this.namespaces.size)
      return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private runOnce(): void {
    const gone = [...this.ownersGone];
    this.ownersGone.clear();
    for (const uid of gone) this.collectDependents(uid);
    const fg = [...this.foreground];
    this.foreground.clear();
    for (const uid of fg) this.finishForeground(uid);
    const nss = [...this.namespaces];
    this.namespaces.clear();
    for (const ns of nss) this.finishNamespace(ns);
  }

  private deleteKey(key: ObjectKey, propagationPolicy = 'Background'): void {
    const type = this.h.registry.anyVersion(key.grp, key.resource);
    if (!type) return;
    try {
      this.h.delete(type, key.namespace || undefined, key.name, { user: GC_USER, propagationPolicy });
    } catch (err) {
      // Already gone is fine; anything else (an admission veto) is retried on the next event.
      if (!(err instanceof ApiError && err.code === 404))
        process.emitWarning(
          `knlite gc: deleting ${key.resource} ${key.namespace}/${key.name}: ${(err as Error).message}`,
        );
    }
  }

  /** Deletes dependents of a vanished owner when none of their other owners remain. */
  private collectDependents(ownerUid: string): void {
    const store = this.h.store;
    if (store.keyOfUid(ownerUid)) return;
    for (const key of store.dependentsOf(ownerUid)) {
      const dep = store.get(key.grp, key.resource, key.namespace, key.name);
      if (!dep || dep.metadata.deletionTimestamp) continue;
      const alive = (dep.metadata.ownerReferences ?? []).some(
        (r) => r.uid !== ownerUid && store.keyOfUid(r.uid),
      );
      if (!alive) this.deleteKey(key);
    }
  }

  /** Deletes dependents of a foreground-deleted owner, then lets the owner go. */
  private finishForeground(uid: string): void {
    const store = this.h.store;
    const key = store.keyOfUid(uid);
    if (!key) return;
    const owner = store.get(key.grp, key.resource, key.namespace, key.name);
    if (!owner?.metadata.deletionTimestamp || !owner.metadata.finalizers?.includes(FOREGROUND_FINALIZER))
      return;
    const deps = store.dependentsOf(uid);
    for (const d of deps) {
      const dep = store.get(d.grp, d.resource, d.namespace, d.name);
      if (dep && !dep.metadata.deletionTimestamp) this.deleteKey(d, 'Foreground');
    }
    if (store.dependentsOf(uid).length > 0) return; // re-queued by the dependents' DELETED events
    const type = this.h.registry.anyVersion(key.grp, key.resource);
    if (!type) return;
    const next = structuredClone(owner);
    next.metadata.finalizers = owner.metadata.finalizers.filter((f) => f !== FOREGROUND_FINALIZER);
    this.h.update(type, key.namespace || undefined, key.name, next, '', { user: GC_USER });
  }

  /** Empties a terminating namespace, then removes it. */
  private finishNamespace(ns: string): void {
    const store = this.h.store;
    const nsObj = store.get('', 'namespaces', '', ns);
    if (!nsObj?.metadata.deletionTimestamp) return;
    const keys = store.keysInNamespace(ns);
    for (const key of keys) {
      const o = store.get(key.grp, key.resource, key.namespace, key.name);
      if (o && !o.metadata.deletionTimestamp) this.deleteKey(key);
    }
    if (store.keysInNamespace(ns).length > 0) return; // waits for finalizers; DELETED events re-queue
    const fresh = store.get('', 'namespaces', '', ns);
    if (fresh) store.delete('', 'namespaces', fresh);
  }

  /** Stops reacting to commits. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.notifyIdle();
  }
}
