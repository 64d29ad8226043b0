/** The ClusterDomainClaim a DomainMapping auto-creates (Knative's `MakeDomainClaim`). */
import { NETWORKING_INTERNAL_V1ALPHA1 } from '../../../apis/keys.js';
import type { ClusterDomainClaim, DomainMapping } from '../../../apis/types.js';

/** A cluster-scoped claim named after the domain, granting it to the mapping's namespace. */
export function makeDomainClaim(dm: DomainMapping): ClusterDomainClaim {
  return {
    apiVersion: NETWORKING_INTERNAL_V1ALPHA1,
    kind: 'ClusterDomainClaim',
    metadata: { name: dm.metadata.name },
    spec: { namespace: dm.metadata.namespace! },
  };
}
