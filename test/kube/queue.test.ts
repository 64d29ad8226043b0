import { describe, expect, it, vi } from 'vitest';
import { PermanentError, WorkQueue } from '../../src/lib/kube/queue.js';
import { waitUntil } from '../support/wait.js';

describe('WorkQueue', () => {
  it('dedupes queued keys and never runs one key twice at once', async () => {
    const runs: string[] = [];
    let active = 0;
    let maxActive = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new WorkQueue({
      name: 't',
      handler: async (key) => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs.push(key);
        if (runs.length === 1) await gate;
        active--;
      },
    });
    q.add('a');
    q.add('a');
    q.add('b');
    q.start();
    await waitUntil('first run', () => runs.length >= 2);
    // 'a' is running: adding it again marks it dirty instead of running it concurrently.
    q.add('a');
    q.add('a');
    expect(runs).toEqual(['a', 'b']);
    release();
    await waitUntil('dirty key re-run', () => runs.length === 3);
    await q.idle();
    expect(runs).toEqual(['a', 'b', 'a']);
    expect(maxActive).toBeLessThanOrEqual(2);
    await q.shutdown();
  });

  it('retries failures with per-key exponential backoff, then forgets', async () => {
    const times: number[] = [];
    const q = new WorkQueue({
      name: 't',
      handler: async () => {
        times.push(Date.now());
        if (times.length < 4) throw new Error('not yet');
      },
    });
    q.add('k');
    q.start();
    await waitUntil('success after retries', () => times.length === 4);
    // 5ms, 10ms, 20ms: each wait at least as long as the configured backoff.
    expect(times[3] - times[0]).toBeGreaterThanOrEqual(5 + 10 + 20);
    expect(q.addRateLimited('k')).toBe(5); // forgotten after the success
    await q.shutdown();
  });

  it('honours requeueAfter and pauses while not leading', async () => {
    let n = 0;
    const q = new WorkQueue({
      name: 't',
      handler: async () => (++n === 1 ? { requeueAfter: 20 } : undefined),
    });
    q.add('k');
    q.start();
    await waitUntil('requeued', () => n === 2);
    q.pause();
    q.add('k');
    await q.idle();
    expect(n).toBe(2);
    q.start();
    await waitUntil('resumed', () => n === 3);
    await q.shutdown();
  });

  it('coalesces repeated keys, never runs one key twice at once, and bounds concurrency', async () => {
    const runs: string[] = [];
    let active = 0;
    let maxActive = 0;
    const gates: (() => void)[] = [];
    const queue = new WorkQueue({
      name: 't',
      workers: 2,
      started: true,
      handler: async (key) => {
        runs.push(key);
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((resolve) => gates.push(resolve));
        active--;
      },
    });
    for (const key of ['a', 'a', 'b', 'c', 'a']) queue.add(key);
    await vi.waitFor(() => expect(runs).toEqual(['a', 'b']));
    queue.add('a'); // while running: runs once more afterwards
    gates.shift()!();
    await vi.waitFor(() => expect(runs).toEqual(['a', 'b', 'c']));
    gates.shift()!();
    await vi.waitFor(() => expect(runs).toEqual(['a', 'b', 'c', 'a']));
    while (gates.length) gates.shift()!();
    await vi.waitFor(() => expect(active).toBe(0));
    expect(maxActive).toBe(2);
    await queue.shutdown();
  });

  it('reports failures with their retry delay and resolves flush() after the next run', async () => {
    let calls = 0;
    const errors: [unknown, number | undefined][] = [];
    const queue = new WorkQueue({
      name: 't',
      started: true,
      backoff: { baseMs: 200, maxMs: 30_000 },
      handler: async () => {
        calls++;
        if (calls === 1) throw new Error('conflict');
      },
      onError: (_key, err, delay) => errors.push([err, delay]),
    });
    await queue.flush('k');
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toBe(200);
    await vi.waitFor(() => expect(calls).toBe(2));
    await queue.shutdown();
  });

  it('does not retry a PermanentError, wrapped or not, and a later add runs the key again', async () => {
    vi.useFakeTimers();
    try {
      const runs: string[] = [];
      const errors: [string, number | undefined][] = [];
      const queue = new WorkQueue({
        name: 't',
        started: true,
        handler: async (key) => {
          runs.push(key);
          if (key === 'plain') throw new PermanentError('bad spec');
          if (key === 'wrapped') throw new Error('outer', { cause: new PermanentError('inner') });
        },
        onError: (key, _err, delay) => errors.push([key, delay]),
      });
      await queue.flush('plain');
      await queue.flush('wrapped');
      expect(errors).toEqual([
        ['plain', undefined],
        ['wrapped', undefined],
      ]);
      // No retry is scheduled; an explicit add runs the key again.
      expect(vi.getTimerCount()).toBe(0);
      await queue.flush('plain');
      expect(runs).toEqual(['plain', 'wrapped', 'plain']);
      await queue.shutdown();
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs a permanent failure as not retried', async () => {
    const lines: string[] = [];
    const queue = new WorkQueue({
      name: 'q',
      started: true,
      handler: async () => {
        throw new PermanentError('no such thing');
      },
      log: (line) => lines.push(line),
    });
    await queue.flush('ns/a');
    expect(lines).toEqual(['q ns/a: no such thing (not retried)']);
    await queue.shutdown();
  });
});
