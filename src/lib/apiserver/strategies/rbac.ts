/**
 * rbac.authorization.k8s.io/v1 Roles, ClusterRoles, RoleBindings and ClusterRoleBindings: kube's
 * validation (pkg/apis/rbac/validation) — rules name verbs and either resources with API groups or,
 * in ClusterRoles only, non-resource URLs; a binding references a Role or ClusterRole by name,
 * its subjects are Users, Groups or ServiceAccounts, and its roleRef never changes.
 */
import {
  invalid,
  notSupportedCause as unsupported,
  requiredCause as required,
  type StatusCause,
} from '../errors.js';
import type { Strategy } from '../strategy.js';

const GROUP = 'rbac.authorization.k8s.io';

interface Rule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  nonResourceURLs?: string[];
}

interface RoleRef {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

const goStrings = (v: string[]): string => `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`;

function ruleCauses(rules: Rule[], namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!r.verbs?.length) causes.push(required(`${at}.verbs`, 'verbs must contain at least one value'));
    const urls = r.nonResourceURLs ?? [];
    if (urls.length) {
      if (namespaced)
        causes.push({
          field: `${at}.nonResourceURLs`,
          message: `Invalid value: ${goStrings(urls)}: namespaced rules cannot apply to non-resource URLs`,
        });
      if (r.apiGroups?.length || r.resources?.length)
        causes.push({
          field: `${at}.nonResourceURLs`,
          message: `Invalid value: ${goStrings(urls)}: rules cannot apply to both regular resources and non-resource URLs`,
        });
      return;
    }
    if (!r.apiGroups?.length)
      causes.push(required(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!r.resources?.length)
      causes.push(required(`${at}.resources`, 'resource rules must supply at least one resource'));
  });
  return causes;
}

function roleStrategy(kind: 'Role' | 'ClusterRole'): Strategy {
  return {
    validate(obj) {
      const causes = ruleCauses((obj as { rules?: Rule[] }).rules ?? [], kind === 'Role');
      if (causes.length) throw invalid({ kind, group: GROUP }, obj.metadata.name ?? '', causes);
    },
  };
}

function bindingStrategy(kind: 'RoleBinding' | 'ClusterRoleBinding'): Strategy {
  const type = { kind, group: GROUP };
  return {
    validate(obj) {
      const b = obj as {
        roleRef?: RoleRef;
        subjects?: { kind?: string; apiGroup?: string; name?: string; namespace?: string }[];
      };
      const causes: StatusCause[] = [];
      const ref = b.roleRef ?? {};
      if (ref.apiGroup !== GROUP) causes.push(unsupported('roleRef.apiGroup', ref.apiGroup, [GROUP]));
      const kinds = kind === 'RoleBinding' ? ['Role', 'ClusterRole'] : ['ClusterRole'];
      if (!kinds.includes(ref.kind ?? '')) causes.push(unsupported('roleRef.kind', ref.kind, kinds));
      if (!ref.name) causes.push(required('roleRef.name'));
      (b.subjects ?? []).forEach((s, i) => {
        const at = `subjects[${i}]`;
        if (!s.name) causes.push(required(`${at}.name`));
        switch (s.kind) {
          case 'ServiceAccount':
            if (s.apiGroup) causes.push(unsupported(`${at}.apiGroup`, s.apiGroup, ['']));
            if (kind === 'ClusterRoleBinding' && !s.namespace) causes.push(required(`${at}.namespace`));
            break;
          case 'User':
          case 'Group':
            if (s.apiGroup !== GROUP) causes.push(unsupported(`${at}.apiGroup`, s.apiGroup, [GROUP]));
            break;
          default:
            causes.push(unsupported(`${at}.kind`, s.kind, ['ServiceAccount', 'User', 'Group']));
        }
      });
      if (causes.length) throw invalid(type, obj.metadata.name ?? '', causes);
    },
    validateUpdate(obj, old) {
      const ref = ((obj as { roleRef?: RoleRef }).roleRef ?? {}) as RoleRef;
      const was = ((old as { roleRef?: RoleRef }).roleRef ?? {}) as RoleRef;
      if (ref.apiGroup === was.apiGroup && ref.kind === was.kind && ref.name === was.name) return;
      const value = `rbac.RoleRef{APIGroup:${JSON.stringify(ref.apiGroup ?? '')}, Kind:${JSON.stringify(ref.kind ?? '')}, Name:${JSON.stringify(ref.name ?? '')}}`;
      throw invalid(type, obj.metadata.name ?? '', [
        { field: 'roleRef', message: `Invalid value: ${value}: cannot change roleRef` },
      ]);
    },
  };
}

export const roleStrategies: Record<string, Strategy> = {
  [`${GROUP}/roles`]: roleStrategy('Role'),
  [`${GROUP}/clusterroles`]: roleStrategy('ClusterRole'),
  [`${GROUP}/rolebindings`]: bindingStrategy('RoleBinding'),
  [`${GROUP}/clusterrolebindings`]: bindingStrategy('ClusterRoleBinding'),
};
