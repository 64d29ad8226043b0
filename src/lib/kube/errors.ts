/**
 * The one error type of the Kubernetes access layer: an HTTP error answer from the API server with
 * its decoded metav1.Status, plus the three predicates every component asks about it. Kubeconfig
 * problems have their own small error so callers can name the fix without parsing messages.
 */
import type { StatusError } from '../apis/types.js';

/** An HTTP error response from the API server, carrying the decoded metav1.Status when there is one. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly status: Partial<StatusError> | undefined,
    readonly method = '',
    readonly path = '',
  ) {
    super(status?.message || `${method} ${path} failed with HTTP ${statusCode}`);
    this.name = 'ApiError';
  }

  /** metav1.Status reason (NotFound, AlreadyExists, Conflict, Invalid, ...), or ''. */
  get reason(): string {
    return this.status?.reason ?? '';
  }
}

/**
 * Whether an error is a 404 for a named object — not a 404 for a resource type the server does not
 * serve (whose Status names no object, or which is not a Status at all).
 */
export function isNotFound(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    err.statusCode === 404 &&
    err.reason === 'NotFound' &&
    !!err.status?.details?.name
  );
}

/** Whether an error is a 409 optimistic-concurrency conflict (stale resourceVersion). */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.statusCode === 409 && err.reason !== 'AlreadyExists';
}

/** Whether an error is a 409 AlreadyExists on create. */
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiError && err.statusCode === 409 && err.reason === 'AlreadyExists';
}

/** A kubeconfig that cannot be used: missing (`NoKubeconfig`) or unreadable/incomplete (`KubeconfigInvalid`). */
export class KubeconfigError extends Error {
  constructor(
    message: string,
    override readonly name: 'NoKubeconfig' | 'KubeconfigInvalid' = 'KubeconfigInvalid',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
