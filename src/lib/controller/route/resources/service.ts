/**
 * Placeholder Kubernetes Services of a Route (Knative's pkg/reconciler/route/resources/service.go):
 * one per traffic group, named by its host name (`<route>`, `<tag>-<route>`), owned by the Route,
 * with the Route's labels (minus visibility) plus `serving.knative.dev/route`, and its annotations.
 * They give `<h>.<ns>.svc.cluster.local` its DNS name: an ExternalName Service pointing at the
 * ingress's private load balancer once the KIngress reports one, else at the route's own domain.
 */
import { Labels, SERVING_V1 } from '../../../apis/keys.js';
import type { Ingress, KubeService, Route } from '../../../apis/types.js';
import { controllerRef } from '../../../apis/owner.js';

const EXCLUDED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/** Builds the placeholder Service named `hostname` for a Route (externalName from the ingress when known). */
export function makePlaceholderService(
  route: Route,
  hostname: string,
  externalDomain: string,
  ingress?: Ingress,
): KubeService {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(route.metadata.labels ?? {}))
    if (k !== Labels.visibility && k !== Labels.visibilityLegacy) labels[k] = v;
  labels[Labels.route] = route.metadata.name!;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(route.metadata.annotations ?? {}))
    if (!EXCLUDED_ANNOTATIONS.has(k)) annotations[k] = v;
  const lb = ingress?.status?.privateLoadBalancer?.ingress?.find((i) => i.domainInternal || i.domain);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: hostname,
      namespace: route.metadata.namespace!,
      labels,
      annotations,
      ownerReferences: [controllerRef(route, SERVING_V1, 'Route')],
    },
    spec: {
      type: 'ExternalName',
      externalName: lb?.domainInternal || lb?.domain || externalDomain,
      sessionAffinity: 'None',
      ports: [{ name: 'http2', port: 80, targetPort: 80 }],
    },
  } as KubeService;
}
