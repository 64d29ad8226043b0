/**
 * DomainMapping reconciler (pkg/reconciler/domainmapping): claims the domain cluster-wide
 * through a ClusterDomainClaim (auto-created when config-network allows), sets up TLS, resolves
 * the target, and publishes the URL. TLS is the mapping's own Secret (`spec.tls`), or under
 * external-domain-tls a Certificate for the mapped host (the Route's builder): once ready it goes
 * into the KIngress and the URL is https; until then the URL is http while `http-protocol` is
 * Enabled (HTTPDowngrade). A second mapping of the same domain in another namespace stays
 * DomainAlreadyClaimed until the first is deleted — its finalizer releases the claim.
 */
import { Annotations, Finalizers } from '../../apis/keys.js';
import {
  domainMappingConditionSet,
  initializeDomainMappingConditions,
  markCertificateExternallyProvided,
  markDomainMappingCertificateNotOwned,
  markDomainMappingCertificateNotReady,
  markDomainMappingCertificateProvisionFailed,
  markDomainMappingCertificateReady,
  markDomainMappingHTTPDowngrade,
  markDomainClaimFailed,
  markDomainClaimNotOwned,
  markDomainClaimed,
  markDomainMappingIngressNotConfigured,
  markDomainMappingTLSNotEnabled,
  markReferenceNotResolved,
  markReferenceResolved,
  propagateDomainMappingIngressStatus,
} from '../../apis/lifecycle/domainmapping.js';
import { getCondition, READY } from '../../apis/conditions.js';
import { isCertificateReady } from '../../apis/lifecycle/certificate.js';
import type { DomainMapping } from '../../apis/types.js';
import { formatUrl } from '../../apis/config/network.js';
import type { ReconcilerDeps } from '../context.js';
import { ingressObserved, reconcileIngress } from '../ingress.js';
import { CertificateNotOwnedError, reconcileCertificate } from '../owned-certificate.js';
import { externalDomainTLSEnabled, makeIngressTLS, type IngressTLS } from '../route/resources/certificate.js';
import type { KindReconciler } from '../framework/driver.js';
import { Kinds } from '../../kube/kinds.js';
import { isAlreadyExists, isNotFound } from '../../kube/errors.js';
import { markNewObservedGeneration } from '../status.js';
import { makeDomainClaim } from './resources/claim.js';
import { makeDomainMappingCertificate } from './resources/certificate.js';
import {
  domainMappingIngressName,
  externallyProvidedTLS,
  makeDomainMappingIngress,
} from './resources/ingress.js';
import { resolveRef } from './resources/resolve.js';

