/**
 * Route conditions and transitions, ported from Knative Serving's
 * `pkg/apis/serving/v1/route_lifecycle.go`. Reasons and messages are Knative's, verbatim.
 *
 * Every helper is a pure transition over a plain status object (mutated in place): the reconciler
 * uses them to write status, the CLI's describe/wait to read it with the same vocabulary.
 */
import { READY, conditionSet, type Clock } from '../conditions.js';
import type { Condition, KnStatus, RouteStatus } from '../types.js';
import { q, propagateReady } from './shared.js';

/** Route condition types. */
export const RouteConditions = {
  ready: READY,
  allTrafficAssigned: 'AllTrafficAssigned',
  ingressReady: 'IngressReady',
  certificateProvisioned: 'CertificateProvisioned',
} as const;

/** Route: Ready depends on AllTrafficAssigned, IngressReady and CertificateProvisioned. */
export const routeConditionSet = conditionSet(READY, [
  RouteConditions.allTrafficAssigned,
  RouteConditions.ingressReady,
  RouteConditions.certificateProvisioned,
]);

/** CertificateProvisioned messages for the TLSNotEnabled reason. */
export const TLSMessages = {
  externalDomainTLSNotEnabled: 'external-domain-tls is not enabled',
  clusterLocal: 'TLS is not enabled for cluster-local',
} as const;

/** Initialises a Route's conditions. */
export function initializeRouteConditions(status: RouteStatus, now?: Clock): void {
  routeConditionSet.manage(status, now).initializeConditions();
}

/** AllTrafficAssigned True. */
export function markTrafficAssigned(status: RouteStatus, now?: Clock): void {
  routeConditionSet.manage(status, now).markTrue(RouteConditions.allTrafficAssigned);
}

/** AllTrafficAssigned Unknown `Unknown` for unexpected errors while building traffic. */
export function markUnknownTrafficError(status: RouteStatus, message: string, now?: Clock): void {
  routeConditionSet.manage(status, now).markUnknown(RouteConditions.allTrafficAssigned, 'Unknown', message);
}

/** AllTrafficAssigned False `<Kind>Missing` "<Kind> "x" referenced in traffic not found.". */
export function markMissingTrafficTarget(status: RouteStatus, kind: string, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.allTrafficAssigned,
      `${kind}Missing`,
      `${kind} ${q(name)} referenced in traffic not found.`,
    );
}

/** AllTrafficAssigned Unknown RevisionMissing: the Configuration has no ready revision yet. */
export function markConfigurationNotReady(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markUnknown(
      RouteConditions.allTrafficAssigned,
      'RevisionMissing',
      `Configuration ${q(name)} is waiting for a Revision to become ready.`,
    );
}

/** AllTrafficAssigned False RevisionMissing: the Configuration failed without any ready revision. */
export function markConfigurationFailed(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.allTrafficAssigned,
      'RevisionMissing',
      `Configuration ${q(name)} does not have any ready Revision.`,
    );
}

/** AllTrafficAssigned Unknown RevisionMissing: a pinned revision is not ready yet. */
export function markRevisionNotReady(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markUnknown(
      RouteConditions.allTrafficAssigned,
      'RevisionMissing',
      `Revision ${q(name)} is not yet ready.`,
    );
}

/** AllTrafficAssigned False RevisionMissing: a pinned revision failed. */
export function markRevisionFailed(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.allTrafficAssigned,
      'RevisionMissing',
      `Revision ${q(name)} failed to become ready.`,
    );
}

/**
 * AllTrafficAssigned False RevisionNotOwned: a Service-owned Route pins a revision of another
 * Service (`owner` set) or of no Service (`owner` empty).
 */
export function markRevisionNotOwned(
  status: RouteStatus,
  revision: string,
  service: string,
  owner: string | undefined,
  now?: Clock,
): void {
  const message = owner
    ? `Revision ${q(revision)} belongs to Service ${q(owner)}, not Service ${q(service)}.`
    : `Revision ${q(revision)} does not belong to Service ${q(service)}.`;
  routeConditionSet
    .manage(status, now)
    .markFalse(RouteConditions.allTrafficAssigned, 'RevisionNotOwned', message);
}

