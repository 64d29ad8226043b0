/**
 * Install manifests for running knlite on a Kubernetes cluster without Knative: the Knative CRDs
 * (serving.knative.dev and the KIngress / ClusterDomainClaim of networking.internal.knative.dev),
 * the knative-serving namespace with Knative's ConfigMaps, least-privilege RBAC for the reconciler
 * and the gateway, and (when an image is given) their Deployments, the gateway's Service and a
 * PodDisruptionBudget.
 */
import { loadCrdObjects } from '../apiserver/crds.js';
import { defaultConfigMaps } from '../apis/config/seed.js';
import { SYSTEM_NAMESPACE } from '../apis/keys.js';
import type { KubeObject } from '../apis/types.js';

/** Name shared by the reconciler's ServiceAccount, ClusterRole, binding and Deployment. */
export const RECONCILER_NAME = 'knlite-reconciler';
/** Name shared by the gateway's ServiceAccount, ClusterRole, binding, Deployment, Service and PDB. */
export const GATEWAY_NAME = 'knlite-gateway';

const ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const READ = ['get', 'list', 'watch'];

/** What the reconciler reads and writes, as RBAC rules. */
const RECONCILER_RULES = [
  { apiGroups: ['serving.knative.dev'], resources: ['*'], verbs: ALL },
  {
    apiGroups: ['networking.internal.knative.dev'],
    resources: ['clusterdomainclaims', 'ingresses', 'certificates'],
    verbs: ALL,
  },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ALL },
  { apiGroups: [''], resources: ['services', 'pods', 'configmaps', 'events'], verbs: ALL },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
];

/**
 * What the gateway reads and writes: KIngresses and their status, endpoints, /scale, its Lease,
 * and Secrets — only those a KIngress's spec.tls names are ever read (one watch per name), but
 * RBAC cannot narrow to names not known in advance.
 */
const GATEWAY_RULES = [
  { apiGroups: ['networking.internal.knative.dev'], resources: ['ingresses'], verbs: READ },
  {
    apiGroups: ['networking.internal.knative.dev'],
    resources: ['ingresses/status'],
    verbs: ['get', 'update', 'patch'],
  },
  { apiGroups: ['serving.knative.dev'], resources: ['revisions'], verbs: READ },
  { apiGroups: [''], resources: ['endpoints', 'configmaps', 'secrets'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get', 'update', 'patch'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
  },
];

/** Kubernetes Service types the gateway can be exposed with. */
export const GATEWAY_SERVICE_TYPES = ['LoadBalancer', 'NodePort', 'ClusterIP'] as const;

/** Options of `makeInstallManifests`. */
export interface InstallOptions {
  /** Include the CRDs (default true). */
  crds?: boolean;
  /** Container image that has knlite installed; adds the reconciler and gateway Deployments when set. */
  image?: string;
  /** How the gateway's Service is exposed (default LoadBalancer). */
  gatewayServiceType?: (typeof GATEWAY_SERVICE_TYPES)[number];
}

/** ServiceAccount, ClusterRole and binding for one component. */
function rbac(name: string, rules: unknown[]): KubeObject[] {
  const meta = { name, labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'knlite' } };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { ...meta, namespace: SYSTEM_NAMESPACE } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: SYSTEM_NAMESPACE }],
    },
  ];
}

/** A component Deployment: non-root, read-only root, probes on its health port. */
function deployment(
  name: string,
  image: string,
  args: string[],
  ports: { name: string; containerPort: number }[],
  healthPort: number,
): KubeObject {
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'knlite' };
  const probe = (path: string) => ({
    httpGet: { path, port: healthPort },
    periodSeconds: 5,
    failureThreshold: 3,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: SYSTEM_NAMESPACE, labels },
    spec: {
      // Two replicas with leader election: one acts, the other takes over on failure.
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: name,
          volumes: [{ name: 'tmp', emptyDir: {} }],
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: name.replace(/^knlite-/, ''),
              image,
              args,
              ports,
              livenessProbe: probe('/healthz'),
              readinessProbe: probe('/readyz'),
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
              // The root filesystem is read-only; HOME (oclif's cache) is an emptyDir.
              env: [{ name: 'HOME', value: '/tmp' }],
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
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
  objects.push(...rbac(RECONCILER_NAME, RECONCILER_RULES), ...rbac(GATEWAY_NAME, GATEWAY_RULES));
  if (opts.image) {
    const labels = { 'app.kubernetes.io/name': GATEWAY_NAME, 'app.kubernetes.io/part-of': 'knlite' };
    objects.push(
      deployment(RECONCILER_NAME, opts.image, ['reconciler', 'run', '--health-port', '8081'], [], 8081),
      deployment(
        GATEWAY_NAME,
        opts.image,
        [
          'gateway',
          'run',
          '--host',
          '0.0.0.0',
          '--http-port',
          '8080',
          '--https-port',
          '8443',
          '--https-redirect-port',
          '443',
          '--admin-port',
          '9090',
        ],
        [
          { name: 'http', containerPort: 8080 },
          { name: 'https', containerPort: 8443 },
          { name: 'admin', containerPort: 9090 },
        ],
        9090,
      ),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: GATEWAY_NAME, namespace: SYSTEM_NAMESPACE, labels },
        spec: {
          type: opts.gatewayServiceType ?? 'LoadBalancer',
          selector: labels,
          ports: [
            { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
            { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
          ],
        },
      },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: GATEWAY_NAME, namespace: SYSTEM_NAMESPACE, labels },
        // Only the leader is ready; allow one disruption so a drain can move it (a standby takes over).
        spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
      },
    );
  }
  return objects;
}
