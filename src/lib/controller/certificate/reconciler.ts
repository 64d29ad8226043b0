/**
 * Certificate reconciler for knlite's certificate class: issues each Certificate's DNS names from
 * the local CA into its Secret (type kubernetes.io/tls: `tls.crt`, `tls.key`, and `ca.crt`), owned
 * by the Certificate, and reports Ready with `notAfter`. A certificate that is still good (issued
 * by this CA, same names, more than 30 days left) is kept; it is re-checked daily and renewed in
 * time. The Secret is read by name only (no Secret informer): this reconciler never lists Secrets.
 */
import {
  certificateConditionSet,
  initializeCertificateConditions,
  markCertificateIssued,
  markCertificateSecretNotOwned,
} from '../../apis/lifecycle/certificate.js';
import { NETWORKING_INTERNAL_V1ALPHA1 } from '../../apis/keys.js';
import type { Certificate, Secret } from '../../apis/types.js';
import { isNotFound } from '../../kube/errors.js';
import { Kinds } from '../../kube/kinds.js';
import { controllerRef, isControlledBy } from '../../apis/owner.js';
import { type ReconcilerDeps } from '../context.js';
import type { KindReconciler } from '../framework/driver.js';
import { markNewObservedGeneration } from '../status.js';
import { issueCertificate, RENEW_BEFORE_DAYS, stillValid, type CertificateAuthority } from './issuer.js';

const DAY = 24 * 3600_000;

/** The Secret holding an issued certificate. */
export function makeCertificateSecret(
  cert: Certificate,
  issued: { certPem: string; keyPem: string },
  caPem: string,
): Secret {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: cert.spec.secretName,
      namespace: cert.metadata.namespace,
      ownerReferences: [controllerRef(cert, NETWORKING_INTERNAL_V1ALPHA1, 'Certificate')],
    },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(issued.certPem), 'tls.key': b64(issued.keyPem), 'ca.crt': b64(caPem) },
  };
}

/** Builds the reconciler issuing from `ca`. */
export function certificateReconciler(
  deps: ReconcilerDeps,
  ca: CertificateAuthority,
): KindReconciler<Certificate> {
  const now = () => deps.now();
  const { client } = deps;

  async function getSecret(cert: Certificate): Promise<Secret | undefined> {
    try {
      return await client.get<Secret>(Kinds.secret, cert.metadata.namespace, cert.spec.secretName);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  return {
    kind: Kinds.certificate,
    initializeStatus: (cert) => {
      initializeCertificateConditions(cert.status!, now);
      markNewObservedGeneration(certificateConditionSet, cert, now);
    },
    async reconcileKind(cert) {
      const status = cert.status!;
      const have = await getSecret(cert);
      if (have && !isControlledBy(have, cert)) {
        markCertificateSecretNotOwned(status, cert.spec.secretName, now);
        return;
      }
      const crt = have?.data?.['tls.crt'] && Buffer.from(have.data['tls.crt'], 'base64').toString('utf8');
      let notAfter = crt ? stillValid(ca, crt, cert.spec.dnsNames, now()) : undefined;
      if (!notAfter) {
        const issued = issueCertificate(ca, cert.spec.dnsNames, now());
        const want = makeCertificateSecret(cert, issued, ca.certPem);
        if (have)
          await client.replace(Kinds.secret, { ...want, metadata: { ...have.metadata, ...want.metadata } });
        else await client.create(Kinds.secret, want);
        notAfter = issued.notAfter;
      }
      markCertificateIssued(status, notAfter, now);
      // Re-check daily (a deleted Secret is re-issued) and in time for renewal.
      const renewIn = notAfter.getTime() - RENEW_BEFORE_DAYS * DAY - now().getTime();
      return { requeueAfter: Math.max(1000, Math.min(DAY, renewIn)) };
    },
  };
}
