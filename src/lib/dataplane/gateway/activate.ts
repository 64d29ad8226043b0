/**
 * The activator: a revision without a ready instance (scaled to zero, or still starting) gets its
 * requests buffered (bounded: overflow → 503), the autoscaler poked at once, and the requests
 * released as instances become ready. The timeout step answers 504 if the wait is too long.
 */
import type { GatewayDeps } from './deps.js';
import { reply, type Handler } from './exchange.js';

/** Holds requests until the revision has a ready instance. */
export const makeActivateHandler =
  (next: Handler, deps: GatewayDeps): Handler =>
  async (ex) => {
    const key = ex.revisionKey!;
    if (deps.state.readyInstances(key).length === 0) {
      const waiting = deps.buffered.get(key) ?? 0;
      if (waiting >= deps.limits.activatorQueueDepth) {
        return reply(ex, 503, 'activator queue full');
      }
      deps.buffered.set(key, waiting + 1);
      try {
        deps.poke(key);
        const ready = await waitForInstances(deps, key, ex.signal);
        if (!ready) return; // timed out (504 already sent) or the client left
      } finally {
        const left = (deps.buffered.get(key) ?? 1) - 1;
        if (left > 0) deps.buffered.set(key, left);
        else deps.buffered.delete(key);
      }
    }
    return next(ex);
  };

/** Resolves true when the revision has a ready instance, false if the signal aborts first. */
function waitForInstances(deps: GatewayDeps, key: string, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const finish = (ok: boolean): void => {
      unwatch();
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = (): void => finish(false);
    const unwatch = deps.state.watchInstances(key, (list) => {
      if (list.length > 0) finish(true);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
