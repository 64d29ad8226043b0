/**
 * Install manifests for running knlite's reconciler on a Kubernetes cluster without Knative: the
 * serving.knative.dev CRDs, the knative-serving namespace with Knative's ConfigMaps, RBAC for the
 * reconciler, and (when an image is given) a Deployment running `knlite reconciler run`.
 */
import { loadCrdObjects } from '../apiserver/crds.js';
import { defaultConfigMaps } from '../apis/config.js';
import { SYSTEM_NAMESPACE } from '../apis/keys.js';
import type { KubeObject } from '../apis/types.js';

/** Name shared by the reconciler's ServiceAccount, ClusterRole, binding and Deployment. */
export const RECONCILER_NAME = 'knlite-reconciler';

/** What the reconciler reads and writes, as RBAC rules. */
const RULES = [
  {
    apiGroups: ['serving.knative.dev'],
    resources: ['*'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  {
    apiGroups: ['networking.internal.knative.dev'],
    resources: ['clusterdomainclaims'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'deployments/scale'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  {
    apiGroups: [''],
    resources: ['services', 'endpoints', 'pods', 'configmaps', 'events', 'namespaces'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
];

/** Options of `makeInstallManifests`. */
export interface InstallOptions {
  /** Include the CRDs (default true). */
  crds?: boolean;
  /** Container image that has knlite installed; adds the reconciler Deployment when set. */
  image?: string;
}

/** The objects to `kubectl apply`, in dependency order. */
export function makeInstallManifests(opts: InstallOptions = {}): KubeObject[] {
  const objects: KubeObject[] = [];
  if (opts.crds !== false) objects.push(...loadCrdObjects());
  objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYSTEM_NAMESPACE } });
  for (const cm of defaultConfigMaps()) {
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      ...cm,
      metadata: { ...cm.metadata, namespace: SYSTEM_NAMESPACE },
    });
  }
  const meta = { name: RECONCILER_NAME, labels: { 'app.kubernetes.io/name': RECONCILER_NAME } };
  objects.push(
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { ...meta, namespace: SYSTEM_NAMESPACE } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta, rules: RULES },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: RECONCILER_NAME },
      subjects: [{ kind: 'ServiceAccount', name: RECONCILER_NAME, namespace: SYSTEM_NAMESPACE }],
    },
  );
  if (opts.image) {
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { ...meta, namespace: SYSTEM_NAMESPACE },
      spec: {
        // Two replicas with leader election: one reconciles, the other takes over on failure.
        replicas: 2,
        selector: { matchLabels: meta.labels },
        template: {
          metadata: { labels: meta.labels },
          spec: {
            serviceAccountName: RECONCILER_NAME,
            containers: [{ name: 'reconciler', image: opts.image, args: ['reconciler', 'run'] }],
          },
        },
      },
    });
  }
  return objects;
}
