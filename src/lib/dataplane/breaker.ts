/**
 * Per-revision load balancer with a breaker per instance (Knative's activator throttler plus
 * queue-proxy breaker, pkg/activator/net/throttler.go and pkg/queue/breaker.go): with
 * containerConcurrency CC > 0 no instance ever has more than CC requests in flight, and up to
 * 10·CC requests per instance wait FIFO for a slot; beyond that a request is refused at once.
 */
import type { Instance } from './state.js';

/** Thrown when the pending-request queue is full (Knative: 503 `pending request queue full`). */
export class QueueFullError extends Error {
  constructor() {
    super('pending request queue full');
    this.name = 'QueueFullError';
  }
}

/** The right to send one request to one instance; release it when the response is finished. */
export interface Lease {
  instance: Instance;
  release(): void;
}

interface Slot {
  instance: Instance;
  inflight: number;
}

interface Waiter {
  resolve(lease: Lease): void;
  reject(err: unknown): void;
  onAbort?: () => void;
  signal?: AbortSignal;
}

/** Queue depth per instance, as a multiple of containerConcurrency (queue-proxy: 10·CC). */
export const QUEUE_DEPTH_FACTOR = 10;

/** Spreads one revision's requests over its ready instances, never exceeding containerConcurrency. */
export class RevisionThrottler {
  private slots = new Map<string, Slot>();
  /** `slots`' values, kept in step (tryLease runs for every request). */
  private slotList: Slot[] = [];
  private readonly queue: Waiter[] = [];
  private next = 0;

  constructor(private containerConcurrency: number) {}

  /** Changes the hard limit (takes effect for new dispatches). */
  setContainerConcurrency(cc: number): void {
    this.containerConcurrency = Math.max(0, cc);
    this.dispatch();
  }

  /** Replaces the instance set, keeping in-flight counts of instances that stay. */
  setInstances(list: Instance[]): void {
    const slots = new Map<string, Slot>();
    for (const instance of list)
      slots.set(instance.id, this.slots.get(instance.id) ?? { instance, inflight: 0 });
    this.slots = slots;
    this.slotList = [...slots.values()];
    this.dispatch();
  }

  /** Requests in flight on each instance (for tests and metrics). */
  inflight(): Map<string, number> {
    return new Map([...this.slots].map(([id, s]) => [id, s.inflight]));
  }

  /** Requests waiting for a slot. */
  queued(): number {
    return this.queue.length;
  }

  /** A slot at once if one is free and nobody is waiting, else undefined (then call `acquire`). */
  tryAcquire(): Lease | undefined {
    return this.queue.length === 0 ? this.tryLease() : undefined;
  }

  /** Waits for a free slot on some instance. Rejects with QueueFullError at once when the queue is
   * full, or with the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<Lease> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const lease = this.queue.length === 0 ? this.tryLease() : undefined;
    if (lease) return Promise.resolve(lease);
    const cc = this.containerConcurrency;
    if (cc > 0 && this.queue.length >= QUEUE_DEPTH_FACTOR * cc * Math.max(1, this.slots.size)) {
      return Promise.reject(new QueueFullError());
    }
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
    });
  }

  /** Least-loaded instance with room, round-robin among equals. */
  private tryLease(): Lease | undefined {
    const slots = this.slotList;
    if (slots.length === 0) return undefined;
    const cc = this.containerConcurrency;
    let best: Slot | undefined;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[(this.next + i) % slots.length];
      if (cc > 0 && s.inflight >= cc) continue;
      if (!best || s.inflight < best.inflight) best = s;
    }
    if (!best) return undefined;
    this.next = (slots.indexOf(best) + 1) % slots.length;
    const slot = best;
    slot.inflight++;
    let released = false;
    return {
      instance: slot.instance,
      release: () => {
        if (released) return;
        released = true;
        slot.inflight--;
        this.dispatch();
      },
    };
  }

  /** Hands free slots to waiters in arrival order. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const lease = this.tryLease();
      if (!lease) return;
      const waiter = this.queue.shift()!;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(lease);
    }
  }
}
