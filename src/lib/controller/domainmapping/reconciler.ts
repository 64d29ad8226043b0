/**
 * DomainMapping reconciler (pkg/reconciler/domainmapping): claims the domain cluster-wide
 * through a ClusterDomainClaim (auto-created when config-network allows), resolves the target, and
 * publishes the URL. A second mapping of the same domain in another namespace stays
 * DomainAlreadyClaimed until the first is deleted — its finalizer releases the claim.
 */
import { Annotations, Finalizers } from '../../apis/keys.js';
import {
  domainMappingConditionSet,
  initializeDomainMappingConditions,
  markCertificateExternallyProvided,
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
import type { DomainMapping } from '../../apis/types.js';
import { formatUrl } from '../../apis/config/network.js';
import type { ReconcilerDeps } from '../context.js';
import { ingressObserved, reconcileIngress } from '../ingress.js';
import type { KindReconciler } from '../runtime/driver.js';
import { Kinds } from '../../kube/kinds.js';
import { isAlreadyExists, isNotFound } from '../../kube/errors.js';
import { markNewObservedGeneration } from '../status.js';
import { makeDomainClaim } from './resources/claim.js';
import { domainMappingIngressName, makeDomainMappingIngress } from './resources/ingress.js';
import { resolveRef } from './resources/resolve.js';

/** Builds the DomainMapping reconciler. */
export function domainMappingReconciler(deps: ReconcilerDeps): KindReconciler<DomainMapping> {
  const { listers, client } = deps;
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

  return {
    kind: Kinds.domainMapping,
    finalizer: Finalizers.domainMapping,
    initializeStatus: (dm) => {
      initializeDomainMappingConditions(dm.status!, now);
      markNewObservedGeneration(domainMappingConditionSet, dm, now);
    },
    async reconcileKind(dm) {
      await reconcileDomainClaim(dm);

      // A mapping with its own certificate is served over https.
      const url = formatUrl(dm.metadata.name!, deps.config().network, {
        scheme: dm.spec.tls?.secretName ? 'https' : undefined,
      });
      dm.status!.url = url;
      dm.status!.address = { url };

      const resolved = resolveRef(dm, listers);
      if (resolved.error !== undefined) {
        markReferenceNotResolved(dm.status!, resolved.error, now);
        // Not retried with backoff: the target's own events bring this mapping back (byRef index).
        return;
      }
      markReferenceResolved(dm.status!, now);

      if (dm.spec.tls?.secretName) markCertificateExternallyProvided(dm.status!, now);
      else markDomainMappingTLSNotEnabled(dm.status!, undefined, now);

      const ingressClass =
        dm.metadata.annotations?.[Annotations.ingressClass] || deps.config().network.ingressClass;
      const httpOption = deps.config().network.httpProtocol === 'redirected' ? 'Redirected' : 'Enabled';
      const want = makeDomainMappingIngress(dm, new URL(resolved.url).hostname, ingressClass, httpOption);
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
