import { describe, expect, it, vi } from 'vitest';
import { KeyedQueue } from '../../src/lib/runtime/queue.js';

describe('KeyedQueue', () => {
  it('coalesces repeated keys, never runs one key twice at once, and bounds concurrency', async () => {
    const runs: string[] = [];
    let active = 0;
    let maxActive = 0;
    const gates: (() => void)[] = [];
    const queue = new KeyedQueue(
      async (key) => {
        runs.push(key);
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((resolve) => gates.push(resolve));
        active--;
      },
      () => {},
      2,
    );
    for (const key of ['a', 'a', 'b', 'c', 'a']) queue.enqueue(key);
    await vi.waitFor(() => expect(runs).toEqual(['a', 'b']));
    queue.enqueue('a'); // while running: runs once more afterwards
    gates.shift()!();
    await vi.waitFor(() => expect(runs).toEqual(['a', 'b', 'c']));
    gates.shift()!();
    await vi.waitFor(() => expect(runs).toEqual(['a', 'b', 'c', 'a']));
    while (gates.length) gates.shift()!();
    await vi.waitFor(() => expect(active).toBe(0));
    expect(maxActive).toBe(2);
    await queue.close();
  });

  it('retries failures and resolves flush() after the next run', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const queue = new KeyedQueue(
      async () => {
        calls++;
        if (calls === 1) throw new Error('conflict');
      },
      (_key, err) => errors.push(err),
    );
    await queue.flush('k');
    expect(errors).toHaveLength(1);
    await vi.waitFor(() => expect(calls).toBe(2));
    await queue.close();
  });
});
