/**
 * First step: Host header (and, with tag-header routing, `Knative-Serving-Tag`) → route → one
 * revision, picked per request by the KIngress split percentages.
 * Unknown hosts get 404 with a one-line body naming the host. A plain-HTTP request to a host whose
 * KIngress says `httpOption: Redirected` gets 301 to the same URL over https (as Knative's
 * ingresses answer), before any revision is picked or counted.
 */
import { DEFAULT_TIMEOUT_SECONDS, revisionKey, type RevisionTarget, type Split } from '../state.js';
import type { GatewayDeps } from './deps.js';
import { reply, type Handler } from './exchange.js';

/** Picks a split at random, weighted by percent (0% splits never win). */
export function pickSplit(splits: readonly Split[], random: number = Math.random()): Split | undefined {
  if (splits.length === 1) return splits[0].percent > 0 ? splits[0] : undefined;
  const total = splits.reduce((sum, s) => sum + Math.max(0, s.percent), 0);
  if (total <= 0) return undefined;
  let point = random * total;
  for (const s of splits) {
    if (s.percent <= 0) continue;
    point -= s.percent;
    if (point < 0) return s;
  }
  return splits.filter((s) => s.percent > 0).at(-1);
}

/** Settings for a revision the informers have not delivered yet (Knative's defaults). */
function defaultRevision(namespace: string, name: string): RevisionTarget {
  return {
    namespace,
    name,
    containerConcurrency: 0,
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    protocol: 'http1',
    annotations: {},
  };
}

/** Resolves the exchange's route and revision. */
export const makeRouteHandler =
  (next: Handler, deps: GatewayDeps): Handler =>
  async (ex) => {
    const hostRoute = deps.state.lookupHost(ex.host);
    if (!hostRoute) return reply(ex, 404, `knlite: no Knative route for host "${ex.host || '(none)'}"`);
    if (hostRoute.httpsRedirect && ex.scheme === 'http') {
      const port = deps.httpsRedirectPort === 443 ? '' : `:${deps.httpsRedirectPort}`;
      const location = `https://${ex.host}${port}${ex.req.url ?? '/'}`;
      return reply(ex, 301, `redirecting to ${location}`, { location });
    }
    // Tag-header routing (when the KIngress carries tag paths); an unknown tag keeps the default split.
    const tag = hostRoute.byTag ? ex.req.headers['knative-serving-tag'] : undefined;
    const route = (typeof tag === 'string' && hostRoute.byTag![tag]) || hostRoute;
    const split = pickSplit(route.splits);
    if (!split)
      return reply(
        ex,
        503,
        `knlite: route "${route.route}" in namespace "${route.namespace}" has no traffic targets`,
      );
    ex.route = route;
    ex.revisionKey = revisionKey(route.namespace, split.revision);
    ex.revision = deps.state.getRevision(ex.revisionKey) ?? defaultRevision(route.namespace, split.revision);
    return next(ex);
  };
