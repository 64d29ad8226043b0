/**
 * Authorization, as kube-apiserver's `--authorization-mode=RBAC`: the `system:masters` group may do
 * everything (the privileged-group authorizer), every authenticated user may read discovery,
 * OpenAPI, health and version and create the self-reviews (kube's bootstrap `system:discovery`,
 * `system:basic-user` and `system:public-info-viewer` roles, built in here rather than stored),
 * and anything else must be allowed by a rule of a Role or ClusterRole bound to the user, one of
 * its groups or its service account (rbac.authorization.k8s.io/v1). Rules match as kube's
 * `rbac/v1` helpers do: `*` in apiGroups, resources, verbs and nonResourceURLs, `<resource>/<sub>`
 * and `*\/<sub>` for subresources, resourceNames, a trailing `*` in nonResourceURLs. A RoleBinding
 * grants only in its namespace and only resource rules; it may reference a ClusterRole.
 */
import type { KubeObject } from '../apis/types.js';
import { ApiError } from './errors.js';
import { serviceAccountUsername } from './sa-token.js';
import type { UserInfo } from './types.js';

/** rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** authorizer.Attributes: what one request asks to do. */
export interface RequestAttributes {
  user: UserInfo;
  verb: string;
  /** Resource requests name an API group and resource; the others a path. */
  resourceRequest: boolean;
  path: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** Reads the stored RBAC objects (`namespace` undefined: every namespace or cluster-scoped). */
export type RbacObjects = (
  resource: 'roles' | 'clusterroles' | 'rolebindings' | 'clusterrolebindings',
  namespace?: string,
) => KubeObject[];

/** What an authenticated user may do without any binding. */
export const AUTHENTICATED_RULES: PolicyRule[] = [
  {
    verbs: ['create'],
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
  {
    verbs: ['get'],
    nonResourceURLs: [
      '/api',
      '/api/*',
      '/apis',
      '/apis/*',
      '/healthz',
      '/livez',
      '/openapi',
      '/openapi/*',
      '/readyz',
      '/version',
      '/version/',
    ],
  },
];

/** The rules of `system:masters`. */
export const MASTER_RULES: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/**
 * The bootstrap `cluster-admin` ClusterRole and its ClusterRoleBinding to `system:masters`, which
 * kube-apiserver creates when missing at every start (so `--clusterrole=cluster-admin` works).
 */
export function bootstrapRbac(): { resource: 'clusterroles' | 'clusterrolebindings'; object: KubeObject }[] {
  const metadata = {
    name: 'cluster-admin',
    labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
    annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
  };
  const apiVersion = 'rbac.authorization.k8s.io/v1';
  return [
    {
      resource: 'clusterroles',
      object: { apiVersion, kind: 'ClusterRole', metadata, rules: MASTER_RULES } as KubeObject,
    },
    {
      resource: 'clusterrolebindings',
      object: {
        apiVersion,
        kind: 'ClusterRoleBinding',
        metadata,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }],
      } as KubeObject,
    },
  ];
}

const has = (list: string[] | undefined, v: string): boolean =>
  !!list && (list.includes('*') || list.includes(v));

/** Whether one rule allows the request (kube's RuleAllows). */
export function ruleAllows(a: RequestAttributes, rule: PolicyRule): boolean {
  if (!a.resourceRequest) {
    if (!has(rule.verbs, a.verb)) return false;
    return (rule.nonResourceURLs ?? []).some(
      (u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))),
    );
  }
  if (!has(rule.verbs, a.verb) || !has(rule.apiGroups, a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = (rule.resources ?? []).some(
    (r) => r === '*' || r === combined || (!!a.subresource && r === `*/${a.subresource}`),
  );
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name);
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

function appliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.username;
    case 'Group':
      return !!s.name && user.groups.includes(s.name);
    case 'ServiceAccount':
      return !!s.name && user.username === serviceAccountUsername(s.namespace || bindingNamespace, s.name);
    default:
      return false;
  }
}

/** One binding that applies to a user, with the rules of the role it references. */
interface Grant {
  /** `RoleBinding "rb/ns" of Role "r" to ServiceAccount "sa/ns"`, kube's allow reason. */
  describe: string;
  rules: PolicyRule[];
}

const asRules = (role: KubeObject | undefined): PolicyRule[] | undefined =>
  role ? (((role as { rules?: PolicyRule[] }).rules ?? []) as PolicyRule[]) : undefined;

/** The RBAC authorizer over the stored roles and bindings. */
export class Authorizer {
  constructor(private readonly objects: RbacObjects) {}

