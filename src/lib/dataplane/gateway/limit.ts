/**
 * containerConcurrency: takes a slot on the least-loaded ready instance, waiting FIFO when every
 * instance is at its limit; 503 `pending request queue full` past 10·CC waiting per instance.
 */
import { QueueFullError } from '../breaker.js';
import type { GatewayDeps } from './deps.js';
import { reply, type Handler } from './exchange.js';

/** Holds an instance slot for the rest of the chain. */
export const makeLimitHandler =
  (next: Handler, deps: GatewayDeps): Handler =>
  async (ex) => {
    const throttler = deps.throttlers.get(ex.revisionKey!);
    try {
      // Under the limit (the usual case) the slot is taken at once, without a promise or a signal.
      ex.lease = (!ex.aborted && throttler.tryAcquire()) || (await throttler.acquire(ex.signal));
    } catch (err) {
      if (err instanceof QueueFullError) reply(ex, 503, err.message);
      return; // aborted: the timeout step answered, or the client left
    }
    try {
      await next(ex);
    } finally {
      ex.lease.release();
    }
  };