/** Builds the DomainMapping reconciler. */
export function domainMappingReconciler(deps: ReconcilerDeps): KindReconciler<DomainMapping> {
  const { listers, client, recorder } = deps;
  const now = () => deps.now();

  async function reconcileDomainClaim(dm: DomainMapping): Promise<void> {
    const name = dm.metadata.name!;
    let claim = listers.clusterDomainClaims.get(undefined, name);
    if (!claim) {
      if (!deps.config().network.autocreateClusterDomainClaims) {
        markDomainClaimNotOwned(dm.status!, now);
        await deleteIngress(dm);
        throw new Error(
          `no ClusterDomainClaim found for domain "${name}" (and autocreate-cluster-domain-claims property is not true)`,
        );
      }
      try {
        claim = await client.create(Kinds.clusterDomainClaim, makeDomainClaim(dm));
      } catch (err) {
        // Lost a race with another namespace's mapping: re-evaluate from the cache next time.
        if (isAlreadyExists(err)) {
          markDomainClaimNotOwned(dm.status!, now);
          throw err;
        }
        markDomainClaimFailed(dm.status!, (err as Error).message, now);
        throw new Error(`failed to create ClusterDomainClaim: ${(err as Error).message}`);
      }
    }
    if (claim.spec.namespace !== dm.metadata.namespace) {
      markDomainClaimNotOwned(dm.status!, now);
      await deleteIngress(dm);
      throw new Error(`domain mapping: "${name}" does not own matching cluster domain claim`);
    }
    markDomainClaimed(dm.status!, now);
  }

  /** A mapping without the claim must receive no traffic: its KIngress goes. */
  async function deleteIngress(dm: DomainMapping): Promise<void> {
    const name = domainMappingIngressName(dm);
    const have = listers.ingresses.get(dm.metadata.namespace, name);
    if (!have) return;
    try {
      await client.delete(Kinds.ingress, dm.metadata.namespace, name, { uid: have.metadata.uid });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * The KIngress TLS entries and the URL scheme (Knative's domainmapping tls()): the mapping's own
   * Secret; else, under external-domain-tls, its Certificate (in the KIngress once ready).
   */
  async function reconcileTLS(dm: DomainMapping): Promise<{ tls: IngressTLS[]; scheme?: string }> {
    const cfg = deps.config();
    const status = dm.status!;
    if (dm.spec.tls?.secretName) {
      markCertificateExternallyProvided(status, now);
      return { tls: externallyProvidedTLS(dm), scheme: 'https' };
    }
    if (!externalDomainTLSEnabled(dm, cfg)) {
      markDomainMappingTLSNotEnabled(status, undefined, now);
      return { tls: [] };
    }
    const want = makeDomainMappingCertificate(dm, cfg);
    const name = want.metadata.name!;
    let cert;
    try {
      cert = await reconcileCertificate(client, recorder, listers.certificates, dm, want);
    } catch (err) {
      if (err instanceof CertificateNotOwnedError) markDomainMappingCertificateNotOwned(status, name, now);
      else markDomainMappingCertificateProvisionFailed(status, name, now);
      throw err;
    }
    const dnsNames = want.spec.dnsNames ?? [];
    const scheme = dnsNames.includes(dm.metadata.name!) ? 'https' : undefined;
    if (isCertificateReady(cert)) {
      markDomainMappingCertificateReady(status, now);
      return { tls: [makeIngressTLS(cert, dnsNames)], scheme };
    }
    if (cfg.network.httpProtocol === 'enabled') {
      markDomainMappingHTTPDowngrade(status, name, now);
      return { tls: [], scheme: 'http' };
    }
    markDomainMappingCertificateNotReady(status, name, now);
    return { tls: [], scheme };
  }

  return {
    kind: Kinds.domainMapping,
    finalizer: Finalizers.domainMapping,
    initializeStatus: (dm) => {
      initializeDomainMappingConditions(dm.status!, now);
      markNewObservedGeneration(domainMappingConditionSet, dm, now);
    },
    async reconcileKind(dm) {
      await reconcileDomainClaim(dm);

      const publish = (scheme?: string) => {
        const url = formatUrl(dm.metadata.name!, deps.config().network, { scheme });
        dm.status!.url = url;
        dm.status!.address = { url };
      };
      publish(); // the default scheme, unless TLS says otherwise below
      const { tls, scheme } = await reconcileTLS(dm);
      publish(scheme);

      const resolved = resolveRef(dm, listers);
      if (resolved.error !== undefined) {
        markReferenceNotResolved(dm.status!, resolved.error, now);
        // Not retried with backoff: the target's own events bring this mapping back (byRef index).
        return;
      }
      markReferenceResolved(dm.status!, now);

      const ingressClass =
        dm.metadata.annotations?.[Annotations.ingressClass] || deps.config().network.ingressClass;
      const httpOption = deps.config().network.httpProtocol === 'redirected' ? 'Redirected' : 'Enabled';
      const want = makeDomainMappingIngress(
        dm,
        new URL(resolved.url).hostname,
        ingressClass,
        httpOption,
        tls,
      );
      const ingress = await reconcileIngress(client, listers.ingresses, want);
      // Ready only on the ingress implementation's word for this generation of the KIngress.
      if (!ingressObserved(ingress)) markDomainMappingIngressNotConfigured(dm.status!, now);
      else propagateDomainMappingIngressStatus(dm.status!, getCondition(ingress.status, READY), now);
    },
    async finalizeKind(dm) {
      if (!deps.config().network.autocreateClusterDomainClaims) return;
      const claim = listers.clusterDomainClaims.get(undefined, dm.metadata.name!);
      if (!claim || claim.spec.namespace !== dm.metadata.namespace) return;
      try {
        await client.delete(Kinds.clusterDomainClaim, undefined, dm.metadata.name!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}
