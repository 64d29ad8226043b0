/**
 * knlite's user-facing errors and the one translator that turns API, network and TLS failures into
 * them (kn `pkg/errors/factory.go`). Every message names what went wrong and, where there is one, the
 * fix; exit codes are part of the tested contract (docs/conventions.md).
 */
import { ApiError, KubeconfigError } from '../kube/errors.js';

/** Process exit codes: 1 = user error or failed readiness, 2 = usage error (bad flags/args). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
} as const;

/** Stable error names (tested; scripts may rely on them through `-o json` of errors later). */
export type KnErrorName =
  | 'UsageError'
  | 'InvalidValue'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Unreachable'
  | 'Unauthorized'
  | 'Forbidden'
  | 'ServingNotInstalled'
  | 'AdmissionDenied'
  | 'NoKubeconfig'
  | 'KubeconfigInvalid'
  | 'TlsError'
  | 'Timeout'
  | 'NotReady'
  | 'FileError'
  | 'ApiError';

/** An error meant for the user: one clear sentence, an exit code, a stable name; never a stack trace. */
export class KnError extends Error {
  readonly exitCode: number;
  override readonly name: KnErrorName;

  constructor(message: string, opts: { exitCode?: number; name?: KnErrorName; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.exitCode = opts.exitCode ?? ExitCode.failure;
    this.name = opts.name ?? 'InvalidValue';
  }
}

/** A usage mistake (exit 2): bad flag combination, missing argument, unknown flag. */
export function usageError(message: string): KnError {
  return new KnError(message, { exitCode: ExitCode.usage, name: 'UsageError' });
}

/** A bad flag or file value (exit 1, nothing written). */
export function invalidValue(message: string): KnError {
  return new KnError(message, { exitCode: ExitCode.failure, name: 'InvalidValue' });
}

/** What the translator needs to know to name the problem precisely. */
export interface ErrorContext {
  /** Lower-case kind as users say it: 'service', 'revision', 'route', 'domain mapping'. */
  kind?: string;
  name?: string;
  namespace?: string;
  /** API server URL of the current context. */
  server?: string;
  /** kubeconfig context name. */
  context?: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** Turns any error into a KnError with one sentence that names the problem and the fix. */
export function toKnError(err: unknown, ctx: ErrorContext = {}): KnError {
  if (err instanceof KnError) return err;
  if (err instanceof KubeconfigError) return new KnError(err.message, { name: err.name, cause: err });
  const where = ctx.namespace ? ` in namespace '${ctx.namespace}'` : '';
  const kind = ctx.kind ?? 'object';
  const server = ctx.server ?? 'the configured server';

  if (err instanceof ApiError) {
    const s = err.status;
    switch (err.statusCode) {
      case 401:
        return new KnError(
          `the API server rejected the credentials (expired token?) for context '${ctx.context ?? 'current'}' at ${server}`,
          { name: 'Unauthorized', cause: err },
        );
      case 403:
        return new KnError(
          `the API server denied access${ctx.context ? ` for context '${ctx.context}'` : ''}: ${s?.message ?? 'forbidden'}`,
          {
            name: 'Forbidden',
            cause: err,
          },
        );
      case 404: {
        const name = s?.details?.name ?? ctx.name;
        if (s?.reason === 'NotFound' && s.details?.name) {
          return new KnError(`${kind} '${name}' not found${where}`, { name: 'NotFound', cause: err });
        }
        // A 404 without an object name means the resource type itself is not served.
        if (/serving\.knative\.dev/.test(err.path)) {
          return new KnError(
            `the cluster at ${server} does not serve serving.knative.dev/v1: install Knative Serving or run \`knlite reconciler manifests | kubectl apply -f -\``,
            { name: 'ServingNotInstalled', cause: err },
          );
        }
        return new KnError(ctx.name ? `${kind} '${ctx.name}' not found${where}` : `not found: ${err.path}`, {
          name: 'NotFound',
          cause: err,
        });
      }
      case 409:
        if (s?.reason === 'AlreadyExists') {
          return new KnError(`${kind} '${s.details?.name ?? ctx.name}' already exists${where}`, {
            name: 'AlreadyExists',
            cause: err,
          });
        }
        return new KnError(`${kind} '${ctx.name}' was changed by someone else${where}; retry the command`, {
          name: 'Conflict',
          cause: err,
        });
      case 400:
      case 422:
        // Admission webhooks' messages are already written for users (Knative's validation text).
        return new KnError(s?.message ?? err.message, { name: 'AdmissionDenied', cause: err });
      default:
        return new KnError(
          `the API server at ${server} answered HTTP ${err.statusCode}: ${s?.message ?? err.message}`,
          {
            name: 'ApiError',
            cause: err,
          },
        );
    }
  }

  const code = (err as { code?: string } | undefined)?.code;
  if (code && NETWORK_CODES.has(code)) {
    return new KnError(
      `cannot reach the Kubernetes API at ${server}: is the cluster running? (knlite cluster start)`,
      {
        name: 'Unreachable',
        cause: err,
      },
    );
  }
  if (code && TLS_CODES.has(code)) {
    return new KnError(
      `cannot verify the TLS certificate of ${server} (${code}): check certificate-authority in the kubeconfig for context '${ctx.context ?? 'current'}'`,
      { name: 'TlsError', cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new KnError(message, { name: 'ApiError', cause: err });
}
