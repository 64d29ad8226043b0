/**
 * The gateway's view of the world: which host goes to which revisions, each revision's data-plane
 * settings, and its ready instances. Informer handlers write it in production; tests write it
 * directly. It is the same object either way.
 */
import { EventEmitter } from 'node:events';

/** Data-plane settings of one revision (from the Revision object). */
export interface RevisionTarget {
  namespace: string;
  name: string;
  service?: string;
  configuration?: string;
  /** 0 = unlimited. */
  containerConcurrency: number;
  timeoutSeconds: number;
  responseStartTimeoutSeconds?: number;
  idleTimeoutSeconds?: number;
  /** `h2c` when the container port is named h2c: the gateway speaks cleartext HTTP/2 to it. */
  protocol: 'http1' | 'h2c';
  /** CPU requested by the first container, in millicores (HPA utilization is relative to it). */
  cpuRequestMillis?: number;
  annotations: Record<string, string>;
}

/** One ready process serving a revision. */
export interface Instance {
  /** `ip:port`, stable for the life of the process. */
  id: string;
  ip: string;
  port: number;
  /** The Pod behind it, when the Endpoints address names one. */
  pod?: string;
}

/** A revision and its share of a host's traffic. */
export interface Split {
  revision: string;
  percent: number;
}

/** Where one host name sends its requests. */
export interface HostRoute {
  namespace: string;
  route: string;
  splits: Split[];
  /** DomainMapping: the Host sent to the app (the route's cluster-local name); K-Original-Host keeps the mapped one. */
  rewriteHost?: string;
  /** Tag-header routing: `Knative-Serving-Tag: <tag>` picks that tag's route instead. */
  byTag?: Record<string, HostRoute>;
  /** KIngress `httpOption: Redirected` on an external host: plain HTTP gets 301 to https. */
  httpsRedirect?: boolean;
}

/** Default revision timeout (config-defaults revision-timeout-seconds). */
export const DEFAULT_TIMEOUT_SECONDS = 300;

