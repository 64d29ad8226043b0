/**
 * DomainMapping conditions and transitions, ported from Knative Serving's
 * `pkg/apis/serving/v1beta1/domainmapping_lifecycle.go`. Reasons and messages are Knative's, verbatim.
 *
 * Every helper is a pure transition over a plain status object (mutated in place): the reconciler
 * uses them to write status, the CLI's describe/wait to read it with the same vocabulary.
 */
import { READY, conditionSet, type Clock } from '../conditions.js';
import type { Condition, DomainMapping } from '../types.js';
import { propagateReady } from './shared.js';
import { TLSMessages } from './route.js';

/** DomainMapping condition types. */
export const DomainMappingConditions = {
  ready: READY,
  domainClaimed: 'DomainClaimed',
  referenceResolved: 'ReferenceResolved',
  ingressReady: 'IngressReady',
  certificateProvisioned: 'CertificateProvisioned',
} as const;

/** DomainMapping: Ready depends on IngressReady, ReferenceResolved, CertificateProvisioned, DomainClaimed. */
export const domainMappingConditionSet = conditionSet(READY, [
  DomainMappingConditions.ingressReady,
  DomainMappingConditions.referenceResolved,
  DomainMappingConditions.certificateProvisioned,
  DomainMappingConditions.domainClaimed,
]);

type DomainMappingStatus = NonNullable<DomainMapping['status']>;

/** Initialises a DomainMapping's conditions. */
export function initializeDomainMappingConditions(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet.manage(status, now).initializeConditions();
}

/** DomainClaimed True: a ClusterDomainClaim for this name belongs to our namespace. */
export function markDomainClaimed(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet.manage(status, now).markTrue(DomainMappingConditions.domainClaimed);
}

/** DomainClaimed False DomainAlreadyClaimed. */
export function markDomainClaimNotOwned(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markFalse(
      DomainMappingConditions.domainClaimed,
      'DomainAlreadyClaimed',
      'The domain name is already in use by another DomainMapping',
    );
}

/** DomainClaimed False DomainClaimFailed with the failure as message. */
export function markDomainClaimFailed(status: DomainMappingStatus, message: string, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markFalse(DomainMappingConditions.domainClaimed, 'DomainClaimFailed', message);
}

/** ReferenceResolved True. */
export function markReferenceResolved(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet.manage(status, now).markTrue(DomainMappingConditions.referenceResolved);
}

/** ReferenceResolved False ResolveFailed with the resolution error as message. */
export function markReferenceNotResolved(status: DomainMappingStatus, message: string, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markFalse(DomainMappingConditions.referenceResolved, 'ResolveFailed', message);
}

/** IngressReady Unknown IngressNotConfigured. */
export function markDomainMappingIngressNotConfigured(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markUnknown(
      DomainMappingConditions.ingressReady,
      'IngressNotConfigured',
      'Ingress has not yet been reconciled.',
    );
}

/** IngressReady True. */
export function markDomainMappingIngressReady(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet.manage(status, now).markTrue(DomainMappingConditions.ingressReady);
}

/** IngressReady from an ingress's Ready condition (missing → IngressNotConfigured). */
export function propagateDomainMappingIngressStatus(
  status: DomainMappingStatus,
  ingressReady: Condition | undefined,
  now?: Clock,
): void {
  if (!ingressReady) return markDomainMappingIngressNotConfigured(status, now);
  propagateReady(domainMappingConditionSet, status, DomainMappingConditions.ingressReady, ingressReady, now);
}

/** CertificateProvisioned True TLSNotEnabled (default message: external-domain-tls is not enabled). */
export function markDomainMappingTLSNotEnabled(
  status: DomainMappingStatus,
  message: string = TLSMessages.externalDomainTLSNotEnabled,
  now?: Clock,
): void {
  domainMappingConditionSet
    .manage(status, now)
    .markTrueWithReason(DomainMappingConditions.certificateProvisioned, 'TLSNotEnabled', message);
}

/** CertificateProvisioned True CertificateExternallyProvided (spec.tls.secretName set). */
export function markCertificateExternallyProvided(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markTrueWithReason(
      DomainMappingConditions.certificateProvisioned,
      'CertificateExternallyProvided',
      'TLS certificate was provided externally',
    );
}

/** CertificateProvisioned True: the mapping's Certificate is ready. */
export function markDomainMappingCertificateReady(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet.manage(status, now).markTrue(DomainMappingConditions.certificateProvisioned);
}

/** CertificateProvisioned True HTTPDowngrade: not ready yet, served over http meanwhile. */
export function markDomainMappingHTTPDowngrade(status: DomainMappingStatus, name: string, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markTrueWithReason(
      DomainMappingConditions.certificateProvisioned,
      'HTTPDowngrade',
      `Certificate ${name} is not ready downgrade HTTP.`,
    );
}

/** CertificateProvisioned Unknown CertificateNotReady. */
export function markDomainMappingCertificateNotReady(
  status: DomainMappingStatus,
  name: string,
  now?: Clock,
): void {
  domainMappingConditionSet
    .manage(status, now)
    .markUnknown(
      DomainMappingConditions.certificateProvisioned,
      'CertificateNotReady',
      `Certificate ${name} is not ready.`,
    );
}

/** CertificateProvisioned False CertificateProvisionFailed. */
export function markDomainMappingCertificateProvisionFailed(
  status: DomainMappingStatus,
  name: string,
  now?: Clock,
): void {
  domainMappingConditionSet
    .manage(status, now)
    .markFalse(
      DomainMappingConditions.certificateProvisioned,
      'CertificateProvisionFailed',
      `Certificate ${name} failed to be provisioned.`,
    );
}

/** CertificateProvisioned False CertificateNotOwned. */
export function markDomainMappingCertificateNotOwned(
  status: DomainMappingStatus,
  name: string,
  now?: Clock,
): void {
  domainMappingConditionSet
    .manage(status, now)
    .markFalse(
      DomainMappingConditions.certificateProvisioned,
      'CertificateNotOwned',
      `There is an existing certificate ${name} that we don't own.`,
    );
}
