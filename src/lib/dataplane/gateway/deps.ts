/**
 * What the gateway's handlers share: the routing state, metrics, per-revision throttlers, the
 * autoscaler's poke, connection pools and limits.
 */
import type { ColdStarts } from '../cold-start.js';
import { Agent } from 'node:http';
import { RevisionThrottler } from '../breaker.js';
import type { DataPlaneMetrics } from '../metrics.js';
import type { GatewayState } from '../state.js';
import { H2cSessions } from './h2c.js';

/** Size limits and buffer bounds. */
export interface GatewayLimits {
  /** Largest request body forwarded; bigger ones get 413. */
  maxRequestBodyBytes: number;
  /** Largest request head (request line + headers); bigger ones get 431 from Node. */
  maxHeaderBytes: number;
  /** Requests buffered per revision while it has no ready instance; more get 503. */
  activatorQueueDepth: number;
  /** How long a request whose instance refused the connection waits for another one before 503. */
  retryWaitMs: number;
  /**
   * How long a request sent to a frozen instance waits for it to thaw (its first byte, or its
   * address turning ready) before it is taken back and sent down the cold path.
   */
  thawWaitMs: number;
}

/**
 * Defaults: Knative's activator breaker depth, 64 KiB of headers, 100 MiB bodies, 10 s retry wait,
 * 2 s for a thaw (which takes milliseconds: the /scale write and the runtime's watch).
 */
export const DEFAULT_LIMITS: GatewayLimits = {
  maxRequestBodyBytes: 100 * 1024 * 1024,
  maxHeaderBytes: 64 * 1024,
  activatorQueueDepth: 10_000,
  retryWaitMs: 10_000,
  thawWaitMs: 2000,
};

/** RestClient.dialPod's signature: has the API server's runtime dial a pod's port (waking it). */
export type PodDialer = (namespace: string, pod: string, port: number) => Promise<boolean>;

/** Dependencies of every handler. */
export interface GatewayDeps {
  state: GatewayState;
  metrics: DataPlaneMetrics;
  throttlers: Throttlers;
  /** Tells the autoscaler a request is waiting for a revision with no ready instance. */
  poke(revisionKey: string): void;
  agent: Agent;
  /**
   * Has the API server's runtime dial a frozen instance (the kube layer's dialPod, a port-forward
   * hung up at once), which wakes it; absent: a frozen instance waits for the scale-up to thaw it.
   */
  dialPod?: PodDialer;
  h2c: H2cSessions;
  limits: GatewayLimits;
  /** Requests currently buffered by the activator, per revision. */
  buffered: Map<string, number>;
  /** Per-stage cold start timing (absent in tests that do not measure). */
  coldStarts?: ColdStarts;
  /** The HTTPS port clients reach the gateway at, for redirects (443: none in the URL). */
  httpsRedirectPort: number;
}

/**
 * One RevisionThrottler per revision, kept in step with the state's routable instances (the ready
 * ones, or the frozen ones while none is ready) and settings.
 */
export class Throttlers {
  private readonly byRevision = new Map<string, RevisionThrottler>();
  private readonly onInstances = (key: string): void => {
    this.byRevision.get(key)?.setInstances(this.state.routableInstances(key));
  };
  private readonly onRevision = (key: string): void => {
    this.byRevision.get(key)?.setContainerConcurrency(this.state.getRevision(key)?.containerConcurrency ?? 0);
  };

  constructor(private readonly state: GatewayState) {
    state.on('instances', this.onInstances);
    state.on('revision', this.onRevision);
  }

  /** The revision's throttler, created on first use. */
  get(key: string): RevisionThrottler {
    let t = this.byRevision.get(key);
    if (!t) {
      t = new RevisionThrottler(this.state.getRevision(key)?.containerConcurrency ?? 0);
      t.setInstances(this.state.routableInstances(key));
      this.byRevision.set(key, t);
    }
    return t;
  }

  /** Stops following the state. */
  close(): void {
    this.state.off('instances', this.onInstances);
    this.state.off('revision', this.onRevision);
  }
}

/** Builds the shared dependencies with default pools and limits. */
export function makeGatewayDeps(opts: {
  state: GatewayState;
  metrics: DataPlaneMetrics;
  poke?: (revisionKey: string) => void;
  dialPod?: PodDialer;
  limits?: Partial<GatewayLimits>;
  coldStarts?: ColdStarts;
  httpsRedirectPort?: number;
}): GatewayDeps {
  // Keep-alive to instances; sockets are per instance (host:port) inside the agent.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' });
  dropIdleSocketsOfFrozen(opts.state, agent);
  return {
    state: opts.state,
    metrics: opts.metrics,
    throttlers: new Throttlers(opts.state),
    poke: opts.poke ?? (() => {}),
    agent,
    dialPod: opts.dialPod,
    h2c: new H2cSessions(),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    buffered: new Map(),
    coldStarts: opts.coldStarts,
    httpsRedirectPort: opts.httpsRedirectPort ?? 443,
  };
}

/**
 * A frozen instance's server closes its idle keep-alive connections as soon as it is thawed (its
 * timers ran out meanwhile), possibly just as a request is written on one: the pool's idle sockets
 * to an instance are dropped when it freezes.
 */
function dropIdleSocketsOfFrozen(state: GatewayState, agent: Agent): void {
  state.on('instances', (key: string) => {
    for (const i of state.frozenInstances(key)) {
      for (const socket of agent.freeSockets[agent.getName({ host: i.ip, port: i.port })] ?? [])
        socket.destroy();
    }
  });
}
