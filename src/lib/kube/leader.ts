/**
 * Leader election on a coordination.k8s.io/v1 Lease (client-go's leaderelection, simplified): the
 * holder renews every `renewMs`; a candidate takes over once `renewTime + leaseDurationSeconds` has
 * passed; updates are guarded by resourceVersion so two candidates cannot both win.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeObject } from '../apis/types.js';
import { Kinds } from './kinds.js';
import { isAlreadyExists, isConflict, isNotFound } from './errors.js';
import type { RestClient } from './rest.js';

/** The calls an elector makes (RestClient, or a fake in tests). */
type Client = Pick<RestClient, 'get' | 'create' | 'replace'>;

/** A leader-election identity unique to this process: `<hostname>_<random>` (client-go's form). */
export function defaultIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString('hex')}`;
}

/** A coordination.k8s.io/v1 Lease. */
export interface Lease extends KubeObject {
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/** Lease timing (client-go defaults are 15s / 10s / 2s). */
export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewMs?: number;
  retryMs?: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  log?: (msg: string) => void;
}

/** Lease timestamps are MicroTime (RFC 3339 with microseconds). */
const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Runs the election loop until `stop()`. */
export class LeaderElector {
  private leading = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private lastRenew = 0;

  constructor(
    private readonly client: Client,
    private readonly opts: LeaderOptions,
  ) {}

  /** Whether this process currently holds the lease. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts trying to acquire (returns immediately). */
  start(): void {
    void this.tick();
  }

  /** Stops and releases the lease if held. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.leading) {
      this.setLeading(false);
      await this.release().catch((err: Error) => this.opts.log?.(`releasing lease: ${err.message}`));
    }
  }

  private get durationMs(): number {
    return (this.opts.leaseDurationSeconds ?? 15) * 1000;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      const ok = await this.tryAcquireOrRenew();
      if (ok) this.lastRenew = Date.now();
      if (ok && !this.leading) this.setLeading(true);
      // Losing renewals for a whole lease duration means someone else may take over: step down.
      if (!ok && this.leading) this.setLeading(false);
    } catch (err) {
      this.opts.log?.(`leader election: ${(err as Error).message}`);
      if (this.leading && Date.now() - this.lastRenew > this.durationMs * 0.8) this.setLeading(false);
    }
    if (this.stopped) return;
    const next = this.leading ? (this.opts.renewMs ?? 5_000) : (this.opts.retryMs ?? 2_000);
    this.timer = setTimeout(() => void this.tick(), next);
    this.timer.unref?.();
  }

  private setLeading(v: boolean): void {
    if (this.leading === v) return;
    this.leading = v;
    if (v) this.opts.onStartedLeading();
    else this.opts.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const now = new Date();
    let lease: Lease;
    try {
      lease = await this.client.get<Lease>(Kinds.lease, namespace, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.createLease(now);
        return true;
      } catch (e) {
        if (isAlreadyExists(e)) return false;
        throw e;
      }
    }
    const held = lease.spec.holderIdentity;
    const renewed = lease.spec.renewTime ? Date.parse(lease.spec.renewTime) : 0;
    const duration = (lease.spec.leaseDurationSeconds ?? 15) * 1000;
    if (held && held !== identity && renewed + duration > now.getTime()) return false;
    const takingOver = held !== identity;
    const next: Lease = {
      ...lease,
      spec: {
        ...lease.spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 15,
        renewTime: microTime(now),
        acquireTime: takingOver ? microTime(now) : lease.spec.acquireTime,
        leaseTransitions: (lease.spec.leaseTransitions ?? 0) + (takingOver && held ? 1 : 0),
      },
    };
    try {
      await this.client.replace(Kinds.lease, next);
      return true;
    } catch (err) {
      if (isConflict(err)) return false; // someone else wrote first
      throw err;
    }
  }

  private async createLease(now: Date): Promise<void> {
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.opts.name, namespace: this.opts.namespace },
      spec: {
        holderIdentity: this.opts.identity,
        leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 15,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      },
    };
    try {
      await this.client.create(Kinds.lease, lease);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // The system namespace may not exist yet on a fresh cluster.
      await this.client
        .create(Kinds.namespace, {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: this.opts.namespace },
        })
        .catch((e) => {
          if (!isAlreadyExists(e)) throw e;
        });
      await this.client.create(Kinds.lease, lease);
    }
  }

  private async release(): Promise<void> {
    const lease = await this.client.get<Lease>(Kinds.lease, this.opts.namespace, this.opts.name);
    if (lease.spec.holderIdentity !== this.opts.identity) return;
    // client-go's ReleaseOnCancel: clear the holder and shorten the lease so a successor takes over now.
    await this.client.replace(Kinds.lease, {
      ...lease,
      spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(new Date()) },
    });
  }
}
