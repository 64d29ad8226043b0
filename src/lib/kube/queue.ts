/**
 * The one keyed work queue, in the style of client-go's rate-limited workqueue: a key is processed
 * by at most one worker at a time; re-adding a key while it waits is a no-op (keys coalesce);
 * re-adding it while it is being processed marks it dirty so it runs once more afterwards; failures
 * requeue with per-key exponential backoff, except a PermanentError (knative/pkg's
 * `controller.NewPermanentError`), which is logged and not retried; `addAfter` schedules a delayed
 * requeue and `flush` waits for the next run of a key. Waiting keys run in FIFO order, at most
 * `workers` at once.
 */

/**
 * A failure retrying cannot fix: the key is not requeued (its backoff is reset) and comes back
 * with the next event about it. Wrapping one (as an Error `cause`) keeps it permanent.
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** Whether `err`, or an error it wraps through `cause`, is a PermanentError. */
export function isPermanentError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof PermanentError) return true;
  }
  return false;
}

/**
 * Processes one key; throwing requeues it with backoff (a PermanentError: not at all). Returning
 * `{requeueAfter}` schedules a recheck.
 */
export type Handler = (key: string) => Promise<{ requeueAfter?: number } | void>;

/** Default backoff bounds (ms) for failed keys: 5 ms doubling up to 30 s (client-go's item limiter, capped lower). */
export const BACKOFF = { baseMs: 5, maxMs: 30_000 } as const;

/** Options of a WorkQueue. */
export interface WorkQueueOptions {
  /** Name used in log lines. */
  name: string;
  handler: Handler;
  /** Keys processed at once (default 4). */
  workers?: number;
  /** Backoff of failed keys: `baseMs` doubling per consecutive failure up to `maxMs`. */
  backoff?: { baseMs: number; maxMs: number };
  /** Start processing at once (default false: call `start()`, e.g. once leading). */
  started?: boolean;
  /**
   * Called for every failed run with the delay of its retry (undefined for a PermanentError: no
   * retry); default: one line to `log`.
   */
  onError?: (key: string, err: unknown, retryInMs: number | undefined) => void;
  log?: (msg: string) => void;
}

/** A deduplicating, rate-limited, concurrent work queue. */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** Callers waiting for the next completed run of a key. */
  private readonly flushWaiters = new Map<string, (() => void)[]>();
  private idleWaiters: (() => void)[] = [];
  private running = 0;
  private active: boolean;
  private stopped = false;
  private readonly workers: number;
  private readonly backoff: { baseMs: number; maxMs: number };

  constructor(private readonly opts: WorkQueueOptions) {
    this.workers = opts.workers ?? 4;
    this.backoff = opts.backoff ?? BACKOFF;
    this.active = opts.started ?? false;
  }

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

  /** Enqueues a key after its backoff; each call doubles the key's next delay. Returns the delay. */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min(this.backoff.baseMs * 2 ** Math.min(n, 30), this.backoff.maxMs);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets a key's backoff after a success. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Enqueues `key` and resolves once a run that started after this call has finished (or failed). */
  flush(key: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.flushWaiters.get(key) ?? [];
      waiters.push(resolve);
      this.flushWaiters.set(key, waiters);
      this.add(key);
    });
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

  /** Stops for good: drops queued and delayed keys and waits for in-flight work. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.active = false;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    for (const waiters of this.flushWaiters.values()) for (const resolve of waiters) resolve();
    this.flushWaiters.clear();
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
    const waiters = this.flushWaiters.get(key) ?? [];
    this.flushWaiters.delete(key);
    try {
      const result = await this.opts.handler(key);
      this.forget(key);
      if (result && result.requeueAfter !== undefined) this.addAfter(key, result.requeueAfter);
    } catch (err) {
      const permanent = isPermanentError(err);
      if (permanent) this.forget(key);
      const delay = permanent || this.stopped ? undefined : this.addRateLimited(key);
      if (this.opts.onError) this.opts.onError(key, err, delay);
      else
        this.opts.log?.(
          `${this.opts.name} ${key}: ${(err as Error)?.message ?? err} (${delay === undefined ? 'not retried' : `retrying in ${delay}ms`})`,
        );
    } finally {
      for (const resolve of waiters) resolve();
      this.processing.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      if (this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
      this.pump();
    }
  }
}
