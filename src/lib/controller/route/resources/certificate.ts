/**
 * A Route's Certificates (Knative's pkg/reconciler/route/resources/certificate.go): one per
 * external host (the route host and each tag host), named `route-<uid>` for the route host and
 * `route-<uid>-<adler32(tag)>` for a tag (Kubernetes names stop at 63 characters), each storing
 * its certificate in a Secret of the same name; plus the KIngress `spec.tls` entry for each.
 * `makeCertificate` is the one builder, which the DomainMapping reconciler uses too.
 */
import { selectDomain } from '../../../apis/config/domain.js';
import type { KnativeConfigs } from '../../../apis/config/index.js';
import { Annotations, Labels, NETWORKING_INTERNAL_V1ALPHA1, SERVING_V1 } from '../../../apis/keys.js';
import type { Certificate, Ingress, KubeObject, OwnerReference, Route } from '../../../apis/types.js';
import { controllerRef } from '../../../apis/owner.js';
import { groupHostname } from './ingress.js';
import { routeHost, routeIsClusterLocal } from './domains.js';

const EXCLUDED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/** One KIngress TLS entry. */
export type IngressTLS = NonNullable<Ingress['spec']['tls']>[number];

/** Adler-32 (RFC 1950 §8.2), as Go's hash/adler32.Checksum. */
export function adler32(text: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** `route-<uid>` (names.Certificate). */
export function certificateName(route: Route, tag = ''): string {
  const base = `route-${route.metadata.uid}`;
  return tag ? `${base}-${adler32(tag)}` : base;
}

/** Whether a Route or DomainMapping asks for certificates: external-domain-tls on and not disabled by annotation. */
export function externalDomainTLSEnabled(owner: KubeObject, cfg: KnativeConfigs): boolean {
  if (!cfg.network.externalDomainTLS) return false;
  return owner.metadata.annotations?.[Annotations.disableExternalDomainTLS]?.toLowerCase() !== 'true';
}

/** External host → tag (`""` for the route host), for the groups `""` and `tags`; empty when cluster-local. */
export function externalHosts(route: Route, cfg: KnativeConfigs, tags: string[]): Map<string, string> {
  const hosts = new Map<string, string>();
  if (routeIsClusterLocal(route, cfg)) return hosts;
  for (const tag of ['', ...tags]) hosts.set(routeHost(route, cfg, groupHostname(route, cfg, tag)), tag);
  return hosts;
}

/**
 * A Certificate for one external host (MakeCertificate): owned by `owner`, whose annotations it
 * carries over the certificate class (so an owner's own `certificate.class` wins), labelled with
 * `ownerLabel` and the `external-domain` certificate type; its Secret has its name.
 */
export function makeCertificate(
  owner: KubeObject,
  ownerRef: OwnerReference,
  ownerLabel: [string, string],
  dnsName: string,
  certName: string,
  certClass: string,
  baseDomain: string,
): Certificate {
  const annotations: Record<string, string> = { [Annotations.certificateClass]: certClass };
  for (const [k, v] of Object.entries(owner.metadata.annotations ?? {}))
    if (!EXCLUDED_ANNOTATIONS.has(k)) annotations[k] = v;
  return {
    apiVersion: NETWORKING_INTERNAL_V1ALPHA1,
    kind: 'Certificate',
    metadata: {
      name: certName,
      namespace: owner.metadata.namespace,
      labels: { [ownerLabel[0]]: ownerLabel[1], [Labels.certificateType]: EXTERNAL_DOMAIN },
      annotations,
      ownerReferences: [ownerRef],
    },
    spec: { dnsNames: [dnsName], domain: baseDomain, secretName: certName },
  };
}

/** The certificate type of external-domain-tls Certificates (config.CertificateExternalDomain). */
const EXTERNAL_DOMAIN = 'external-domain';

/** The Certificates a Route wants, sorted by host (MakeCertificates). */
export function makeCertificates(
  route: Route,
  hosts: Map<string, string>,
  cfg: KnativeConfigs,
): Certificate[] {
  const domain = selectDomain(cfg.domain, route.metadata.labels);
  return [...hosts.keys()]
    .sort()
    .map((host) =>
      makeCertificate(
        route,
        controllerRef(route, SERVING_V1, 'Route'),
        [Labels.route, route.metadata.name!],
        host,
        certificateName(route, hosts.get(host)),
        cfg.network.certificateClass,
        domain,
      ),
    );
}

/** The KIngress TLS entry serving a Certificate's hosts (MakeIngressTLS). */
export function makeIngressTLS(cert: Certificate, hosts: string[]): IngressTLS {
  return {
    hosts: [...hosts].sort(),
    secretName: cert.spec.secretName,
    secretNamespace: cert.metadata.namespace!,
  };
}