  /** The grants that apply to `user` in `namespace` ('' for cluster-wide only), and missing roles. */
  private grants(user: UserInfo, namespace: string): { grants: Grant[]; errors: string[] } {
    const grants: Grant[] = [];
    const errors: string[] = [];
    const clusterRoles = new Map(this.objects('clusterroles').map((r) => [r.metadata.name!, r]));
    const visit = (binding: KubeObject, kind: 'ClusterRoleBinding' | 'RoleBinding'): void => {
      const b = binding as { roleRef?: { kind?: string; name?: string }; subjects?: Subject[] };
      const ns = binding.metadata.namespace ?? '';
      const subject = (b.subjects ?? []).find((s) => appliesTo(user, s, ns));
      if (!subject || !b.roleRef?.name) return;
      const ref = b.roleRef;
      let rules: PolicyRule[] | undefined;
      if (ref.kind === 'ClusterRole') rules = asRules(clusterRoles.get(ref.name!));
      else if (ref.kind === 'Role' && kind === 'RoleBinding')
        rules = asRules(this.objects('roles', ns).find((r) => r.metadata.name === ref.name));
      if (!rules) {
        const what = ref.kind === 'ClusterRole' ? 'clusterrole' : 'role';
        errors.push(`${what}.rbac.authorization.k8s.io "${ref.name}" not found`);
        return;
      }
      const bname = kind === 'RoleBinding' ? `${binding.metadata.name}/${ns}` : binding.metadata.name!;
      const sname =
        subject.kind === 'ServiceAccount'
          ? `${subject.name}/${subject.namespace || ns}`
          : (subject.name ?? '');
      grants.push({
        describe: `${kind} ${JSON.stringify(bname)} of ${ref.kind} ${JSON.stringify(ref.name)} to ${subject.kind} ${JSON.stringify(sname)}`,
        rules,
      });
    };
    for (const b of this.objects('clusterrolebindings')) visit(b, 'ClusterRoleBinding');
    if (namespace) for (const b of this.objects('rolebindings', namespace)) visit(b, 'RoleBinding');
    return { grants, errors };
  }

  /** Decides one request: allowed, with kube's reason. */
  authorize(a: RequestAttributes): { allowed: boolean; reason: string } {
    const { user } = a;
    if (user.groups.includes('system:masters')) return { allowed: true, reason: '' };
    if (user.groups.includes('system:authenticated') && AUTHENTICATED_RULES.some((r) => ruleAllows(a, r)))
      return { allowed: true, reason: '' };
    const { grants, errors } = this.grants(user, a.resourceRequest ? a.namespace : '');
    for (const g of grants) {
      // Rules from a RoleBinding never grant non-resource URLs.
      if (!a.resourceRequest && g.describe.startsWith('RoleBinding')) continue;
      if (g.rules.some((r) => ruleAllows(a, r)))
        return { allowed: true, reason: `RBAC: allowed by ${g.describe}` };
    }
    return { allowed: false, reason: errors.length ? `RBAC: ${errors.join(', ')}` : '' };
  }

  /** The rules `user` has in `namespace` (SelfSubjectRulesReview). */
  rulesFor(
    user: UserInfo,
    namespace: string,
  ): { resourceRules: PolicyRule[]; nonResourceRules: PolicyRule[] } {
    const all = user.groups.includes('system:masters')
      ? [...AUTHENTICATED_RULES, ...MASTER_RULES]
      : [...AUTHENTICATED_RULES];
    if (!user.groups.includes('system:masters'))
      for (const g of this.grants(user, namespace).grants)
        all.push(
          ...(g.describe.startsWith('RoleBinding') ? g.rules.filter((r) => !r.nonResourceURLs) : g.rules),
        );
    const resourceRules: PolicyRule[] = [];
    const nonResourceRules: PolicyRule[] = [];
    for (const r of all) {
      if (r.nonResourceURLs?.length)
        nonResourceRules.push({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs });
      if (r.resources?.length) {
        const out: PolicyRule = {
          verbs: r.verbs ?? [],
          apiGroups: r.apiGroups ?? [],
          resources: r.resources,
        };
        if (r.resourceNames?.length) out.resourceNames = r.resourceNames;
        resourceRules.push(out);
      }
    }
    return { resourceRules, nonResourceRules };
  }
}

/** The request attributes of an HTTP request, as kube's RequestInfoResolver derives them. */
export function requestAttributes(
  user: UserInfo,
  method: string,
  pathname: string,
  query: URLSearchParams,
  resource:
    | {
        group: string;
        resource: string;
        namespace?: string;
        name?: string;
        subresource: string;
        watchPrefix: boolean;
      }
    | undefined,
): RequestAttributes {
  const m = method.toUpperCase();
  if (!resource)
    return {
      user,
      verb: m === 'HEAD' ? 'get' : m.toLowerCase(),
      resourceRequest: false,
      path: pathname,
      apiGroup: '',
      resource: '',
      subresource: '',
      namespace: '',
      name: '',
    };
  const watch = resource.watchPrefix || ['1', 'true'].includes(query.get('watch') ?? '');
  const item = resource.name !== undefined;
  let verb: string;
  switch (m) {
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = item ? 'delete' : 'deletecollection';
      break;
    default:
      verb = watch ? 'watch' : item ? 'get' : 'list';
  }
  // A namespace is its own namespace, as in kube's RequestInfo.
  const namespace =
    resource.group === '' && resource.resource === 'namespaces' && item
      ? resource.name!
      : (resource.namespace ?? '');
  return {
    user,
    verb,
    resourceRequest: true,
    path: pathname,
    apiGroup: resource.group,
    resource: resource.resource,
    subresource: resource.subresource,
    namespace,
    name: resource.name ?? '',
  };
}

/** kube's 403 for a denied request (responsewriters.forbiddenMessage + errors.NewForbidden). */
export function forbiddenError(a: RequestAttributes, reason: string): ApiError {
  const who = JSON.stringify(a.user.username);
  let msg: string;
  if (!a.resourceRequest) msg = `User ${who} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  else {
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
    msg = `User ${who} cannot ${a.verb} resource ${JSON.stringify(res)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
  }
  if (reason) msg += `: ${reason}`;
  if (!a.resourceRequest) return new ApiError(403, 'Forbidden', `forbidden: ${msg}`, {});
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const head = a.name ? `${qualified} ${JSON.stringify(a.name)}` : qualified;
  return new ApiError(403, 'Forbidden', `${head} is forbidden: ${msg}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.apiGroup ? { group: a.apiGroup } : {}),
    kind: a.resource,
  });
}
