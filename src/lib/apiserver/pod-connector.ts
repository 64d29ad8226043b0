/**
 * The seam between the API server and whatever runs pods (kube-apiserver's connection to the
 * kubelet): `pods/log`, `pods/exec` and `pods/proxy` are answered by a PodConnector the
 * embedding stack plugs in. The local runtime implements it; the API server knows nothing of how.
 * Each call either opens what was asked for or says, in kube's words, why the pod cannot serve it
 * (the server answers that as 400 BadRequest, as kube-apiserver relays the kubelet's refusals).
 */
import type { ChildProcess } from 'node:child_process';
import type { Duplex, Writable } from 'node:stream';

/** Which pod and container a request is about (the pod's uid guards against a same-named successor). */
export interface PodTarget {
  namespace: string;
  pod: string;
  uid?: string;
  container: string;
}

/** PodLogOptions as the kubelet receives them. */
export interface PodLogRequest extends PodTarget {
  previous: boolean;
  follow: boolean;
  timestamps: boolean;
  tailLines?: number;
  /** Lines written at or after this time only (ms since the epoch). */
  sinceMs?: number;
  limitBytes?: number;
}

/** A readable log: `pipe` writes it to `out` and resolves when done (or when `signal` aborts). */
export interface PodLog {
  pipe(out: Writable, signal: AbortSignal): Promise<void>;
}

/** What the pod cannot do, phrased for the user. */
export interface PodUnavailable {
  unavailable: string;
}

/** An exec request: the command (never through a shell) and which streams are wanted. */
export interface PodExecRequest extends PodTarget {
  command: string[];
  stdin: boolean;
  tty: boolean;
}

/** The runner of a cluster's pods, as the API server sees it. */
export interface PodConnector {
  openLog(req: PodLogRequest): PodLog | PodUnavailable;
  /** Starts `command` in the container's environment; stdio pipes as requested. */
  exec(req: PodExecRequest): ChildProcess | PodUnavailable;
  /** Opens a TCP connection to `port` of the pod (`pods/proxy`); a frozen pod is woken by it. */
  dial(target: Omit<PodTarget, 'container'>, port: number): Promise<Duplex | PodUnavailable>;
}

/** Whether a connector answer is a refusal. */
export function isUnavailable(x: unknown): x is PodUnavailable {
  return typeof x === 'object' && x !== null && typeof (x as PodUnavailable).unavailable === 'string';
}
