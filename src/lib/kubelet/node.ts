/**
 * What the runtime's three controllers share (runtime.ts: Deployments → pods; pod-status.ts: Pod
 * objects and their status; endpoints.ts: Endpoints per Service): the replicas running on this
 * node, the Services seen, and the write-queue settings every controller uses.
 */
import type { KubeObject, KubeService, Pod } from '../apis/types.js';
import { ApiError } from '../kube/errors.js';
import { WorkQueue } from '../kube/queue.js';
import type { PodRunner } from './pod.js';
import type { PodVolumes } from './volumes.js';

/** One pod of a Deployment, as this node runs it. */
export interface Replica {
  proc: PodRunner;
  /** `namespace/name` of its Deployment. */
  deploymentKey: string;
  hash: string;
  pod: Pod;
  created: boolean;
  volumes?: PodVolumes;
  /** JSON of the last pod status written. */
  writtenStatus?: string;
  deleting: boolean;
  /** Being frozen: out of the Endpoints before its processes stop. */
  freezing?: boolean;
  /** Stops a frozen instance for good when its retention ends. */
  frozenTimer?: NodeJS.Timeout;
  /** When it was last thawed (its status writes are held back briefly after that). */
  thawedAt?: number;
  /**
   * Thawed by a connection (dial) rather than a scale-up: the connections still open, and until
   * when it is held awake after the last one closed (see the runtime's dial). Cleared once
   * replicas count it.
   */
  woken?: { connections: number; until: number };
}

/** A core/v1 Secret (only what the runtime reads). */
export interface Secret extends KubeObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** The node's state, shared by its controllers. */
export interface NodeState {
  /** Every replica by pod key (`namespace/pod`), including ones being stopped. */
  readonly replicas: Map<string, Replica>;
  /** Core Services by `namespace/name` (their selectors pick the Endpoints' pods). */
  readonly services: Map<string, KubeService>;
  /** Set once the runtime stops: no more writes start. */
  stopping: boolean;
  readonly log: (message: string) => void;
}

/** Crash-style retry for failed writes: 200 ms doubling up to 30 s. */
const WRITE_BACKOFF = { baseMs: 200, maxMs: 30_000 };
/** Writes in flight at once per queue (a thousand Deployments appearing together stay bounded). */
const WRITE_CONCURRENCY = 16;

/** A controller's work queue: bounded concurrency, retried with backoff, failures logged. */
export function writeQueue(
  node: NodeState,
  name: string,
  what: string,
  handler: (key: string) => Promise<void>,
): WorkQueue {
  return new WorkQueue({
    name,
    handler,
    workers: WRITE_CONCURRENCY,
    backoff: WRITE_BACKOFF,
    started: true,
    onError: (key, err) => node.log(`${what} ${key}: ${(err as Error)?.message ?? String(err)} (will retry)`),
  });
}

/** 409 Conflict or AlreadyExists: someone else wrote first. */
export const is409 = (err: unknown): boolean => err instanceof ApiError && err.statusCode === 409;

/** `promise`, or a rejection after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]);
}
