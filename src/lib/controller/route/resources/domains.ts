/**
 * Route host names and URLs (pkg/reconciler/route/domains + visibility): config-domain selection
 * by labels, domain-template and tag-template from config-network, cluster-local visibility, and the
 * local gateway port on external URLs.
 */
import { DEFAULT_DOMAIN, isClusterLocal, selectDomain } from '../../../apis/config/domain.js';
import type { KnativeConfigs } from '../../../apis/config/index.js';
import { domainFromTemplate, formatUrl, hostnameFromTemplate } from '../../../apis/config/network.js';
import { routeServiceHost } from '../../../apis/names.js';
import type { Route } from '../../../apis/types.js';

/** Whether the route is only reachable inside the cluster (label, or a domain of svc.cluster.local). */
export function routeIsClusterLocal(route: Route, cfg: KnativeConfigs): boolean {
  return (
    isClusterLocal(route.metadata.labels) ||
    selectDomain(cfg.domain, route.metadata.labels) === DEFAULT_DOMAIN
  );
}

/** The host for `name` (the route name, or `<tag>-<route>`) of this route. */
export function routeHost(route: Route, cfg: KnativeConfigs, name: string): string {
  const domain = routeIsClusterLocal(route, cfg)
    ? DEFAULT_DOMAIN
    : selectDomain(cfg.domain, route.metadata.labels);
  return domainFromTemplate(cfg.network, {
    Name: name,
    Namespace: route.metadata.namespace!,
    Domain: domain,
    Annotations: route.metadata.annotations ?? {},
    Labels: route.metadata.labels ?? {},
  });
}

/** status.url of the route. */
export function routeUrl(route: Route, cfg: KnativeConfigs): string {
  return formatUrl(routeHost(route, cfg, route.metadata.name!), cfg.network, {
    clusterLocal: routeIsClusterLocal(route, cfg),
  });
}

/** URL of a tagged target: host `<tag-template>` under the route's domain. */
export function tagUrl(route: Route, cfg: KnativeConfigs, tag: string): string {
  const host = routeHost(route, cfg, hostnameFromTemplate(cfg.network, route.metadata.name!, tag));
  return formatUrl(host, cfg.network, { clusterLocal: routeIsClusterLocal(route, cfg) });
}

/** status.address.url: the route's cluster-internal name. */
export function routeAddress(route: Route): string {
  return `http://${routeServiceHost(route.metadata.name!, route.metadata.namespace!)}`;
}

/** A host that is not a valid DNS name (the templates produced garbage). */
export function validateHost(host: string): string | undefined {
  const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  if (host.length > 253) return `domain name error: host "${host}" is longer than 253 characters`;
  const bad = host.split('.').find((l) => !label.test(l) || l.length > 63);
  return bad === undefined ? undefined : `domain name error: invalid label "${bad}" in host "${host}"`;
}
