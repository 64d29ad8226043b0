/**
 * The REST coordinates of every kind the reconcilers read or write. One table, so paths are built in
 * one place and table tests can name kinds without spelling URLs.
 */

/** Where a kind is served: group/version/plural plus its Kind and scope. */
export interface Kind {
  group: string; // '' for core
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const kind = (group: string, version: string, plural: string, k: string, namespaced = true): Kind => ({
  group,
  version,
  plural,
  kind: k,
  namespaced,
});

/** Every kind the controller touches. */
export const Kinds = {
  service: kind('serving.knative.dev', 'v1', 'services', 'Service'),
  configuration: kind('serving.knative.dev', 'v1', 'configurations', 'Configuration'),
  revision: kind('serving.knative.dev', 'v1', 'revisions', 'Revision'),
  route: kind('serving.knative.dev', 'v1', 'routes', 'Route'),
  domainMapping: kind('serving.knative.dev', 'v1beta1', 'domainmappings', 'DomainMapping'),
  clusterDomainClaim: kind(
    'networking.internal.knative.dev',
    'v1alpha1',
    'clusterdomainclaims',
    'ClusterDomainClaim',
    false,
  ),
  ingress: kind('networking.internal.knative.dev', 'v1alpha1', 'ingresses', 'Ingress'),
  deployment: kind('apps', 'v1', 'deployments', 'Deployment'),
  kubeService: kind('', 'v1', 'services', 'Service'),
  pod: kind('', 'v1', 'pods', 'Pod'),
  configMap: kind('', 'v1', 'configmaps', 'ConfigMap'),
  event: kind('', 'v1', 'events', 'Event'),
  namespace: kind('', 'v1', 'namespaces', 'Namespace', false),
  lease: kind('coordination.k8s.io', 'v1', 'leases', 'Lease'),
} as const;

/** `apiVersion` as written in objects of this kind. */
export function apiVersionOf(k: Kind): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

/** The collection path of a kind, optionally inside one namespace (e.g. `/apis/apps/v1/namespaces/x/deployments`). */
export function collectionPath(k: Kind, namespace?: string): string {
  const root = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  const ns = k.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${k.plural}`;
}

/** The path of one object (and optionally a subresource). */
export function objectPath(
  k: Kind,
  namespace: string | undefined,
  name: string,
  subresource?: string,
): string {
  const sub = subresource ? `/${subresource}` : '';
  return `${collectionPath(k, namespace)}/${encodeURIComponent(name)}${sub}`;
}
