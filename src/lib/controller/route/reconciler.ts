/**
 * Route reconciler (pkg/reconciler/route, §2.4, §3): resolves traffic all-or-nothing, publishes
 * url/address/traffic, and marks IngressReady once traffic is resolved — there is no KIngress: the
 * knlite gateway programs itself from Route status.
 */
import {
  initializeRouteConditions,
  markDomainConfigError,
  markIngressNotConfigured,
  markIngressReady,
  markTLSNotEnabled,
  markTrafficAssigned,
  markUnknownTrafficError,
  routeConditionSet,
} from '../../apis/lifecycle.js';
import type { Route } from '../../apis/types.js';
import type { ReconcilerDeps } from '../context.js';
import { defaultTraffic } from '../defaults.js';
import type { KindReconciler } from '../runtime/driver.js';
import { Kinds } from '../../kube/kinds.js';
import { markNewObservedGeneration } from '../status.js';
import { routeAddress, routeHost, routeUrl, tagUrl, validateHost } from './resources/domains.js';
import { makeStatusTraffic, resolveTraffic } from './resources/traffic.js';

/** Builds the Route reconciler. */
export function routeReconciler(deps: ReconcilerDeps): KindReconciler<Route> {
  const { listers } = deps;
  const now = () => deps.now();

  return {
    kind: Kinds.route,
    setDefaults: (route) => defaultTraffic(route.spec.traffic),
    initializeStatus: (route) => {
      initializeRouteConditions(route.status!, now);
      // A new generation has not been programmed into the gateway yet.
      if ((route.status!.observedGeneration ?? 0) !== (route.metadata.generation ?? 0))
        markIngressNotConfigured(route.status!, now);
      markNewObservedGeneration(routeConditionSet, route, now);
    },
    async reconcileKind(route) {
      const cfg = deps.config();
      const status = route.status!;

      // Hosts first: a bad domain/tag template fails the route before any traffic moves.
      let hostError: string | undefined;
      try {
        const hosts = [
          routeHost(route, cfg, route.metadata.name!),
          ...(route.spec.traffic ?? [])
            .filter((t) => t.tag)
            .map((t) => new URL(tagUrl(route, cfg, t.tag!)).hostname),
        ];
        hostError = hosts.map(validateHost).find(Boolean);
      } catch (err) {
        hostError = `domain name error: ${(err as Error).message}`;
      }
      if (hostError) {
        markDomainConfigError(status, hostError, now);
        return;
      }

      const result = resolveTraffic(route, listers.configurations, listers.revisions);
      status.url = routeUrl(route, cfg);
      if (result.error) {
        // All or nothing: keep the previous status.traffic (and gateway programming).
        result.error.mark(status, now);
        return;
      }
      try {
        status.traffic = makeStatusTraffic(result.targets, (tag) => tagUrl(route, cfg, tag));
      } catch (err) {
        markUnknownTrafficError(status, (err as Error).message, now);
        throw err;
      }
      markTrafficAssigned(status, now);
      status.address = { url: routeAddress(route) };
      markTLSNotEnabled(status, undefined, now);
      markIngressReady(status, now);
    },
  };
}