/** AllTrafficAssigned False ErrorConfig: the domain/tag templates produced an invalid host. */
export function markDomainConfigError(status: RouteStatus, message: string, now?: Clock): void {
  routeConditionSet.manage(status, now).markFalse(RouteConditions.allTrafficAssigned, 'ErrorConfig', message);
}

/** IngressReady Unknown IngressNotConfigured. */
export function markIngressNotConfigured(status: RouteStatus | KnStatus, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markUnknown(
      RouteConditions.ingressReady,
      'IngressNotConfigured',
      'Ingress has not yet been reconciled.',
    );
}

/** IngressReady True: the gateway is programmed with this route's traffic. */
export function markIngressReady(status: RouteStatus, now?: Clock): void {
  routeConditionSet.manage(status, now).markTrue(RouteConditions.ingressReady);
}

/** The reason of IngressReady (and so Ready) while a gradual rollout moves traffic. */
export const ROLLOUT_IN_PROGRESS = 'RolloutInProgress';

/** IngressReady Unknown RolloutInProgress during a gradual rollout. */
export function markIngressRolloutInProgress(status: RouteStatus, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markUnknown(
      RouteConditions.ingressReady,
      ROLLOUT_IN_PROGRESS,
      'A gradual rollout of the latest revision(s) is in progress.',
    );
}

/** IngressReady from an ingress's Ready condition (missing → IngressNotConfigured). */
export function propagateIngressStatus(
  status: RouteStatus,
  ingressReady: Condition | undefined,
  now?: Clock,
): void {
  if (!ingressReady) return markIngressNotConfigured(status, now);
  propagateReady(routeConditionSet, status, RouteConditions.ingressReady, ingressReady, now);
}

/** IngressReady False NotOwned: a placeholder Service of the route's host name is not ours. */
export function markServiceNotOwned(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.ingressReady,
      'NotOwned',
      `There is an existing placeholder Service ${q(name)} that we do not own.`,
    );
}

/** IngressReady False NotOwned: placeholder Endpoints exist and are not ours. */
export function markEndpointNotOwned(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.ingressReady,
      'NotOwned',
      `There is an existing placeholder Endpoint ${q(name)} that we do not own.`,
    );
}

/** CertificateProvisioned True TLSNotEnabled (default message: external-domain-tls is not enabled). */
export function markTLSNotEnabled(
  status: RouteStatus,
  message: string = TLSMessages.externalDomainTLSNotEnabled,
  now?: Clock,
): void {
  routeConditionSet
    .manage(status, now)
    .markTrueWithReason(RouteConditions.certificateProvisioned, 'TLSNotEnabled', message);
}

/**
 * CertificateProvisioned True.
 * @public Knative's CertificateProvisioned transitions stay together as a set.
 */
export function markCertificateReady(status: RouteStatus, now?: Clock): void {
  routeConditionSet.manage(status, now).markTrue(RouteConditions.certificateProvisioned);
}

/**
 * CertificateProvisioned Unknown CertificateNotReady ("Certificate <name> is not ready: <reason>").
 * @public
 */
export function markCertificateNotReady(status: RouteStatus, name: string, reason = '', now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markUnknown(
      RouteConditions.certificateProvisioned,
      'CertificateNotReady',
      `Certificate ${name} is not ready: ${reason}`,
    );
}

/** CertificateProvisioned False CertificateProvisionFailed ("Certificate <name> fails to be provisioned: <reason>"). */
export function markCertificateProvisionFailed(
  status: RouteStatus,
  name: string,
  reason = '',
  now?: Clock,
): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.certificateProvisioned,
      'CertificateProvisionFailed',
      `Certificate ${name} fails to be provisioned: ${reason}`,
    );
}

/**
 * CertificateProvisioned False CertificateNotOwned.
 * @public
 */
export function markCertificateNotOwned(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.certificateProvisioned,
      'CertificateNotOwned',
      `There is an existing certificate ${name} that we don't own.`,
    );
}

/**
 * CertificateProvisioned True HTTPDowngrade.
 * @public
 */
export function markHTTPDowngrade(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markTrueWithReason(
      RouteConditions.certificateProvisioned,
      'HTTPDowngrade',
      `Certificate ${name} is not ready downgrade HTTP.`,
    );
}
