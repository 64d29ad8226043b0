/**
 * A DomainMapping's Certificate under external-domain-tls (Knative's
 * pkg/reconciler/domainmapping/resources/certificate.go): the Route's builder, for the mapped host
 * alone, named like the mapping's KIngress (kmeta.ChildName(dm, "")), its base domain the mapped
 * host, labelled `serving.knative.dev/domainMappingUID` with — as Knative does — the mapping's name.
 */
import type { KnativeConfigs } from '../../../apis/config/index.js';
import { Labels, SERVING_V1BETA1 } from '../../../apis/keys.js';
import { childName } from '../../../apis/names.js';
import type { Certificate, DomainMapping } from '../../../apis/types.js';
import { controllerRef } from '../../../apis/owner.js';
import { makeCertificate } from '../../route/resources/certificate.js';

/** The Certificate for a DomainMapping's host. */
export function makeDomainMappingCertificate(dm: DomainMapping, cfg: KnativeConfigs): Certificate {
  const name = dm.metadata.name!;
  return makeCertificate(
    dm,
    controllerRef(dm, SERVING_V1BETA1, 'DomainMapping'),
    [Labels.domainMappingUID, name],
    name,
    childName(name, ''),
    cfg.network.certificateClass,
    name,
  );
}
