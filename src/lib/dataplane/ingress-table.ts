/**
 * The gateway as a KIngress implementation, pure part: the KIngress objects of knlite's ingress
 * class become the host table, and each KIngress gets an outcome — programmed (every host routes),
 * pending (a DomainMapping whose rewritten host is not routed yet) or failed (a host another KIngress
 * holds). The status writer turns outcomes into KIngress conditions.
 *
 * Host ownership: a Route's hosts belong to its KIngress (the oldest one wins a clash between
 * Routes); a DomainMapping's KIngress (it rewrites Host) can never take a host a Route serves, and a
 * mapping's KIngress only exists while it holds the domain's ClusterDomainClaim.
 *
 * TLS: each `spec.tls` entry names the Secret (`secretNamespace/secretName`) whose certificate the
 * HTTPS port serves for its hosts (a host the KIngress does not hold is ignored). With
 * `httpOption: Redirected`, plain-HTTP requests to the KIngress's ExternalIP hosts are answered
 * with a redirect to https (cluster-local hosts keep plain HTTP, as Knative's ingresses do).
 */
import { Annotations, IngressHeaders, KNLITE_INGRESS_CLASS, Labels } from '../apis/keys.js';
import type { HTTPIngressPath, Ingress } from '../apis/types.js';
import { normalizeHost, revisionKey, type HostRoute, type Split } from './state.js';

/** What the gateway did with one KIngress. */
export type IngressOutcome =
  { state: 'programmed' } | { state: 'pending' } | { state: 'failed'; reason: string; message: string };

/** The host table, the revisions some host sends traffic to, and each KIngress's outcome by `ns/name`. */
export interface IngressTable {
  hosts: Map<string, HostRoute>;
  /** Host → `namespace/name` of the Secret holding its certificate. */
  tls: Map<string, string>;
  reachable: Set<string>;
  outcomes: Map<string, IngressOutcome>;
}

/** Whether knlite's gateway implements this KIngress (its class annotation names knlite's class). */
export function isKnliteIngress(ing: Ingress, ingressClass = KNLITE_INGRESS_CLASS): boolean {
  return ing.metadata.annotations?.[Annotations.ingressClass] === ingressClass;
}

/** `ns/name` of a KIngress. */
export function ingressKey(ing: Ingress): string {
  return `${ing.metadata.namespace ?? 'default'}/${ing.metadata.name}`;
}

const rewrites = (ing: Ingress): boolean =>
  ing.spec.rules.some((r) => r.http.paths.some((p) => p.rewriteHost));

/**
 * Route KIngresses first, then DomainMappings; older before newer; then by key (deterministic).
 * The sort keys are computed once per KIngress, not once per comparison: the table is rebuilt from
 * every KIngress on each change.
 */
function byPrecedence(ingresses: readonly Ingress[]): Ingress[] {
  const keyed = ingresses.map((ing) => ({
    ing,
    rewrites: rewrites(ing) ? 1 : 0,
    created: ing.metadata.creationTimestamp ?? '',
    key: ingressKey(ing),
  }));
  keyed.sort((a, b) => {
    if (a.rewrites !== b.rewrites) return a.rewrites - b.rewrites;
    if (a.created !== b.created) return a.created < b.created ? -1 : 1;
    return a.key < b.key ? -1 : 1;
  });
  return keyed.map((k) => k.ing);
}

function splitsOf(path: HTTPIngressPath): Split[] {
  return path.splits.map((s) => ({ revision: s.serviceName, percent: s.percent }));
}

/** The tag a path matches on (`Knative-Serving-Tag: <tag>`), if it is a tag-header path. */
function headerTag(path: HTTPIngressPath): string | undefined {
  const entry = Object.entries(path.headers ?? {}).find(
    ([name]) => name.toLowerCase() === IngressHeaders.tag.toLowerCase(),
  );
  return entry?.[1].exact;
}

/** The HostRoute of one rule's paths (header-matched tag paths become `byTag`). */
function makeHostRoute(ing: Ingress, paths: HTTPIngressPath[]): HostRoute {
  const namespace = ing.metadata.namespace ?? 'default';
  const route = ing.metadata.labels?.[Labels.route] ?? ing.metadata.name!;
  const main = paths.find((p) => headerTag(p) === undefined) ?? paths[0];
  const hostRoute: HostRoute = { namespace, route, splits: main ? splitsOf(main) : [] };
  for (const p of paths) {
    const tag = headerTag(p);
    if (tag === undefined) continue;
    hostRoute.byTag ??= {};
    hostRoute.byTag[tag] = { namespace, route, splits: splitsOf(p) };
  }
  return hostRoute;
}

/** Programs the host table from every KIngress of knlite's class. */
export function makeIngressTable(ingresses: readonly Ingress[]): IngressTable {
  const hosts = new Map<string, HostRoute>();
  const owner = new Map<string, string>();
  const outcomes = new Map<string, IngressOutcome>();
  const tls = new Map<string, string>();

  for (const ing of byPrecedence(ingresses)) {
    const key = ingressKey(ing);
    const wanted = new Map<string, HostRoute>();
    let pending = false;
    for (const rule of ing.spec.rules ?? []) {
      const paths = rule.http?.paths ?? [];
      const rewrite = paths.find((p) => p.rewriteHost)?.rewriteHost;
      let hostRoute: HostRoute | undefined;
      if (rewrite) {
        // A DomainMapping: route as the rewritten (cluster-local) host is routed.
        const target = hosts.get(normalizeHost(rewrite));
        if (!target) {
          pending = true;
          continue;
        }
        hostRoute = { ...target, rewriteHost: rewrite };
        delete hostRoute.httpsRedirect;
      } else {
        hostRoute = makeHostRoute(ing, paths);
      }
      if (ing.spec.httpOption === 'Redirected' && rule.visibility !== 'ClusterLocal')
        hostRoute.httpsRedirect = true;
      for (const h of rule.hosts ?? []) wanted.set(normalizeHost(h), hostRoute);
    }
    const taken = [...wanted.keys()].find((h) => owner.has(h) && owner.get(h) !== key);
    if (taken) {
      outcomes.set(key, {
        state: 'failed',
        reason: 'DomainConflict',
        message: `host "${taken}" is already served by KIngress "${owner.get(taken)}"`,
      });
      continue;
    }
    for (const [h, r] of wanted) {
      hosts.set(h, r);
      owner.set(h, key);
    }
    for (const entry of ing.spec.tls ?? []) {
      const secret = `${entry.secretNamespace || ing.metadata.namespace}/${entry.secretName}`;
      for (const h of entry.hosts ?? []) if (wanted.has(normalizeHost(h))) tls.set(normalizeHost(h), secret);
    }
    outcomes.set(key, { state: pending ? 'pending' : 'programmed' });
  }

  const reachable = new Set<string>();
  for (const r of hosts.values()) {
    if (r.rewriteHost) continue;
    for (const s of r.splits) reachable.add(revisionKey(r.namespace, s.revision));
    for (const t of Object.values(r.byTag ?? {}))
      for (const s of t.splits) reachable.add(revisionKey(t.namespace, s.revision));
  }
  return { hosts, tls, reachable, outcomes };
}
