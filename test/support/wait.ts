/**
 * Waiting on conditions in tests: poll a predicate until it holds or a deadline passes. Never a
 * fixed sleep — the loop ends as soon as the condition is true.
 */
import { setTimeout as pause } from 'node:timers/promises';

/** Resolves the first truthy value `probe` returns; throws with `what` after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await pause(intervalMs);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}
