/** The conflict-retry schedule: jittered exponential delays, a cap, and a time budget. */
import { describe, expect, it } from 'vitest';
import { CONFLICT_BACKOFF, backoffDelay, retrySchedule } from '../../src/lib/client/retry.js';

describe('conflict backoff', () => {
  it('doubles from the base, stays in the upper half of each ceiling and is capped', () => {
    const p = CONFLICT_BACKOFF;
    expect([1, 2, 3].map((n) => backoffDelay(n, p, () => 1))).toEqual([15, 30, 60]);
    expect([1, 2, 3].map((n) => backoffDelay(n, p, () => 0))).toEqual([7.5, 15, 30]);
    expect(backoffDelay(20, p, () => 1)).toBe(1000);
    expect(backoffDelay(20, p, () => 0)).toBe(500);
  });

  it('retries until the budget is spent, then says stop', async () => {
    let now = 0;
    const schedule = retrySchedule(
      { baseMs: 10, factor: 2, capMs: 100, budgetMs: 1000 },
      { now: () => now, sleep: async (ms) => void (now += ms), random: () => 1 },
    );
    while (await schedule.next());
    // 10+20+40+80 = 150, then 100 each: 8 more fit under 1000 ms (950), a 9th would not.
    expect(schedule.retries).toBe(12);
    expect(now).toBe(950);
  });
});
