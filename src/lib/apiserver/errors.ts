/**
 * API errors as Kubernetes reports them: every handler throws an ApiError (or anything else), and
 * one wrapper, `toStatus`, turns it into a `metav1.Status` with the reason, code and message
 * phrased exactly like kube-apiserver does.
 */
import type { ResourceType } from './types.js';
import { AdmissionError } from './types.js';

/** One field-level cause inside a Status' details. */
export interface StatusCause {
  field?: string;
  message: string;
  reason?: string;
}

/** metav1.Status (failure shape). */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: StatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** An error with an HTTP code and a Kubernetes reason. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Status['details'],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** `services.serving.knative.dev` or `configmaps`: the qualified resource name k8s puts in messages. */
export function qualifiedResource(type: Pick<ResourceType, 'resource' | 'group'>): string {
  return type.group ? `${type.resource}.${type.group}` : type.resource;
}

/** `Service.serving.knative.dev` or `ConfigMap`: the qualified kind k8s puts in Invalid messages. */
export function qualifiedKind(type: Pick<ResourceType, 'kind' | 'group'>): string {
  return type.group ? `${type.kind}.${type.group}` : type.kind;
}

function details(type: Pick<ResourceType, 'resource' | 'group'>, name: string): Status['details'] {
  return { name, group: type.group || undefined, kind: type.resource };
}

/** 404 `configmaps "x" not found`. */
export function notFound(type: Pick<ResourceType, 'resource' | 'group'>, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, details(type, name));
}

/** 404 for paths that name no resource. */
export function resourceNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** 409 `configmaps "x" already exists`. */
export function alreadyExists(type: Pick<ResourceType, 'resource' | 'group'>, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedResource(type)} "${name}" already exists`,
    details(type, name),
  );
}

/** 409 Conflict on a stale resourceVersion. */
export function conflict(
  type: Pick<ResourceType, 'resource' | 'group'>,
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${why}`,
    details(type, name),
  );
}

/** apimachinery's field.Required: `Required value` (with a detail after a colon). */
export function requiredCause(field: string, detail = ''): StatusCause {
  return {
    field,
    reason: 'FieldValueRequired',
    message: detail ? `Required value: ${detail}` : 'Required value',
  };
}

/** apimachinery's field.NotSupported: the value and the supported ones, quoted. */
export function notSupportedCause(
  field: string,
  value: string | undefined,
  supported: string[],
): StatusCause {
  return {
    field,
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${JSON.stringify(value ?? '')}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
  };
}

/** Formats one Invalid cause the way field.Error.Error() does. */
export function formatCause(c: StatusCause): string {
  return c.field ? `${c.field}: ${c.message}` : c.message;
}

/** 422 `Service.serving.knative.dev "x" is invalid: spec.foo: Required value`. */
export function invalid(
  type: Pick<ResourceType, 'kind' | 'group'>,
  name: string,
  causes: StatusCause[],
): ApiError {
  const list = causes.map(formatCause);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind(type)} "${name}" is invalid: ${summary}`, {
    name,
    group: type.group || undefined,
    kind: type.kind || undefined,
    causes: causes.map((c) => ({
      reason: c.reason ?? 'FieldValueInvalid',
      message: c.message,
      field: c.field,
    })),
  });
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** 403 Forbidden. */
export function forbidden(
  type: Pick<ResourceType, 'resource' | 'group'>,
  name: string,
  why: string,
): ApiError {
  return new ApiError(
    403,
    'Forbidden',
    `${qualifiedResource(type)} "${name}" is forbidden: ${why}`,
    details(type, name),
  );
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

/** 401 Unauthorized. */
export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/** 413 RequestEntityTooLarge. */
export function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** Builds a Status object. */
export function makeStatus(code: number, reason: string, message: string, d?: Status['details']): Status {
  const s: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (d) s.details = d;
  return s;
}

/** Turns anything thrown by a handler into a metav1.Status (unknown errors become 500 InternalError). */
export function toStatus(err: unknown): Status {
  if (err instanceof ApiError) return makeStatus(err.code, err.reason, err.message, err.details);
  if (err instanceof AdmissionError) {
    const causes = err.causes.length ? err.causes : undefined;
    return makeStatus(err.code, err.reason, err.message, causes ? { causes } : undefined);
  }
  const message = err instanceof Error ? err.message : String(err);
  return makeStatus(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}
