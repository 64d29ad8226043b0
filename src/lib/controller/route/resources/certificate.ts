/**
 * A Route's Certificates (Knative's pkg/reconciler/route/resources/certificate.go): one per
 * external host (the route host and each tag host), named `route-<uid>` for the route host and
 * `route-<uid>-<adler32(tag)>` for a tag (Kubernetes names stop at 63 characters), each storing
 * its certificate in a Secret of the same name; plus the KIngress `spec.tls` entry for each.
 */
import { selectDomain } from '../../../apis/config/domain.js';
import type { KnativeConfigs } from '../../../apis/config/index.js';
import { Annotations, Labels, NETWORKING_INTERNAL_V1ALPHA1, SERVING_V1 } from '../../../apis/keys.js';
import type { Certificate, Ingress, Route } from '../../../apis/types.js';
import { controllerRef } from '../../context.js';
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

/** Whether the Route asks for certificates: external-domain-tls on and not disabled by annotation. */
export function externalDomainTLSEnabled(route: Route, cfg: KnativeConfigs): boolean {
  if (!cfg.network.externalDomainTLS) return false;
  return route.metadata.annotations?.[Annotations.disableExternalDomainTLS]?.toLowerCase() !== 'true';
}

/** External host → tag (`""` for the route host), for the groups `""` and `tags`; empty when cluster-local. */
export function externalHosts(route: Route, cfg: KnativeConfigs, tags: string[]): Map<string, string> {
  const hosts = new Map<string, string>();
  if (routeIsClusterLocal(route, cfg)) return hosts;
  for (const tag of ['', ...tags]) hosts.set(routeHost(route, cfg, groupHostname(route, cfg, tag)), tag);
  return hosts;
}

/** The Certificates a Route wants, sorted by host (MakeCertificates). */
export function makeCertificates(
  route: Route,
  hosts: Map<string, string>,
  cfg: KnativeConfigs,
): Certificate[] {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(route.metadata.annotations ?? {}))
    if (!EXCLUDED_ANNOTATIONS.has(k)) annotations[k] = v;
  annotations[Annotations.certificateClass] = cfg.network.certificateClass;
  return [...hosts.keys()].sort().map((host) => {
    const name = certificateName(route, hosts.get(host));
    return {
      apiVersion: NETWORKING_INTERNAL_V1ALPHA1,
      kind: 'Certificate',
      metadata: {
        name,
        namespace: route.metadata.namespace,
        labels: { [Labels.route]: route.metadata.name! },
        annotations: { ...annotations },
        ownerReferences: [controllerRef(route, SERVING_V1, 'Route')],
      },
      spec: {
        dnsNames: [host],
        domain: selectDomain(cfg.domain, route.metadata.labels),
        secretName: name,
      },
    };
  });
}

/** The KIngress TLS entry serving a Certificate's hosts (MakeIngressTLS). */
export function makeIngressTLS(cert: Certificate, hosts: string[]): IngressTLS {
  return {
    hosts: [...hosts].sort(),
    secretName: cert.spec.secretName,
    secretNamespace: cert.metadata.namespace!,
  };
}
