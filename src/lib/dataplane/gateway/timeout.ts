/**
 * The revision's request timeouts (Knative's pkg/http/handler/timeout.go, applied by both
 * activator and queue-proxy): `timeoutSeconds` and `responseStartTimeoutSeconds` answer 504
 * `request timeout` if nothing was written yet (once the response started they no longer apply);
 * `idleTimeoutSeconds` is the longest gap between writes — before the first byte it answers 504,
 * after it the response is cut off. Timers start when the request reaches the gateway.
 */
import type { GatewayDeps } from './deps.js';
import { reply, responseStarted, type Handler } from './exchange.js';

/** Error used as the abort reason when a timeout fired. */
export class RequestTimeoutError extends Error {
  constructor() {
    super('request timeout');
    this.name = 'RequestTimeoutError';
  }
}

/** Wraps the rest of the chain in the revision's timeouts. */
export const makeTimeoutHandler =
  (next: Handler, _deps: GatewayDeps): Handler =>
  async (ex) => {
    const rev = ex.revision!;
    const timers: NodeJS.Timeout[] = [];
    const fire = (): void => {
      if (ex.upgraded) return;
      if (!responseStarted(ex)) reply(ex, 504, 'request timeout');
      else ex.res?.destroy();
      ex.abort(new RequestTimeoutError());
    };
    const firstByteTimeout = (seconds: number | undefined): void => {
      if (!seconds || seconds <= 0) return;
      timers.push(
        setTimeout(() => {
          if (!responseStarted(ex)) fire();
        }, seconds * 1000),
      );
    };
    firstByteTimeout(rev.timeoutSeconds);
    firstByteTimeout(rev.responseStartTimeoutSeconds);
    const idleMs = (rev.idleTimeoutSeconds ?? 0) * 1000;
    if (idleMs > 0) {
      const check = (): void => {
        const idleFor = Date.now() - (ex.lastWriteAt ?? ex.startedAt);
        if (idleFor >= idleMs) fire();
        else timers.push(setTimeout(check, idleMs - idleFor));
      };
      timers.push(setTimeout(check, idleMs));
    }
    try {
      await next(ex);
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  };