/** `namespace/name`. */
export function revisionKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Lower-cases a Host header and drops its port (`Hello.Default.localhost:8080` → `hello.default.localhost`). */
export function normalizeHost(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** Mutable routing state shared by the gateway, the metrics collector and the autoscaler. */
export class GatewayState extends EventEmitter {
  private hosts = new Map<string, HostRoute>();
  private readonly revisions = new Map<string, RevisionTarget>();
  private readonly instances = new Map<string, Instance[]>();
  /** Frozen instances per revision (listed not ready; a request can wait in their backlog). */
  private readonly frozen = new Map<string, Instance[]>();
  /** Revisions some Route sends traffic to (affects min-scale and scale-down in the autoscaler). */
  private reachable = new Set<string>();
  /** Revision → instance id → time until which it is left out after refusing a connection. */
  private readonly quarantined = new Map<string, Map<string, number>>();

  constructor() {
    super();
    // Many buffered requests may wait on one revision at once.
    this.setMaxListeners(0);
  }

  /** Replaces the whole host table (hosts are normalised: lower case, no port). */
  setHosts(table: Map<string, HostRoute>): void {
    this.hosts = new Map([...table].map(([host, route]) => [normalizeHost(host), route]));
  }

  /** Adds or replaces one host entry. */
  setHost(host: string, route: HostRoute): void {
    this.hosts.set(normalizeHost(host), route);
  }

  /** The routing entry for a Host header, if any. */
  lookupHost(host: string | undefined): HostRoute | undefined {
    return this.hosts.get(normalizeHost(host));
  }

  /** All hosts currently routed (for diagnostics). */
  hostNames(): string[] {
    return [...this.hosts.keys()].sort();
  }

  /** Sets the revisions that some Route references. */
  setReachable(keys: Iterable<string>): void {
    this.reachable = new Set(keys);
  }

  /** Whether a Route references the revision. */
  isReachable(key: string): boolean {
    return this.reachable.has(key);
  }

  /** Adds or replaces a revision's settings. */
  setRevision(rev: RevisionTarget): void {
    this.revisions.set(revisionKey(rev.namespace, rev.name), rev);
    this.emit('revision', revisionKey(rev.namespace, rev.name));
  }

  /** Forgets a revision. */
  deleteRevision(key: string): void {
    this.revisions.delete(key);
    this.emit('revision', key);
  }

  /** A revision's settings, if known. */
  getRevision(key: string): RevisionTarget | undefined {
    return this.revisions.get(key);
  }

  /** All known revisions. */
  listRevisions(): RevisionTarget[] {
    return [...this.revisions.values()];
  }

  /** Replaces a revision's ready (and frozen) instances and wakes everything waiting on them. */
  setInstances(key: string, list: Instance[], frozen: Instance[] = []): void {
    const before = this.snapshot(key);
    if (list.length === 0) this.instances.delete(key);
    else this.instances.set(key, list);
    if (frozen.length === 0) this.frozen.delete(key);
    else this.frozen.set(key, frozen);
    this.emitIfChanged(key, before);
  }

  /** A revision's ready instances (empty when scaled to zero or starting), minus quarantined ones. */
  readyInstances(key: string): Instance[] {
    return this.withoutQuarantined(key, this.instances.get(key));
  }

  /**
   * A revision's frozen instances (scaled to zero, process stopped, socket open), minus
   * quarantined ones: a request sent to one waits in its backlog until the runtime thaws it.
   */
  frozenInstances(key: string): Instance[] {
    return this.withoutQuarantined(key, this.frozen.get(key));
  }

  /** Where requests can be sent: the ready instances, or the frozen ones when none is ready. */
  routableInstances(key: string): Instance[] {
    const ready = this.readyInstances(key);
    return ready.length > 0 ? ready : this.frozenInstances(key);
  }

  private withoutQuarantined(key: string, list: Instance[] = []): Instance[] {
    const held = this.quarantined.get(key);
    if (!held || held.size === 0) return list;
    const now = Date.now();
    return list.filter((i) => (held.get(i.id) ?? 0) <= now);
  }

  /**
   * Leaves an instance that refused a connection out of `readyInstances` for `ms` (its Endpoints
   * will usually drop it sooner); it comes back by itself if it is still listed then.
   */
  quarantine(key: string, instanceId: string, ms: number): void {
    const before = this.snapshot(key);
    let held = this.quarantined.get(key);
    if (!held) this.quarantined.set(key, (held = new Map()));
    const until = Date.now() + ms;
    held.set(instanceId, until);
    this.emitIfChanged(key, before);
    setTimeout(() => {
      // A later quarantine of the same instance extends it; only the last timer releases it.
      if (held.get(instanceId) !== until) return;
      held.delete(instanceId);
      if (held.size === 0) this.quarantined.delete(key);
      const listed = [...(this.instances.get(key) ?? []), ...(this.frozen.get(key) ?? [])];
      if (listed.some((i) => i.id === instanceId)) this.emit('instances', key, this.readyInstances(key));
    }, ms + 1).unref();
  }

  /** What `emitIfChanged` compares: the ready and the frozen instances. */
  private snapshot(key: string): [Instance[], Instance[]] {
    return [this.readyInstances(key), this.frozenInstances(key)];
  }

  private emitIfChanged(key: string, before: [Instance[], Instance[]]): void {
    const after = this.snapshot(key);
    const same = (a: Instance[], b: Instance[]): boolean =>
      a.length === b.length && a.every((x, i) => x.id === b[i].id);
    if (!same(before[0], after[0]) || !same(before[1], after[1])) this.emit('instances', key, after[0]);
  }

  /**
   * Calls `cb` with the ready instances whenever the revision's ready or frozen instances change;
   * returns the unsubscribe function.
   */
  watchInstances(key: string, cb: (list: Instance[]) => void): () => void {
    const listener = (k: string, list: Instance[]): void => {
      if (k === key) cb(list);
    };
    this.on('instances', listener);
    return () => this.off('instances', listener);
  }
}
