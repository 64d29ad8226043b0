/**
 * A keyed work queue in the style of client-go's rate-limited workqueue: a key is processed by at
 * most one worker at a time, re-adding a key while it is queued is a no-op (dedupe), re-adding it
 * while it is being processed marks it dirty so it runs once more afterwards, failures retry with
 * per-key exponential backoff, and `addAfter` schedules a delayed requeue.
 */

/** Processes one key; throwing requeues it with backoff. Returning `{requeueAfter}` schedules a recheck. */
export type Handler = (key: string) => Promise<{ requeueAfter?: number } | void>;

/** Backoff bounds (ms) for failed keys: 5ms doubling up to 30s, like client-go's item limiter (capped lower). */
export const BACKOFF = { base: 5, max: 30_000 } as const;

/** A deduplicating, rate-limited, concurrent work queue. */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private running = 0;
  private active = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly name: string,
    private readonly handler: Handler,
    private readonly workers = 4,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  /** Enqueues a key now. */
  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Enqueues a key after `ms` (an earlier pending schedule wins). */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref?.();
    this.timers.set(key, { at, timer });
  }

  /** Enqueues a key after its backoff; each call doubles the key's next delay. */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min(BACKOFF.base * 2 ** n, BACKOFF.max);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets a key's backoff after a success. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Starts (or resumes) the workers. Keys added while paused wait. */
  start(): void {
    this.active = true;
    this.pump();
  }

  /** Pauses the workers (keys stay queued), e.g. while not the leader. */
  pause(): void {
    this.active = false;
  }

  /** Stops for good: drops queued keys and waits for in-flight work. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.active = false;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    await this.idle();
  }

  /** Number of keys waiting (not counting delayed ones). */
  get length(): number {
    return this.queue.length;
  }

  /** Resolves when nothing is running. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    while (this.active && this.running < this.workers && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.running++;
      void this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    try {
      const result = await this.handler(key);
      this.forget(key);
      if (result && result.requeueAfter !== undefined) this.addAfter(key, result.requeueAfter);
    } catch (err) {
      const delay = this.stopped ? 0 : this.addRateLimited(key);
      this.log(`${this.name} ${key}: ${(err as Error)?.message ?? err} (retrying in ${delay}ms)`);
    } finally {
      this.processing.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      if (this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
      this.pump();
    }
  }
}
