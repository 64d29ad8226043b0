/**
 * The activator: a revision without a ready instance (scaled to zero, or still starting) gets its
 * requests buffered (bounded: overflow → 503), the autoscaler poked at once, and the requests
 * released as instances become ready. The timeout step answers 504 if the wait is too long. A
 * frozen instance is the exception: requests go to it at once (see makeActivateHandler).
 */
import type { GatewayDeps } from './deps.js';
import { replayable, reply, responseStarted, type Exchange, type Handler } from './exchange.js';
import { IDEMPOTENT } from './proxy.js';

/** How often a refused request is retried on another (or a restarted) instance. */
export const MAX_RETRIES = 3;
/** How long an instance that refused a connection is left out of the balancing. */
export const QUARANTINE_MS = 2000;

/**
 * Holds requests until the revision has a ready instance, and retries a request whose instance
 * refused the connection or died before answering (the process stopped before its Endpoints caught
 * up) on another one — buffering again, and so cold-starting, when none is left.
 *
 * A revision at zero that still has a frozen instance (ADR 0009) is not waited for: the autoscaler
 * is poked as for a cold start, and a request that can be sent again (bodyless, idempotent) goes
 * to the frozen instance at once. Its stopped process still completes TCP handshakes, so the
 * request waits in the socket's backlog and is read the moment the runtime thaws the process on
 * the scale-up; no Endpoints round trip is on that path. If neither a byte of the answer nor a
 * ready address for that instance comes within `thawWaitMs`, the request is taken back and follows
 * the cold path.
 */
export const makeActivateHandler =
  (next: Handler, deps: GatewayDeps): Handler =>
  async (ex) => {
    const key = ex.revisionKey!;
    let resets = 0;
    let thawMissed = false;
    for (let attempt = 0; ; attempt++) {
      let waited: 'ready' | 'thawing' | 'activated' | 'answered' | 'gave-up';
      if (deps.state.readyInstances(key).length > 0) waited = 'ready';
      else if (attempt === 0 && thawable(ex, deps, key)) {
        // Measured like a cold start (queued → scale decided → first byte), without the wait.
        deps.coldStarts?.queued(key);
        let poked = false;
        ex.pokeThaw = () => {
          if (!poked) deps.poke(key);
          poked = true;
        };
        ex.thawing = true;
        waited = 'thawing';
      } else {
        // A retry waits a bounded time: an instance that keeps refusing must not hold the client
        // for the whole revision timeout.
        waited = await activate(ex, deps, attempt === 0 ? undefined : deps.limits.retryWaitMs);
      }
      if (waited === 'answered') return;
      if (waited === 'gave-up') {
        return reply(
          ex,
          503,
          `knlite: no ready instance of revision "${ex.revision?.name}" (last refused: ${ex.retryFrom})`,
        );
      }
      ex.retryFrom = undefined;
      const deadline = waited === 'thawing' ? thawDeadline(ex, deps, key) : undefined;
      try {
        await next(ex);
      } finally {
        clearTimeout(deadline);
        // Whatever happened, the scale-up is asked for: the state converges on 1 replica.
        ex.pokeThaw?.();
        ex.pokeThaw = undefined;
        ex.thawing = false;
      }
      // Only the cold path measures: the first request that had to wait for an instance (or was
      // sent to a frozen one, and waited after all if that one did not thaw in time).
      const measured = waited === 'thawing' || (waited === 'activated' && (attempt === 0 || thawMissed));
      if (measured && ex.firstWriteAt !== undefined) deps.coldStarts?.firstByte(key, ex.firstWriteAt);
      thawMissed = ex.retryReason === 'frozen';
      if (ex.retryFrom === undefined) return;
      // A refusing instance is gone: leave it out until its Endpoints catch up. A reset is retried
      // once only, so a request that crashes its instance is not replayed into every restart. A
      // frozen instance that did not thaw in time is not left out: the retry waits for a ready
      // instance, which may well be that one, thawed late.
      if (ex.retryReason === 'refused') deps.state.quarantine(key, ex.retryFrom, QUARANTINE_MS);
      else if (ex.retryReason === 'reset') resets++;
      if (attempt >= MAX_RETRIES || resets > 1) {
        const why = ex.retryReason === 'refused' ? 'ECONNREFUSED' : 'ECONNRESET';
        return reply(ex, 502, `knlite: instance ${ex.retryFrom} of revision "${ex.revision?.name}": ${why}`);
      }
    }
  };

/**
 * Whether the request may go to a frozen instance before it is thawed: there is one, and the
 * request can be taken back and sent again if the thaw fails (HTTP/1.1 to the instance, bodyless,
 * idempotent, no upgrade).
 */
function thawable(ex: Exchange, deps: GatewayDeps, key: string): boolean {
  return (
    deps.state.frozenInstances(key).length > 0 &&
    !ex.upgrade &&
    ex.revision?.protocol !== 'h2c' &&
    IDEMPOTENT.has(ex.req.method ?? '') &&
    replayable(ex)
  );
}

/** Takes the request back if, after `thawWaitMs`, its instance neither answered nor turned ready. */
function thawDeadline(ex: Exchange, deps: GatewayDeps, key: string): NodeJS.Timeout {
  const timer = setTimeout(() => {
    const id = ex.lease?.instance.id;
    if (responseStarted(ex) || deps.state.readyInstances(key).some((i) => i.id === id)) return;
    ex.takeBack?.();
  }, deps.limits.thawWaitMs);
  timer.unref();
  return timer;
}

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
