/**
 * A client-node informer that keeps itself alive: client-node's informers stop on a watch or list
 * error and never resume, so this one restarts after an error with capped backoff.
 */
import {
  makeInformer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';

/** Callbacks for one watched kind; `synced` fires after the first successful list. */
export interface WatchHandlers<T extends KubernetesObject> {
  upsert(obj: T): void;
  remove(obj: T): void;
  synced?(): void;
  error?(err: unknown): void;
}

/** A running watch; `list()` returns the informer's cached objects. */
export interface Watch<T extends KubernetesObject> {
  list(): T[];
  stop(): Promise<void>;
}

/** Lists and watches `path`, restarting after errors until stopped. */
export async function watchKind<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  listFn: () => Promise<KubernetesListObject<T>>,
  handlers: WatchHandlers<T>,
): Promise<Watch<T>> {
  const informer = makeInformer<T>(kc, path, listFn);
  let stopped = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  // Any delivered event proves the connection works again, so the backoff starts over.
  informer.on('add', (obj) => ((attempt = 0), handlers.upsert(obj)));
  informer.on('update', (obj) => ((attempt = 0), handlers.upsert(obj)));
  informer.on('delete', (obj) => ((attempt = 0), handlers.remove(obj)));
  // start() rejects when the watch request itself fails, and reports list/watch failures through
  // 'error' otherwise; both paths end up here and schedule another start.
  const retry = (err: unknown) => {
    if (stopped) return;
    handlers.error?.(err);
    const delay = Math.min(30_000, 250 * 2 ** Math.min(attempt++, 7));
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!stopped) informer.start().catch(retry);
    }, delay);
  };
  informer.on('error', retry);
  await informer.start().catch(retry);
  handlers.synced?.();
  return {
    list: () => [...informer.list()],
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await informer.stop();
    },
  };
}
