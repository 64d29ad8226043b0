/**
 * Expiry of core v1 Events, like kube-apiserver's `--event-ttl` (default one hour): each write of
 * an Event restarts its time to live, and an Event not written again within it is deleted (watchers
 * see DELETED), the way etcd drops a key whose lease runs out. Events stored before a restart count
 * from their newest timestamp (lastTimestamp, eventTime, series.lastObservedTime, creation).
 */
import type { KubeObject } from '../apis/types.js';
import type { Store, StoreEvent } from './store.js';

/** kube-apiserver's default `--event-ttl`. */
export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;

type EventObject = KubeObject & {
  lastTimestamp?: string;
  eventTime?: string;
  series?: { lastObservedTime?: string };
};

/** The newest time an Event says it was written at, in ms (0 if it carries none). */
function lastWritten(e: EventObject): number {
  const times = [e.lastTimestamp, e.eventTime, e.series?.lastObservedTime, e.metadata.creationTimestamp]
    .map((t) => (t ? Date.parse(t) : NaN))
    .filter((t) => Number.isFinite(t));
  return times.length ? Math.max(...times) : 0;
}

const key = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Deletes Events whose time to live has run out; `stop()` ends it. */
export class EventExpiry {
  /** namespace/name → expiry time (ms since the epoch). */
  private readonly expiries = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private next = Infinity;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    private readonly ttlMs = DEFAULT_EVENT_TTL_MS,
  ) {
    const now = Date.now();
    for (const row of store.list('', 'events', undefined)) {
      const written = Math.min(lastWritten(JSON.parse(row.data) as EventObject) || now, now);
      this.expiries.set(key(row.namespace, row.name), written + ttlMs);
    }
    this.unsubscribe = store.subscribe((events) => this.observe(events));
    this.schedule();
  }

  private observe(events: StoreEvent[]): void {
    const now = Date.now();
    for (const e of events) {
      if (e.grp !== '' || e.resource !== 'events') continue;
      const k = key(e.namespace, e.name);
      if (e.type === 'DELETED') this.expiries.delete(k);
      else this.expiries.set(k, now + this.ttlMs);
    }
    this.schedule();
  }

  /** Arms one timer for the earliest expiry. */
  private schedule(): void {
    let earliest = Infinity;
    for (const t of this.expiries.values()) if (t < earliest) earliest = t;
    if (earliest === Infinity || (this.timer && earliest >= this.next)) return;
    if (this.timer) clearTimeout(this.timer);
    this.next = earliest;
    this.timer = setTimeout(() => this.sweep(), Math.max(0, earliest - Date.now()));
    this.timer.unref();
  }

  /** Deletes every Event past its expiry, then re-arms. */
  sweep(): void {
    this.timer = undefined;
    this.next = Infinity;
    const now = Date.now();
    for (const [k, at] of [...this.expiries]) {
      if (at > now) continue;
      this.expiries.delete(k);
      const slash = k.indexOf('/');
      const obj = this.store.get('', 'events', k.slice(0, slash), k.slice(slash + 1));
      if (obj) this.store.delete('', 'events', obj);
    }
    this.schedule();
  }

  /** Stops expiring (server shutdown). */
  stop(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
