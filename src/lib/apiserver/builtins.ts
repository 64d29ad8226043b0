/**
 * The built-in kinds the embedded API server serves besides CRDs: core v1 namespaces, configmaps,
 * secrets, services, endpoints, pods, events, serviceaccounts, persistentvolumeclaims and (cluster-scoped)
 * persistentvolumes; storage.k8s.io/v1 storageclasses; apps/v1 deployments and replicasets
 * (with /status and /scale); coordination.k8s.io/v1 leases; apiextensions.k8s.io/v1 customresourcedefinitions;
 * rbac.authorization.k8s.io/v1 roles, clusterroles, rolebindings and clusterrolebindings.
 */
import type { ResourceType } from './types.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function core(resource: string, kind: string, extra: Partial<ResourceType> = {}): ResourceType {
  return {
    group: '',
    version: 'v1',
    resource,
    kind,
    listKind: `${kind}List`,
    singular: kind.toLowerCase(),
    namespaced: true,
    verbs: ALL_VERBS,
    subresources: {},
    strategicMerge: true,
    ...extra,
  };
}

/** ResourceType entries for every built-in kind. */
export function builtinResourceTypes(): ResourceType[] {
  return [
    core('namespaces', 'Namespace', {
      namespaced: false,
      shortNames: ['ns'],
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: { status: true },
    }),
    core('configmaps', 'ConfigMap', { shortNames: ['cm'] }),
    core('secrets', 'Secret'),
    core('services', 'Service', { shortNames: ['svc'], categories: ['all'], subresources: { status: true } }),
    core('endpoints', 'Endpoints', { singular: 'endpoints', shortNames: ['ep'] }),
    core('pods', 'Pod', { shortNames: ['po'], categories: ['all'], subresources: { status: true } }),
    core('events', 'Event', { shortNames: ['ev'] }),
    core('serviceaccounts', 'ServiceAccount', { shortNames: ['sa'] }),
    core('persistentvolumeclaims', 'PersistentVolumeClaim', {
      shortNames: ['pvc'],
      subresources: { status: true },
    }),
    core('persistentvolumes', 'PersistentVolume', {
      namespaced: false,
      shortNames: ['pv'],
      subresources: { status: true },
    }),
    {
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      kind: 'Deployment',
      listKind: 'DeploymentList',
      singular: 'deployment',
      namespaced: true,
      shortNames: ['deploy'],
      categories: ['all'],
      verbs: ALL_VERBS,
      strategicMerge: true,
      subresources: {
        status: true,
        scale: {
          specReplicasPath: '.spec.replicas',
          statusReplicasPath: '.status.replicas',
          labelSelectorPath: '.spec.selector',
        },
      },
    },
    {
      group: 'apps',
      version: 'v1',
      resource: 'replicasets',
      kind: 'ReplicaSet',
      listKind: 'ReplicaSetList',
      singular: 'replicaset',
      namespaced: true,
      shortNames: ['rs'],
      categories: ['all'],
      verbs: ALL_VERBS,
      strategicMerge: true,
      subresources: {
        status: true,
        scale: {
          specReplicasPath: '.spec.replicas',
          statusReplicasPath: '.status.replicas',
          labelSelectorPath: '.spec.selector',
        },
      },
    },
    {
      group: 'storage.k8s.io',
      version: 'v1',
      resource: 'storageclasses',
      kind: 'StorageClass',
      listKind: 'StorageClassList',
      singular: 'storageclass',
      namespaced: false,
      shortNames: ['sc'],
      verbs: ALL_VERBS,
      strategicMerge: true,
      subresources: {},
    },
    {
      group: 'coordination.k8s.io',
      version: 'v1',
      resource: 'leases',
      kind: 'Lease',
      listKind: 'LeaseList',
      singular: 'lease',
      namespaced: true,
      verbs: ALL_VERBS,
      strategicMerge: true,
      subresources: {},
    },
    {
      group: 'apiextensions.k8s.io',
      version: 'v1',
      resource: 'customresourcedefinitions',
      kind: 'CustomResourceDefinition',
      listKind: 'CustomResourceDefinitionList',
      singular: 'customresourcedefinition',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      verbs: ALL_VERBS,
      strategicMerge: false,
      subresources: { status: true },
    },
    rbac('roles', 'Role', true),
    rbac('clusterroles', 'ClusterRole', false),
    rbac('rolebindings', 'RoleBinding', true),
    rbac('clusterrolebindings', 'ClusterRoleBinding', false),
  ];
}

function rbac(resource: string, kind: string, namespaced: boolean): ResourceType {
  return {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource,
    kind,
    listKind: `${kind}List`,
    singular: kind.toLowerCase(),
    namespaced,
    verbs: ALL_VERBS,
    strategicMerge: true,
    subresources: {},
  };
}

/** Kinds whose PUT may create a missing object (kube-apiserver's AllowCreateOnUpdate). */
export const CREATE_ON_UPDATE = new Set(['endpoints', 'leases', 'events']);

/** Namespaces that always exist. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'knative-serving'];
