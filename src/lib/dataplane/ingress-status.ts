/**
 * The gateway's word on each KIngress it implements: once the host table holding a KIngress's
 * hosts is live (a request to them would be routed), its status says NetworkConfigured,
 * LoadBalancerReady (with the gateway's addresses) and Ready for that generation; a KIngress that
 * cannot be served as written says why. Pending ones (a DomainMapping whose target is not routed
 * yet) are left alone until the next programming.
 */
import { deepEqual } from '../controller/framework/equality.js';
import { Kinds } from '../kube/kinds.js';
import { isConflict, isNotFound } from '../kube/errors.js';
import type { RestClient } from '../kube/rest.js';
import {
  initializeIngressConditions,
  markIngressLoadBalancerFailed,
  markIngressLoadBalancerReady,
  markIngressNetworkConfigured,
} from '../apis/lifecycle/ingress.js';
import type { Ingress, IngressStatus, LoadBalancerIngress } from '../apis/types.js';
import { ingressKey, type IngressOutcome } from './ingress-table.js';

/** The address the gateway is reached at inside a cluster (its Service in knative-serving). */
export const GATEWAY_DOMAIN_INTERNAL = 'knlite-gateway.knative-serving.svc.cluster.local';

/** The status a KIngress should have after `outcome`, or undefined to leave it as it is. */
export function makeIngressStatus(
  ing: Ingress,
  outcome: IngressOutcome,
  loadBalancers: LoadBalancerIngress[],
  now: () => Date = () => new Date(),
): IngressStatus | undefined {
  if (outcome.state === 'pending') return undefined;
  const status: IngressStatus = structuredClone(ing.status ?? {});
  initializeIngressConditions(status, now);
  markIngressNetworkConfigured(status, now);
  if (outcome.state === 'programmed') markIngressLoadBalancerReady(status, loadBalancers, loadBalancers, now);
  else markIngressLoadBalancerFailed(status, outcome.reason, outcome.message, now);
  status.observedGeneration = ing.metadata.generation ?? 0;
  return status;
}

/** Writes KIngress statuses after each programming; failed writes are retried by the next one. */
export class IngressStatusWriter {
  /** Keys with a write in flight (a later programming re-evaluates them once it lands). */
  private readonly inFlight = new Set<string>();
  /**
   * The outcome each cached KIngress object already has the right status for. The table is rebuilt
   * from every KIngress on each change, so without this a thousand KIngresses meant a thousand
   * status computations per change; the informer replaces an object when it changes, so an entry
   * lasts exactly as long as the object it describes.
   */
  private readonly upToDate = new WeakMap<Ingress, IngressOutcome>();

  constructor(
    private readonly client: RestClient,
    private readonly loadBalancers: LoadBalancerIngress[],
    private readonly log: (msg: string) => void,
    private readonly retry: () => void,
  ) {}

  /** Reports every outcome whose status differs from what is stored. */
  report(ingresses: readonly Ingress[], outcomes: Map<string, IngressOutcome>): void {
    for (const ing of ingresses) {
      const key = ingressKey(ing);
      const outcome = outcomes.get(key);
      if (!outcome || this.inFlight.has(key)) continue;
      const known = this.upToDate.get(ing);
      if (known && sameOutcome(known, outcome)) continue;
      const status = makeIngressStatus(ing, outcome, this.loadBalancers);
      if (!status || deepEqual(status, ing.status)) {
        this.upToDate.set(ing, outcome);
        continue;
      }
      this.inFlight.add(key);
      this.client
        .replaceStatus(Kinds.ingress, { ...ing, status })
        .catch((err: unknown) => {
          // A conflict means a newer version is on its way through the informer; anything else is retried.
          if (isConflict(err) || isNotFound(err)) return;
          this.log(`writing status of KIngress ${key}: ${(err as Error).message}`);
          setTimeout(this.retry, 1000).unref();
        })
        .finally(() => this.inFlight.delete(key));
    }
  }
}

function sameOutcome(a: IngressOutcome, b: IngressOutcome): boolean {
  return (
    a.state === b.state &&
    (a.state !== 'failed' || (b.state === 'failed' && a.reason === b.reason && a.message === b.message))
  );
}
