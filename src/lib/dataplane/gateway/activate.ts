/**
 * The activator: a revision without a ready instance (scaled to zero, or still starting) gets its
 * requests buffered (bounded: overflow → 503), the autoscaler poked at once, and the requests
 * released as instances become ready. The timeout step answers 504 if the wait is too long.
 */
import type { GatewayDeps } from './deps.js';
import { reply, type Exchange, type Handler } from './exchange.js';

/** How often a refused request is retried on another (or a restarted) instance. */
export const MAX_RETRIES = 3;
/** How long an instance that refused a connection is left out of the balancing. */
export const QUARANTINE_MS = 2000;

/**
 * Holds requests until the revision has a ready instance, and retries a request whose instance
 * refused the connection or died before answering (the process stopped before its Endpoints caught
 * up) on another one — buffering again, and so cold-starting, when none is left.
 */
export const makeActivateHandler =
  (next: Handler, deps: GatewayDeps): Handler =>
  async (ex) => {
    const key = ex.revisionKey!;
    let resets = 0;
    for (let attempt = 0; ; attempt++) {
      // A retry waits a bounded time: an instance that keeps refusing must not hold the client for
      // the whole revision timeout.
      const waited =
        deps.state.readyInstances(key).length > 0
          ? 'ready'
          : await activate(ex, deps, attempt === 0 ? undefined : deps.limits.retryWaitMs);
      if (waited === 'answered') return;
      if (waited === 'gave-up') {
        return reply(
          ex,
          503,
          `knlite: no ready instance of revision "${ex.revision?.name}" (last refused: ${ex.retryFrom})`,
        );
      }
      ex.retryFrom = undefined;
      await next(ex);
      // Only the cold path measures: the first request that had to wait for an instance.
      if (waited === 'activated' && attempt === 0 && ex.firstWriteAt !== undefined)
        deps.coldStarts?.firstByte(key, ex.firstWriteAt);
      if (ex.retryFrom === undefined) return;
      // A refusing instance is gone: leave it out until its Endpoints catch up. A reset is retried
      // once only, so a request that crashes its instance is not replayed into every restart.
      if (ex.retryReason === 'refused') deps.state.quarantine(key, ex.retryFrom, QUARANTINE_MS);
      else resets++;
      if (attempt >= MAX_RETRIES || resets > 1) {
        const why = ex.retryReason === 'refused' ? 'ECONNREFUSED' : 'ECONNRESET';
        return reply(ex, 502, `knlite: instance ${ex.retryFrom} of revision "${ex.revision?.name}": ${why}`);
      }
    }
  };

/** Waits for a ready instance if there is none (at most `maxWaitMs` if given). */
async function activate(
  ex: Exchange,
  deps: GatewayDeps,
  maxWaitMs?: number,
): Promise<'ready' | 'activated' | 'answered' | 'gave-up'> {
  const key = ex.revisionKey!;
  if (deps.state.readyInstances(key).length === 0) {
    const waiting = deps.buffered.get(key) ?? 0;
    if (waiting >= deps.limits.activatorQueueDepth) {
      reply(ex, 503, 'activator queue full');
      return 'answered';
    }
    deps.buffered.set(key, waiting + 1);
    try {
      deps.coldStarts?.queued(key);
      deps.poke(key);
      const ready = await waitForInstances(deps, key, ex.signal, maxWaitMs);
      if (ready) deps.coldStarts?.mark(key, 'ready');
      else {
        // The last waiter gone without an answer: that cold start measures nothing.
        if ((deps.buffered.get(key) ?? 1) <= 1) deps.coldStarts?.abandon(key);
        return ex.aborted ? 'answered' : 'gave-up';
      }
      // Waited until an instance was ready (else: timed out, 504 sent, or the client left).
      return 'activated';
    } finally {
      const left = (deps.buffered.get(key) ?? 1) - 1;
      if (left > 0) deps.buffered.set(key, left);
      else deps.buffered.delete(key);
    }
  }
  return 'ready';
}

/** Resolves true when the revision has a ready instance, false if the signal aborts or `maxWaitMs` passes first. */
function waitForInstances(
  deps: GatewayDeps,
  key: string,
  signal: AbortSignal,
  maxWaitMs?: number,
): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = maxWaitMs === undefined ? undefined : setTimeout(() => finish(false), maxWaitMs);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
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
