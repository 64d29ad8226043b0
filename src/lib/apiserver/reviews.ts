/**
 * The self-review APIs `kubectl auth can-i`, `auth can-i --list` and `auth whoami` call:
 * authorization.k8s.io/v1 SelfSubjectAccessReview and SelfSubjectRulesReview, and
 * authentication.k8s.io/v1 SelfSubjectReview. They are create-only and never stored; the answer
 * is computed from the caller by the same authorizer that guards every request (rbac.ts), so
 * `kubectl auth can-i --token T` tells the truth about what T may do.
 */
import { badRequest } from './errors.js';
import type { Authorizer, RequestAttributes } from './rbac.js';
import type { ResourceType, UserInfo } from './types.js';

function review(group: string, resource: string, kind: string): ResourceType {
  return {
    group,
    version: 'v1',
    resource,
    kind,
    listKind: `${kind}List`,
    singular: kind.toLowerCase(),
    namespaced: false,
    verbs: ['create'],
    subresources: {},
  };
}

/** The review resources, for discovery (they are served here, not through the registry). */
export const REVIEW_TYPES: ResourceType[] = [
  review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
];

/** The review type a path names (`/apis/<group>/v1/<resource>`), if any. */
export function reviewAt(path: string): ResourceType | undefined {
  const m = path.match(/^\/apis\/([^/]+)\/([^/]+)\/([^/]+)$/);
  if (!m) return undefined;
  return REVIEW_TYPES.find((t) => t.group === m[1] && t.version === m[2] && t.resource === m[3]);
}

/**
 * Answers one review: the request object with its `status` filled in (and the kind checked, like
 * kube-apiserver's decoder does).
 */
export function answerReview(
  type: ResourceType,
  body: unknown,
  user: UserInfo,
  authorizer: Authorizer,
): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest(`the body of the request is not a ${type.kind}`);
  const obj = body as Record<string, unknown>;
  const apiVersion = `${type.group}/${type.version}`;
  if ((obj.kind && obj.kind !== type.kind) || (obj.apiVersion && obj.apiVersion !== apiVersion))
    throw badRequest(
      `the body of the request was ${String(obj.apiVersion)}/${String(obj.kind)}, expected ${apiVersion}/${type.kind}`,
    );
  const meta = (obj.metadata as Record<string, unknown> | undefined) ?? {};
  const out: Record<string, unknown> = {
    kind: type.kind,
    apiVersion,
    metadata: { ...meta, creationTimestamp: null },
  };
  switch (type.kind) {
    case 'SelfSubjectAccessReview': {
      const spec = (obj.spec as Record<string, unknown> | undefined) ?? {};
      if (!spec.resourceAttributes === !spec.nonResourceAttributes)
        throw badRequest(
          'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
        );
      out.spec = spec;
      const decision = authorizer.authorize(accessAttributes(spec, user));
      out.status = decision.reason
        ? { allowed: decision.allowed, reason: decision.reason }
        : { allowed: decision.allowed };
      break;
    }
    case 'SelfSubjectRulesReview': {
      const spec = (obj.spec as { namespace?: string } | undefined) ?? {};
      out.spec = spec;
      out.status = { ...authorizer.rulesFor(user, spec.namespace ?? ''), incomplete: false };
      break;
    }
    default: {
      const info: Record<string, unknown> = { username: user.username };
      if (user.uid) info.uid = user.uid;
      info.groups = user.groups;
      if (user.extra) info.extra = user.extra;
      out.status = { userInfo: info };
    }
  }
  return out;
}

function accessAttributes(spec: Record<string, unknown>, user: UserInfo): RequestAttributes {
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const r = spec.resourceAttributes as Record<string, unknown> | undefined;
  if (r)
    return {
      user,
      verb: str(r.verb),
      resourceRequest: true,
      path: '',
      apiGroup: str(r.group),
      resource: str(r.resource),
      subresource: str(r.subresource),
      namespace: str(r.namespace),
      name: str(r.name),
    };
  const n = (spec.nonResourceAttributes ?? {}) as Record<string, unknown>;
  return {
    user,
    verb: str(n.verb),
    resourceRequest: false,
    path: str(n.path),
    apiGroup: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
  };
}
