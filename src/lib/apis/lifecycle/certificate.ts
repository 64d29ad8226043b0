/**
 * Certificate (KCert) conditions, ported from knative.dev/networking `pkg/apis/networking/
 * v1alpha1/certificate_lifecycle.go`: a living condition set with Ready only. The certificate
 * implementation (knlite's local CA reconciler) writes them; the Route reconciler reads Ready.
 */
import { READY, conditionSet, getCondition, type Clock } from '../conditions.js';
import type { Certificate } from '../types.js';
import { resourceNotOwnedMessage } from './shared.js';

/** Certificate: Ready alone. */
export const certificateConditionSet = conditionSet(READY, []);

type CertificateStatus = NonNullable<Certificate['status']>;

/** Initialises a Certificate's conditions (Ready Unknown). */
export function initializeCertificateConditions(status: CertificateStatus, now?: Clock): void {
  certificateConditionSet.manage(status, now).initializeConditions();
}

/** Ready True: the certificate is in its Secret. */
export function markCertificateIssued(status: CertificateStatus, notAfter: Date, now?: Clock): void {
  status.notAfter = notAfter.toISOString();
  certificateConditionSet.manage(status, now).markTrue(READY);
}

/** Ready False NotOwned: a Secret of that name exists and is not the Certificate's. */
export function markCertificateSecretNotOwned(status: CertificateStatus, name: string, now?: Clock): void {
  certificateConditionSet
    .manage(status, now)
    .markFalse(READY, 'NotOwned', resourceNotOwnedMessage('Secret', name));
}

/** Whether the Certificate is Ready. */
export function isCertificateReady(cert: Certificate): boolean {
  return getCondition(cert.status, READY)?.status === 'True';
}
