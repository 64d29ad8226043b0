/**
 * A keyed work queue: one run per key at a time, a key enqueued while it runs runs once more
 * afterwards, failures retry with capped exponential backoff, and at most `concurrency` keys run at
 * once (so a thousand Deployments appearing together do not open a thousand API requests). Keys
 * coalesce: enqueueing a key ten times before it runs runs it once. Waiting keys run in FIFO order.
 */

/** Runs `work(key)` for enqueued keys, serialised per key. */
export class KeyedQueue {
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  /** Keys waiting to run, in insertion (FIFO) order. */
  private readonly ready = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly idleWaiters: (() => void)[] = [];
  /** Callers waiting for the next completed run of a key. */
  private readonly flushWaiters = new Map<string, (() => void)[]>();
  private pumping = false;
  private closed = false;

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly onError: (key: string, err: unknown) => void = () => {},
    private readonly concurrency = 16,
  ) {}

  /** Schedules `key` (on the next tick, or after `delayMs`). */
  enqueue(key: string, delayMs = 0): void {
    if (this.closed) return;
    if (delayMs > 0) {
      clearTimeout(this.timers.get(key));
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.enqueue(key);
      }, delayMs);
      timer.unref?.();
      this.timers.set(key, timer);
      return;
    }
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.ready.add(key);
    this.pump();
  }

  /** Enqueues `key` and resolves once a run that started after this call has finished (or failed). */
  flush(key: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.flushWaiters.get(key) ?? [];
      waiters.push(resolve);
      this.flushWaiters.set(key, waiters);
      this.enqueue(key);
    });
  }

  /** Stops accepting work and waits for running work to finish. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.clear();
    for (const waiters of this.flushWaiters.values()) for (const resolve of waiters) resolve();
    this.flushWaiters.clear();
    if (this.running.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  // Starting on the next turn of the event loop lets a burst of enqueues for one key coalesce.
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      for (const key of this.ready) {
        if (this.running.size >= this.concurrency) break;
        if (this.running.has(key)) continue;
        this.ready.delete(key);
        void this.run(key);
      }
    });
  }

  private async run(key: string): Promise<void> {
    if (this.closed) return;
    this.running.add(key);
    const waiters = this.flushWaiters.get(key) ?? [];
    this.flushWaiters.delete(key);
    try {
      await this.work(key);
      this.failures.delete(key);
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.onError(key, err);
      if (!this.closed) this.enqueue(key, Math.min(30_000, 100 * 2 ** Math.min(n, 9)));
    } finally {
      for (const resolve of waiters) resolve();
      this.running.delete(key);
      if (this.dirty.delete(key) && !this.closed) this.ready.add(key);
      if (this.ready.size > 0 && !this.closed) this.pump();
      if (this.running.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
