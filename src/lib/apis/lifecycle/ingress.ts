/**
 * KIngress conditions, ported from knative.dev/networking `pkg/apis/networking/v1alpha1/
 * ingress_lifecycle.go`: Ready depends on NetworkConfigured and LoadBalancerReady. The ingress
 * implementation (knlite's gateway) writes these; the Route and DomainMapping reconcilers read Ready.
 */
import { READY, conditionSet, type Clock } from '../conditions.js';
import type { IngressStatus, LoadBalancerIngress } from '../types.js';

/** KIngress condition types. */
export const IngressConditions = {
  ready: READY,
  networkConfigured: 'NetworkConfigured',
  loadBalancerReady: 'LoadBalancerReady',
} as const;

/** KIngress: Ready depends on NetworkConfigured and LoadBalancerReady. */
export const ingressConditionSet = conditionSet(READY, [
  IngressConditions.networkConfigured,
  IngressConditions.loadBalancerReady,
]);

/** Initialises a KIngress's conditions (all Unknown). */
export function initializeIngressConditions(status: IngressStatus, now?: Clock): void {
  ingressConditionSet.manage(status, now).initializeConditions();
}

/** NetworkConfigured True: the implementation has programmed the rules. */
export function markIngressNetworkConfigured(status: IngressStatus, now?: Clock): void {
  ingressConditionSet.manage(status, now).markTrue(IngressConditions.networkConfigured);
}

/** LoadBalancerReady True with the addresses the rules are reachable at. */
export function markIngressLoadBalancerReady(
  status: IngressStatus,
  publicLbs: LoadBalancerIngress[],
  privateLbs: LoadBalancerIngress[],
  now?: Clock,
): void {
  status.publicLoadBalancer = { ingress: structuredClone(publicLbs) };
  status.privateLoadBalancer = { ingress: structuredClone(privateLbs) };
  ingressConditionSet.manage(status, now).markTrue(IngressConditions.loadBalancerReady);
}

/** LoadBalancerReady False: the rules cannot be served as written (e.g. a host another ingress holds). */
export function markIngressLoadBalancerFailed(
  status: IngressStatus,
  reason: string,
  message: string,
  now?: Clock,
): void {
  ingressConditionSet.manage(status, now).markFalse(IngressConditions.loadBalancerReady, reason, message);
}
