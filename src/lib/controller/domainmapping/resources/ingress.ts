/**
 * A DomainMapping's KIngress (Knative's pkg/reconciler/domainmapping/resources/ingress.go): one
 * ExternalIP rule for the mapped host whose single path rewrites Host to the target's cluster-local
 * name (`<svc>.<ns>.svc.cluster.local`) and sends 100% to the target's Kubernetes Service, with
 * `K-Original-Host` keeping the mapped host. The ingress implementation then routes the rewritten
 * host like any cluster-local request. `tls` is the mapped host's TLS entry: by default the one of
 * `spec.tls.secretName` (that Secret, in the mapping's namespace); under external-domain-tls the
 * reconciler passes its Certificate's. `httpOption` follows config-network `http-protocol`.
 */
import {
  Annotations,
  IngressHeaders,
  Labels,
  NETWORKING_INTERNAL_V1ALPHA1,
  SERVING_V1BETA1,
} from '../../../apis/keys.js';
import { childName } from '../../../apis/names.js';
import type { DomainMapping, Ingress } from '../../../apis/types.js';
import type { IngressTLS } from '../../route/resources/certificate.js';
import { controllerRef } from '../../../apis/owner.js';

const EXCLUDED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/** The name of a DomainMapping's KIngress (kmeta.ChildName(dm, "")). */
export function domainMappingIngressName(dm: DomainMapping): string {
  return childName(dm.metadata.name!, '');
}

/** The TLS entry of a mapping that brings its own certificate (`spec.tls.secretName`), if it does. */
export function externallyProvidedTLS(dm: DomainMapping): IngressTLS[] {
  const secretName = dm.spec.tls?.secretName;
  return secretName
    ? [{ hosts: [dm.metadata.name!], secretName, secretNamespace: dm.metadata.namespace! }]
    : [];
}

/** The KIngress of a DomainMapping: `targetHost` is the resolved `{name}.{namespace}.svc.cluster.local`. */
export function makeDomainMappingIngress(
  dm: DomainMapping,
  targetHost: string,
  ingressClass: string,
  httpOption: 'Enabled' | 'Redirected' = 'Enabled',
  tls: IngressTLS[] = externallyProvidedTLS(dm),
): Ingress {
  const ns = dm.metadata.namespace!;
  const [serviceName] = targetHost.split('.');
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(dm.metadata.annotations ?? {}))
    if (!EXCLUDED_ANNOTATIONS.has(k)) annotations[k] = v;
  annotations[Annotations.ingressClass] = ingressClass;
  return {
    apiVersion: NETWORKING_INTERNAL_V1ALPHA1,
    kind: 'Ingress',
    metadata: {
      name: domainMappingIngressName(dm),
      namespace: ns,
      labels: {
        ...(dm.metadata.labels ?? {}),
        [Labels.domainMappingUID]: dm.metadata.uid!,
        [Labels.domainMappingNamespace]: ns,
      },
      annotations,
      ownerReferences: [controllerRef(dm, SERVING_V1BETA1, 'DomainMapping')],
    },
    spec: {
      httpOption,
      ...(tls.length ? { tls: structuredClone(tls) } : {}),
      rules: [
        {
          hosts: [dm.metadata.name!],
          visibility: 'ExternalIP',
          http: {
            paths: [
              {
                rewriteHost: targetHost,
                splits: [
                  {
                    serviceNamespace: ns,
                    serviceName,
                    servicePort: 80,
                    percent: 100,
                    appendHeaders: { [IngressHeaders.originalHost]: dm.metadata.name! },
                  },
                ],
              },
            ],
          },
        },
      ],
    },
  };
}
