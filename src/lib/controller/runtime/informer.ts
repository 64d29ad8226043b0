/**
 * A shared informer over client-node's `makeInformer` (list + watch) that fills an indexed Store and
 * restarts itself after errors — client-node's ListWatch stops for good on a failed list or a broken
 * watch connection, so a reconciler built on it alone goes silently deaf.
 */
import { makeInformer, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from '../../apis/types.js';
import { collectionPath, type Kind } from './kinds.js';
import type { RestClient } from './rest.js';
import { Store, type IndexFunc, type Lister } from './store.js';

/** Callbacks for cache changes. `old` is the previous cached version on update. */
export interface EventHandler<T> {
  add?(obj: T): void;
  update?(old: T, obj: T): void;
  delete?(obj: T): void;
}

/** Informer options: scope and secondary indexes. */
export interface InformerOptions<T> {
  namespace?: string;
  labelSelector?: string;
  indexers?: Record<string, IndexFunc<T>>;
  /** Logs restarts; defaults to silence. */
  log?: (msg: string) => void;
}

/** A self-healing list/watch cache of one kind. */
export class Informer<T extends KubeObject> {
  readonly store: Store<T>;
  private readonly handlers: EventHandler<T>[] = [];
  private readonly lw;
  private stopped = true;
  private failures = 0;
  private restartTimer?: NodeJS.Timeout;
  private syncedResolve!: () => void;
  /** Resolves once the first list has filled the cache. */
  readonly synced: Promise<void>;
  private hasSynced = false;
  /** The most recent list/watch failure (cleared by a successful list). */
  lastError?: Error;

  constructor(
    kc: KubeConfig,
    rest: RestClient,
    readonly kind: Kind,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.store = new Store<T>(opts.indexers ?? {});
    this.synced = new Promise((r) => (this.syncedResolve = r));
    const listFn = async () => {
      const list = await rest.list<T>(kind, { namespace: opts.namespace, labelSelector: opts.labelSelector });
      // A full relist replaces the cache; ListWatch reports removals through 'delete' first.
      queueMicrotask(() => this.markSynced());
      this.failures = 0;
      this.lastError = undefined;
      return list as unknown as { metadata: { resourceVersion?: string }; items: (T & KubernetesObject)[] };
    };
    this.lw = makeInformer<T & KubernetesObject>(
      kc,
      collectionPath(kind, opts.namespace),
      listFn as never,
      opts.labelSelector,
    );
    this.lw.on('add', (obj) => this.onUpsert(obj));
    this.lw.on('update', (obj) => this.onUpsert(obj));
    this.lw.on('delete', (obj) => this.onDelete(obj));
    this.lw.on('error', (err) => this.onError(err));
  }

  /** The indexed cache. */
  get lister(): Lister<T> {
    return this.store;
  }

  /** Whether the first list has landed in the cache. */
  get isSynced(): boolean {
    return this.hasSynced;
  }

  /** Registers change callbacks (call before start). */
  on(handler: EventHandler<T>): void {
    this.handlers.push(handler);
  }

  /** Starts list+watch in the background; await `synced` for the first full list. */
  start(): void {
    this.stopped = false;
    void this.lw.start().catch((err) => this.onError(err));
  }

  /** Stops watching; the cache keeps its last content. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.lw.stop();
  }

  private markSynced(): void {
    if (this.hasSynced) return;
    this.hasSynced = true;
    this.syncedResolve();
  }

  private onUpsert(obj: T): void {
    const old = this.store.upsert(obj);
    for (const h of this.handlers) {
      if (old) h.update?.(old, obj);
      else h.add?.(obj);
    }
  }

  private onDelete(obj: T): void {
    const old = this.store.remove(obj.metadata.namespace, obj.metadata.name!) ?? obj;
    for (const h of this.handlers) h.delete?.(old);
  }

  private onError(err: unknown): void {
    if (this.stopped) return;
    // Exponential backoff 100ms → 30s: a restarting API server should not be hammered.
    const delay = Math.min(100 * 2 ** this.failures, 30_000);
    this.lastError = err instanceof Error ? err : new Error(String(err));
    this.failures++;
    this.opts.log?.(
      `informer ${this.kind.plural}: ${(err as Error)?.message ?? err}; restarting in ${delay}ms`,
    );
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      void this.lw.start().catch((e) => this.onError(e));
    }, delay);
    this.restartTimer.unref?.();
  }
}
