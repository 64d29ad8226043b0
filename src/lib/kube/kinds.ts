/**
 * The REST coordinates of every kind knlite reads or writes, as data: group, version, plural, Kind,
 * scope and the noun user-facing messages use ("service 'x' not found ..."). Paths are built here
 * and nowhere else.
 */
import { SERVING_GROUP } from '../apis/keys.js';

/** Where a kind is served: group/version/plural plus its Kind, scope and message noun. */
export interface Kind {
  /** '' for the core group (/api/v1). */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** How messages name one object of this kind. */
  noun: string;
}

const kind = (
  group: string,
  version: string,
  plural: string,
  k: string,
  noun: string,
  namespaced = true,
): Kind => ({ group, version, plural, kind: k, namespaced, noun });

const NETWORKING_INTERNAL = 'networking.internal.knative.dev';

/** Every kind knlite touches. */
export const Kinds = {
  service: kind(SERVING_GROUP, 'v1', 'services', 'Service', 'service'),
  configuration: kind(SERVING_GROUP, 'v1', 'configurations', 'Configuration', 'configuration'),
  revision: kind(SERVING_GROUP, 'v1', 'revisions', 'Revision', 'revision'),
  route: kind(SERVING_GROUP, 'v1', 'routes', 'Route', 'route'),
  domainMapping: kind(SERVING_GROUP, 'v1beta1', 'domainmappings', 'DomainMapping', 'domain mapping'),
  clusterDomainClaim: kind(
    NETWORKING_INTERNAL,
    'v1alpha1',
    'clusterdomainclaims',
    'ClusterDomainClaim',
    'cluster domain claim',
    false,
  ),
  ingress: kind('networking.internal.knative.dev', 'v1alpha1', 'ingresses', 'Ingress', 'ingress'),
  certificate: kind(
    'networking.internal.knative.dev',
    'v1alpha1',
    'certificates',
    'Certificate',
    'certificate',
  ),
  deployment: kind('apps', 'v1', 'deployments', 'Deployment', 'deployment'),
  replicaSet: kind('apps', 'v1', 'replicasets', 'ReplicaSet', 'replica set'),
  kubeService: kind('', 'v1', 'services', 'Service', 'kubernetes service'),
  endpoints: kind('', 'v1', 'endpoints', 'Endpoints', 'endpoints'),
  pod: kind('', 'v1', 'pods', 'Pod', 'pod'),
  /** Resource usage of pods (metrics-server's, or the local runtime's readings). */
  podMetrics: kind('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', 'pod metrics'),
  configMap: kind('', 'v1', 'configmaps', 'ConfigMap', 'config map'),
  secret: kind('', 'v1', 'secrets', 'Secret', 'secret'),
  persistentVolumeClaim: kind(
    '',
    'v1',
    'persistentvolumeclaims',
    'PersistentVolumeClaim',
    'persistent volume claim',
  ),
  persistentVolume: kind('', 'v1', 'persistentvolumes', 'PersistentVolume', 'persistent volume', false),
  storageClass: kind('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', 'storage class', false),
  serviceAccount: kind('', 'v1', 'serviceaccounts', 'ServiceAccount', 'service account'),
  event: kind('', 'v1', 'events', 'Event', 'event'),
  namespace: kind('', 'v1', 'namespaces', 'Namespace', 'namespace', false),
  lease: kind('coordination.k8s.io', 'v1', 'leases', 'Lease', 'lease'),
} as const satisfies Record<string, Kind>;

/** `apiVersion` as written in objects of this kind (`serving.knative.dev/v1`, `v1`). */
export function apiVersionOf(k: Kind): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

/**
 * The collection path of a kind, inside one namespace or (namespace '' or undefined) across all,
 * e.g. `/apis/apps/v1/namespaces/x/deployments`.
 */
export function collectionPath(k: Kind, namespace?: string): string {
  const root = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  const ns = k.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${k.plural}`;
}

/** The path of one object, optionally of one of its subresources (`status`, `scale`). */
export function objectPath(
  k: Kind,
  namespace: string | undefined,
  name: string,
  subresource?: string,
): string {
  const sub = subresource ? `/${subresource}` : '';
  return `${collectionPath(k, namespace)}/${encodeURIComponent(name)}${sub}`;
}
