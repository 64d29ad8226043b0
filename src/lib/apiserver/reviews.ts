/**
 * The self-review APIs `kubectl auth can-i`, `auth can-i --list` and `auth whoami` call:
 * authorization.k8s.io/v1 SelfSubjectAccessReview and SelfSubjectRulesReview, and
 * authentication.k8s.io/v1 SelfSubjectReview. They are create-only and never stored; the answer
 * is computed from the caller. This server authorizes by identity alone: the admin token's user is
 * in `system:masters` and may do everything (kube-apiserver's privileged group), and requests
 * without a valid token never get this far (401). So every review that arrives is allowed, and a
 * caller outside `system:masters` — none exists today — would be denied everything.
 */
import { badRequest } from './errors.js';
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

const isMaster = (user: UserInfo): boolean => user.groups.includes('system:masters');

/**
 * Answers one review: the request object with its `status` filled in (and the kind checked, like
 * kube-apiserver's decoder does).
 */
export function answerReview(type: ResourceType, body: unknown, user: UserInfo): Record<string, unknown> {
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
  const allowed = isMaster(user);
  switch (type.kind) {
    case 'SelfSubjectAccessReview': {
      const spec = (obj.spec as Record<string, unknown> | undefined) ?? {};
      if (!spec.resourceAttributes === !spec.nonResourceAttributes)
        throw badRequest(
          'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
        );
      out.spec = spec;
      out.status = allowed
        ? { allowed: true }
        : { allowed: false, reason: `user ${JSON.stringify(user.username)} is not in system:masters` };
      break;
    }
    case 'SelfSubjectRulesReview':
      out.spec = obj.spec ?? {};
      out.status = allowed
        ? {
            resourceRules: [
              {
                verbs: ['create'],
                apiGroups: ['authorization.k8s.io'],
                resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
              },
              { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
              { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
            ],
            nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
            incomplete: false,
          }
        : { resourceRules: [], nonResourceRules: [], incomplete: false };
      break;
    default:
      out.status = { userInfo: { username: user.username, groups: user.groups } };
  }
  return out;
}
