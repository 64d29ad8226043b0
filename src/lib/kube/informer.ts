/**
 * The one informer: list + watch of one kind into an indexed Store, with change callbacks. It heals
 * itself — a failed list, a broken watch connection or an ERROR event restarts it with a fresh list
 * after an exponential backoff, and 410 Gone (resourceVersion too old) relists at once — so a
 * component built on it never goes silently deaf when the API server restarts. A watch the server
 * ends normally (its timeout) resumes from the last resourceVersion without a relist. Cached objects
 * carry no managedFields (see `lean`).
 */
import type { KubeObject } from '../apis/types.js';
import { ApiError } from './errors.js';
import type { Kind } from './kinds.js';
import type { RestClient, WatchEvent, WatchHandle } from './rest.js';
import { Store, type IndexFunc, type Lister } from './store.js';

/** Callbacks for cache changes. `old` is the previous cached version on update. */
export interface EventHandler<T> {
  add?(obj: T): void;
  update?(old: T, obj: T): void;
  delete?(obj: T): void;
}

/** Informer options: scope, secondary indexes and restart backoff. */
export interface InformerOptions<T> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  indexers?: Record<string, IndexFunc<T>>;
  /** Logs restarts; defaults to silence. */
  log?: (msg: string) => void;
  /** Restart backoff after failures: `baseMs` doubling up to `maxMs` (default 100 ms → 30 s). */
  backoff?: { baseMs: number; maxMs: number };
  /** How long the server keeps one watch open before we resume it (default 5 min). */
  watchTimeoutSeconds?: number;
}

/**
 * What a cache keeps of an object: all of it but `metadata.managedFields` (client-go's usual
 * informer transform). Nothing reads them from a cache, they are often the bulk of a small object,
 * and an update written from a cached copy without them keeps the stored ones (the API server
 * carries managedFields over when a PUT leaves them out) and spares the server comparing them.
 */
function lean(obj: KubeObject): void {
  if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
}

/** A watch that ends within this long without delivering anything counts as a failure (no hot loop). */
const MIN_HEALTHY_WATCH_MS = 1000;

/** A self-healing list/watch cache of one kind. */
export class Informer<T extends KubeObject> {
  readonly store: Store<T>;
  /** Resolves once the first list has filled the cache (and its callbacks ran). */
  readonly synced: Promise<void>;
  /** The most recent list/watch failure (cleared by a successful list). */
  lastError?: Error;
  private readonly handlers: EventHandler<T>[] = [];
  private syncedResolve!: () => void;
  private hasSynced = false;
  private stopped = true;
  private failures = 0;
  private resourceVersion?: string;
  private handle?: WatchHandle;
  private sleepTimer?: NodeJS.Timeout;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(
    private readonly client: RestClient,
    readonly kind: Kind,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.store = new Store<T>(opts.indexers ?? {});
    this.synced = new Promise((r) => (this.syncedResolve = r));
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
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops watching; the cache keeps its last content. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.sleepTimer);
    this.wake?.();
    this.handle?.stop();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.resourceVersion === undefined) await this.relist();
        if (this.stopped) return;
        await this.watchOnce();
      } catch (err) {
        if (this.stopped) return;
        this.resourceVersion = undefined;
        if (err instanceof ApiError && err.statusCode === 410) continue; // too old: relist now
        // Exponential backoff: a restarting API server should not be hammered.
        const { baseMs, maxMs } = this.opts.backoff ?? { baseMs: 100, maxMs: 30_000 };
        const delay = Math.min(baseMs * 2 ** Math.min(this.failures, 20), maxMs);
        this.failures++;
        this.lastError = err instanceof Error ? err : new Error(String(err));
        this.opts.log?.(`informer ${this.kind.plural}: ${this.lastError.message}; restarting in ${delay}ms`);
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
      this.sleepTimer.unref?.();
    });
  }

  /** Lists the kind and brings the cache (and the callbacks) in line with the answer. */
  private async relist(): Promise<void> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    const list = await this.client.list<T>(this.kind, { namespace, labelSelector, fieldSelector });
    if (this.stopped) return;
    this.failures = 0;
    this.lastError = undefined;
    const fresh = new Map(list.items.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
    for (const old of this.store.list()) {
      if (!fresh.has(`${old.metadata.namespace ?? ''}/${old.metadata.name}`)) this.remove(old);
    }
    for (const obj of list.items) {
      const old = this.store.get(obj.metadata.namespace, obj.metadata.name!);
      // Unchanged objects raise no event on a relist (same resourceVersion, same content).
      if (!old || old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.upsert(obj);
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    if (!this.hasSynced) {
      this.hasSynced = true;
      this.syncedResolve();
    }
  }

  /** Watches from the cached resourceVersion until the stream ends; throws on failures. */
  private async watchOnce(): Promise<void> {
    const started = Date.now();
    let delivered = false;
    let failure: Error | undefined;
    const handle = await this.client.watch<T>(
      this.kind,
      {
        namespace: this.opts.namespace,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        resourceVersion: this.resourceVersion || undefined,
        allowWatchBookmarks: true,
        timeoutSeconds: this.opts.watchTimeoutSeconds ?? 300,
      },
      (ev: WatchEvent<T>) => {
        if (failure) return;
        if (ev.type === 'ERROR') {
          const status = ev.object as unknown as { code?: number; message?: string };
          if (status.code === 410)
            this.resourceVersion = undefined; // too old: relist now
          else failure = new Error(`watch error: ${status.message ?? JSON.stringify(status)}`);
          handle.stop();
          return;
        }
        delivered = true;
        if (ev.object?.metadata?.resourceVersion) this.resourceVersion = ev.object.metadata.resourceVersion;
        if (ev.type === 'BOOKMARK') return;
        if (ev.type === 'DELETED') this.remove(ev.object);
        else this.upsert(ev.object);
      },
    );
    this.handle = handle;
    if (this.stopped) handle.stop();
    try {
      await handle.done;
    } finally {
      this.handle = undefined;
    }
    if (failure) throw failure;
    if (
      this.resourceVersion !== undefined &&
      !delivered &&
      Date.now() - started < MIN_HEALTHY_WATCH_MS &&
      !this.stopped
    )
      throw new Error('the watch ended at once');
  }

  private upsert(obj: T): void {
    lean(obj);
    const old = this.store.upsert(obj);
    for (const h of this.handlers) this.dispatch(() => (old ? h.update?.(old, obj) : h.add?.(obj)));
  }

  private remove(obj: T): void {
    lean(obj);
    const old = this.store.remove(obj.metadata.namespace, obj.metadata.name!) ?? obj;
    for (const h of this.handlers) this.dispatch(() => h.delete?.(old));
  }

  // A failing callback is the caller's bug; it must not tear down the watch everyone depends on.
  private dispatch(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log?.(
        `informer ${this.kind.plural}: event handler failed: ${(err as Error)?.message ?? err}`,
      );
    }
  }
}
