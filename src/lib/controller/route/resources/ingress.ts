/**
 * The Route's KIngress (Knative's pkg/reconciler/route/resources/ingress.go): one rule per traffic
 * group and visibility — the cluster-local rule with the expanded hosts `<h>.<ns>`, `<h>.<ns>.svc`,
 * `<h>.<ns>.svc.cluster.local`, plus an ExternalIP rule with the public host unless the route is
 * cluster-local. The default group (`""`, host `<route>`) carries every target's share; each tag
 * group (host from tag-template) sends 100% to its revision. Splits name the revision's Kubernetes
 * Service and append `Knative-Serving-Revision`/`Knative-Serving-Namespace`. With the
 * `tag-header-based-routing` feature, the default rules also route `Knative-Serving-Tag: <tag>`.
 */
import { CLUSTER_DOMAIN } from '../../../apis/config/domain.js';
import { featureEnabled } from '../../../apis/config/features.js';
import type { KnativeConfigs } from '../../../apis/config/index.js';
import { hostnameFromTemplate } from '../../../apis/config/network.js';
import {
  Annotations,
  IngressHeaders,
  Labels,
  NETWORKING_INTERNAL_V1ALPHA1,
  SERVING_V1,
} from '../../../apis/keys.js';
import { childName } from '../../../apis/names.js';
import type {
  HTTPIngressPath,
  Ingress,
  IngressBackendSplit,
  IngressRule,
  IngressVisibility,
  Route,
} from '../../../apis/types.js';
import { controllerRef } from '../../../apis/owner.js';
import { routeHost, routeIsClusterLocal } from './domains.js';
import { serializeRollout, type Rollout } from '../../../apis/rollout.js';
import { applyRollout, buildRollout, consolidate } from './rollout.js';
import type { RevisionTarget } from './traffic.js';

/** Port of a revision's Kubernetes Service for HTTP/1 (81 for h2c). */
export const REVISION_SERVICE_PORT = 80;
/** Annotations never copied from a Route onto its children. */
const EXCLUDED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/** The name of a Route's KIngress (kmeta.ChildName(route, "")). */
export function ingressName(route: Route): string {
  return childName(route.metadata.name!, '');
}

/** Knative's ExpandedHosts of a cluster-local name: `h.ns`, `h.ns.svc`, `h.ns.svc.cluster.local`. */
export function expandedHosts(hostname: string, namespace: string): string[] {
  return [
    `${hostname}.${namespace}`,
    `${hostname}.${namespace}.svc`,
    `${hostname}.${namespace}.svc.${CLUSTER_DOMAIN}`,
  ];
}

/** Traffic groups: `""` (the default host) with every target, and one per tag. */
export function trafficGroups(targets: readonly RevisionTarget[]): Map<string, RevisionTarget[]> {
  const groups = new Map<string, RevisionTarget[]>([['', [...targets]]]);
  for (const t of targets) {
    if (!t.tag) continue;
    groups.set(t.tag, [{ ...t, percent: 100 }]);
  }
  return groups;
}

/** The host name (first DNS label part) of a group: the route name or the tag-template result. */
export function groupHostname(route: Route, cfg: KnativeConfigs, group: string): string {
  return group === '' ? route.metadata.name! : hostnameFromTemplate(cfg.network, route.metadata.name!, group);
}

function makeSplits(namespace: string, targets: readonly RevisionTarget[]): IngressBackendSplit[] {
  // Consolidate per revision, as Knative does, and drop 0% shares.
  const percents = new Map<string, number>();
  for (const t of targets) percents.set(t.revisionName, (percents.get(t.revisionName) ?? 0) + t.percent);
  const splits: IngressBackendSplit[] = [];
  for (const [revision, percent] of percents) {
    if (percent <= 0) continue;
    splits.push({
      serviceNamespace: namespace,
      serviceName: revision,
      servicePort: REVISION_SERVICE_PORT,
      percent,
      appendHeaders: { [IngressHeaders.revision]: revision, [IngressHeaders.namespace]: namespace },
    });
  }
  return splits;
}

function makeRule(hosts: string[], visibility: IngressVisibility, paths: HTTPIngressPath[]): IngressRule {
  return { hosts, visibility, http: { paths } };
}

/**
 * Builds the desired KIngress of a Route whose traffic resolved to `targets` (`tls`: its
 * certificates). During a gradual rollout, `rollout` splits each latest-revision target among the
 * revisions being rolled; it is recorded in the `networking.internal.knative.dev/rollout`
 * annotation (without one, the steady state of `targets`).
 */
export function makeIngress(
  route: Route,
  targets: readonly RevisionTarget[],
  cfg: KnativeConfigs,
  ingressClass: string,
  tls: NonNullable<Ingress['spec']['tls']> = [],
  rollout: Rollout = buildRollout(trafficGroups(targets)),
): Ingress {
  const ns = route.metadata.namespace!;
  const groups = new Map(
    [...trafficGroups(targets)].map(([name, group]) => [
      name,
      applyRollout(consolidate(group), rollout, () => name),
    ]),
  );
  const tagHeaders = featureEnabled(cfg.features, 'tag-header-based-routing');
  const clusterLocal = routeIsClusterLocal(route, cfg);
  const names = [...groups.keys()].sort();
  const rules: IngressRule[] = [];
  for (const name of names) {
    const hostname = groupHostname(route, cfg, name);
    const main: HTTPIngressPath = { splits: makeSplits(ns, groups.get(name)!) };
    let paths: HTTPIngressPath[] = [main];
    if (tagHeaders) {
      if (name === '') {
        // Requests that name a tag in the header go to that tag's revision first.
        const tagged = names
          .filter((n) => n !== '')
          .map((tag) => ({
            headers: { [IngressHeaders.tag]: { exact: tag } },
            appendHeaders: { [IngressHeaders.tag]: tag },
            splits: makeSplits(ns, groups.get(tag)!),
          }));
        paths = [...tagged, main];
      } else {
        main.appendHeaders = { [IngressHeaders.tag]: name };
      }
    }
    rules.push(makeRule(expandedHosts(hostname, ns), 'ClusterLocal', structuredClone(paths)));
    if (!clusterLocal)
      rules.push(makeRule([routeHost(route, cfg, hostname)], 'ExternalIP', structuredClone(paths)));
  }
  const annotations: Record<string, string> = {
    [Annotations.ingressClass]: ingressClass,
    [Annotations.rollout]: serializeRollout(rollout),
  };
  for (const [k, v] of Object.entries(route.metadata.annotations ?? {}))
    if (!EXCLUDED_ANNOTATIONS.has(k)) annotations[k] = v;
  return {
    apiVersion: NETWORKING_INTERNAL_V1ALPHA1,
    kind: 'Ingress',
    metadata: {
      name: ingressName(route),
      namespace: ns,
      labels: {
        ...(route.metadata.labels ?? {}),
        [Labels.route]: route.metadata.name!,
        [Labels.routeNamespace]: ns,
      },
      annotations,
      ownerReferences: [controllerRef(route, SERVING_V1, 'Route')],
    },
    spec: {
      rules,
      ...(tls.length ? { tls: structuredClone(tls) } : {}),
      httpOption: cfg.network.httpProtocol === 'redirected' ? 'Redirected' : 'Enabled',
    },
  };
}

/** The ingress class of a Route: its annotation, else config-network's `ingress-class`. */
export function ingressClassFor(route: Route, cfg: KnativeConfigs): string {
  return route.metadata.annotations?.[Annotations.ingressClass] || cfg.network.ingressClass;
}
