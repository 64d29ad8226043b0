/**
 * Pure translation of Knative objects into the gateway's state: Routes and DomainMappings into the
 * host table (Knative's ingress rules, §3.3), Revisions into data-plane settings, Endpoints into
 * ready instances.
 */
import { Labels } from '../apis/keys.js';
import type { DomainMapping, Endpoints, Revision, Route } from '../apis/types.js';
import {
  DEFAULT_TIMEOUT_SECONDS,
  revisionKey,
  type HostRoute,
  type Instance,
  type RevisionTarget,
  type Split,
} from './state.js';

/** The host of a URL (`http://a.b.localhost:8080` → `a.b.localhost`), or undefined. */
export function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** Knative's expanded cluster-local hosts of `<name>` in `ns`: `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`. */
export function clusterLocalHosts(name: string, namespace: string): string[] {
  return [`${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
}

/** Host table plus the set of revisions some Route references. */
export interface RoutingTable {
  hosts: Map<string, HostRoute>;
  reachable: Set<string>;
}

/** Builds the host table from Routes' status (traffic, url, tag urls) and DomainMappings. */
export function makeRoutingTable(
  routes: readonly Route[],
  domainMappings: readonly DomainMapping[],
): RoutingTable {
  const hosts = new Map<string, HostRoute>();
  const reachable = new Set<string>();
  const byRoute = new Map<string, HostRoute>();

  for (const route of routes) {
    const ns = route.metadata.namespace ?? 'default';
    const name = route.metadata.name!;
    const traffic = route.status?.traffic ?? [];
    if (traffic.length === 0) continue;
    // The default host gets every target's percent, aggregated per revision.
    const percents = new Map<string, number>();
    for (const t of traffic) {
      if (!t.revisionName) continue;
      reachable.add(revisionKey(ns, t.revisionName));
      percents.set(t.revisionName, (percents.get(t.revisionName) ?? 0) + (t.percent ?? 0));
    }
    const splits: Split[] = [...percents].map(([revision, percent]) => ({ revision, percent }));
    const main: HostRoute = { namespace: ns, route: name, splits };
    byRoute.set(`${ns}/${name}`, main);
    const mainHost = hostOf(route.status?.url);
    for (const h of [...(mainHost ? [mainHost] : []), ...clusterLocalHosts(name, ns)]) hosts.set(h, main);

    // Each tag's URL host goes to the tagged revision only.
    for (const t of traffic) {
      if (!t.tag || !t.revisionName) continue;
      const tagged: HostRoute = {
        namespace: ns,
        route: name,
        splits: [{ revision: t.revisionName, percent: 100 }],
      };
      const tagHost = hostOf(t.url);
      for (const h of [...(tagHost ? [tagHost] : []), ...clusterLocalHosts(`${t.tag}-${name}`, ns)])
        hosts.set(h, tagged);
    }
  }

  for (const dm of domainMappings) {
    const ns = dm.metadata.namespace ?? 'default';
    const host = hostOf(dm.status?.url) ?? dm.metadata.name?.toLowerCase();
    const ref = dm.spec?.ref;
    if (!host || !ref?.name) continue;
    const refNs = ref.namespace ?? ns;
    const target = byRoute.get(`${refNs}/${ref.name}`);
    if (!target) continue;
    // Knative rewrites Host to the service's cluster-local name and keeps the original in K-Original-Host.
    hosts.set(host, { ...target, rewriteHost: `${ref.name}.${refNs}.svc.cluster.local` });
  }
  return { hosts, reachable };
}

/** A Revision's data-plane settings. */
export function makeRevisionTarget(rev: Revision): RevisionTarget {
  const labels = rev.metadata.labels ?? {};
  const spec = rev.spec ?? { containers: [] };
  const h2c = (spec.containers ?? []).some((c) => (c.ports ?? []).some((p) => p.name === 'h2c'));
  return {
    namespace: rev.metadata.namespace ?? 'default',
    name: rev.metadata.name!,
    service: labels[Labels.service],
    configuration: labels[Labels.configuration],
    containerConcurrency: spec.containerConcurrency ?? 0,
    timeoutSeconds: spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    responseStartTimeoutSeconds: spec.responseStartTimeoutSeconds,
    idleTimeoutSeconds: spec.idleTimeoutSeconds,
    protocol: h2c ? 'h2c' : 'http1',
    cpuRequestMillis: parseCpuMillis(spec.containers?.[0]?.resources?.requests?.cpu),
    annotations: { ...(rev.metadata.annotations ?? {}) },
  };
}

/** Ready instances from an Endpoints object (one subset per pod on the local cluster). */
export function makeInstances(ep: Endpoints): Instance[] {
  const out: Instance[] = [];
  for (const subset of ep.subsets ?? []) {
    const port = subset.ports?.[0]?.port;
    if (!port) continue;
    for (const a of subset.addresses ?? []) {
      out.push({ id: `${a.ip}:${port}`, ip: a.ip, port, pod: a.targetRef?.name });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** A CPU quantity ("500m", "1", "0.25") in millicores; undefined if absent or malformed. */
export function parseCpuMillis(quantity: string | undefined): number | undefined {
  if (!quantity) return undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
  if (!m) return undefined;
  return m[2] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
}
