/**
 * `POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`: authentication.k8s.io/v1
 * TokenRequest, as kube-apiserver's serviceaccount token REST. The service account must exist;
 * `spec.audiences` defaults to the server's audiences, `spec.expirationSeconds` to 3600 (at least
 * 600, at most 2^32); `spec.boundObjectRef` may bind the token to a Pod or Secret of the namespace,
 * whose uid must match when given. The answer carries the signed token and when it expires.
 */
import type { KubeObject } from '../apis/types.js';
import { ApiError, badRequest, invalid, notFound } from './errors.js';
import type { BoundObject, TokenSigner } from './sa-token.js';

const TOKEN_REQUEST = { kind: 'TokenRequest', group: 'authentication.k8s.io' };
const API_VERSION = 'authentication.k8s.io/v1';
const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

type Lookup = (
  resource: 'serviceaccounts' | 'pods' | 'secrets',
  namespace: string,
  name: string,
) => KubeObject | undefined;

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
}

const rfc3339 = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

/** Answers one TokenRequest for service account `name` in `namespace` (the 201 body). */
export function requestToken(
  signer: TokenSigner,
  lookup: Lookup,
  namespace: string,
  name: string,
  body: unknown,
): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the body of the request is not a TokenRequest');
  const obj = body as {
    kind?: string;
    apiVersion?: string;
    metadata?: Record<string, unknown>;
    spec?: TokenRequestSpec;
  };
  if ((obj.kind && obj.kind !== 'TokenRequest') || (obj.apiVersion && obj.apiVersion !== API_VERSION))
    throw badRequest(
      `the body of the request was ${String(obj.apiVersion)}/${String(obj.kind)}, expected ${API_VERSION}/TokenRequest`,
    );
  const spec = obj.spec ?? {};
  const account = lookup('serviceaccounts', namespace, name);
  if (!account) throw notFound({ resource: 'serviceaccounts', group: '' }, name);
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < MIN_EXPIRATION_SECONDS)
    throw invalid(TOKEN_REQUEST, '', [
      {
        field: 'spec.expirationSeconds',
        message: `Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`,
      },
    ]);
  if (expirationSeconds > MAX_EXPIRATION_SECONDS)
    throw invalid(TOKEN_REQUEST, '', [
      {
        field: 'spec.expirationSeconds',
        message: `Invalid value: ${expirationSeconds}: may not specify a duration larger than 2^32 seconds`,
      },
    ]);
  const audiences = spec.audiences?.length ? spec.audiences : signer.audiences;
  let bound: BoundObject | undefined;
  const ref = spec.boundObjectRef;
  if (ref) {
    if (ref.kind !== 'Pod' && ref.kind !== 'Secret')
      throw badRequest(
        `cannot bind token for serviceaccount ${JSON.stringify(name)} to object of kind ${JSON.stringify(`${ref.apiVersion ?? 'v1'}, Kind=${ref.kind ?? ''}`)}`,
      );
    const resource = ref.kind === 'Pod' ? 'pods' : 'secrets';
    const target = lookup(resource, namespace, ref.name ?? '');
    if (!target) throw notFound({ resource, group: '' }, ref.name ?? '');
    if (ref.uid && ref.uid !== target.metadata.uid)
      throw new ApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resource} "${ref.name}": the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
        { name: ref.name, kind: resource },
      );
    bound = { kind: ref.kind, name: ref.name!, uid: target.metadata.uid! };
  }
  const issuedAt = signer.now();
  const expiresAt = issuedAt + expirationSeconds;
  const token = signer.issue({
    namespace,
    serviceAccount: { name, uid: account.metadata.uid! },
    bound,
    audiences,
    issuedAt,
    expiresAt,
  });
  const outSpec: Record<string, unknown> = { audiences, expirationSeconds };
  outSpec.boundObjectRef = bound
    ? { kind: bound.kind, apiVersion: 'v1', name: bound.name, uid: bound.uid }
    : null;
  return {
    kind: 'TokenRequest',
    apiVersion: API_VERSION,
    metadata: { ...(obj.metadata ?? {}), name, namespace, creationTimestamp: rfc3339(issuedAt) },
    spec: outSpec,
    status: { token, expirationTimestamp: rfc3339(expiresAt) },
  };
}
