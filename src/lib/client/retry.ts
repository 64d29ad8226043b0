/**
 * Retrying optimistic-concurrency conflicts (409 on PUT with a stale resourceVersion): jittered
 * exponential backoff under a time budget, so many concurrent writers of one object all land
 * instead of the unlucky ones giving up after a burst of immediate retries.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** How long to back off between conflict retries. */
export interface BackoffPolicy {
  /** Delay ceiling of the first retry. */
  baseMs: number;
  /** Each retry's ceiling is the previous one times this. */
  factor: number;
  /** No single delay is longer than this. */
  capMs: number;
  /** Give up once this much time has passed since the first attempt. */
  budgetMs: number;
}

/**
 * The policy of every read-modify-write: 15 ms, 30, 60, ... capped at 1 s, for up to 30 s. With 20
 * writers racing on one object each round lets about one through, so the last one needs ~20 rounds:
 * 15+30+60+120+240+480 ms ≈ 1 s for the first six, then 1 s each, ≈ 15 s in the worst case.
 */
export const CONFLICT_BACKOFF: BackoffPolicy = { baseMs: 15, factor: 2, capMs: 1000, budgetMs: 30_000 };

/**
 * The delay before retry `retry` (1 = the first retry): "equal jitter", a random point in the upper
 * half of the exponential ceiling, so writers that collided once spread out instead of colliding again.
 */
export function backoffDelay(
  retry: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * policy.factor ** (retry - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** A retry schedule: `next()` waits the next delay and resolves true, or false once the budget is spent. */
export interface RetrySchedule {
  next(): Promise<boolean>;
  /** Retries waited so far. */
  readonly retries: number;
}

/** Starts a schedule now (the budget counts from this call). */
export function retrySchedule(
  policy: BackoffPolicy = CONFLICT_BACKOFF,
  deps: { now?: () => number; sleep?: (ms: number) => Promise<unknown>; random?: () => number } = {},
): RetrySchedule {
  const now = deps.now ?? Date.now;
  const wait = deps.sleep ?? sleep;
  const start = now();
  let retries = 0;
  return {
    get retries() {
      return retries;
    },
    async next() {
      const delay = backoffDelay(retries + 1, policy, deps.random);
      if (now() + delay - start > policy.budgetMs) return false;
      retries++;
      await wait(delay);
      return true;
    },
  };
}
