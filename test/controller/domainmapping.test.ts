import { describe, expect, it } from 'vitest';
import { parseConfigs } from '../../src/lib/apis/config/index.js';
import type { Certificate, DomainMapping, Ingress, KubeObject } from '../../src/lib/apis/types.js';
import { domainMappingReconciler } from '../../src/lib/controller/domainmapping/reconciler.js';
import { checkResolvedUrl } from '../../src/lib/controller/domainmapping/resources/resolve.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import {
  claim,
  conds,
  domainMapping,
  inNamespace,
  messageOf,
  service,
  withAnnotations,
  withDeletion,
  withFinalizers,
  withStatus,
  World,
} from './fixtures.js';

const net = (autocreate: boolean) =>
  parseConfigs((n) =>
    n === 'config-network'
      ? {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: n },
          data: { 'autocreate-cluster-domain-claims': String(autocreate), 'local-gateway-port': '8080' },
        }
      : undefined,
  );
const target = service('hello', withStatus({ address: { url: 'http://hello.default.svc.cluster.local' } }));
const fin = withFinalizers<DomainMapping>(['domainmappings.serving.knative.dev']);

interface Row {
  name: string;
  objects: KubeObject[];
  autocreate: boolean;
  actions: string[];
  conditions: Record<string, string>;
  error?: RegExp;
  ns?: string;
}

const rows: Row[] = [
  {
    name: 'claims the domain (autocreate) and becomes Ready with a URL',
    objects: [domainMapping('app.example.com', 'hello', fin), target],
    autocreate: true,
    actions: [
      'create ClusterDomainClaim app.example.com',
      'create Ingress app.example.com',
      'updateStatus DomainMapping app.example.com',
    ],
    // Ready waits for the ingress implementation to report on the new KIngress.
    conditions: {
      Ready: 'Unknown/IngressNotConfigured',
      DomainClaimed: 'True',
      ReferenceResolved: 'True',
      IngressReady: 'Unknown/IngressNotConfigured',
      CertificateProvisioned: 'True/TLSNotEnabled',
    },
  },
  {
    name: 'no claim and no autocreate → DomainAlreadyClaimed',
    objects: [domainMapping('app.example.com', 'hello', fin), target],
    autocreate: false,
    actions: ['updateStatus DomainMapping app.example.com'],
    conditions: {
      Ready: 'False/DomainAlreadyClaimed',
      DomainClaimed: 'False/DomainAlreadyClaimed',
      ReferenceResolved: 'Unknown',
      IngressReady: 'Unknown',
      CertificateProvisioned: 'Unknown',
    },
    error:
      /no ClusterDomainClaim found for domain "app.example.com" \(and autocreate-cluster-domain-claims property is not true\)/,
  },
  {
    name: 'the domain is claimed by another namespace',
    objects: [
      domainMapping('app.example.com', 'hello', fin, inNamespace('other')),
      claim('app.example.com', 'default'),
    ],
    autocreate: true,
    ns: 'other',
    actions: ['updateStatus DomainMapping app.example.com'],
    conditions: {
      Ready: 'False/DomainAlreadyClaimed',
      DomainClaimed: 'False/DomainAlreadyClaimed',
      ReferenceResolved: 'Unknown',
      IngressReady: 'Unknown',
      CertificateProvisioned: 'Unknown',
    },
    error: /does not own matching cluster domain claim/,
  },
  {
    name: 'target without an address → ResolveFailed',
    objects: [
      domainMapping('app.example.com', 'hello', fin),
      service('hello'),
      claim('app.example.com', 'default'),
    ],
    autocreate: true,
    actions: ['updateStatus DomainMapping app.example.com'],
    conditions: {
      Ready: 'False/ResolveFailed',
      DomainClaimed: 'True',
      ReferenceResolved: 'False/ResolveFailed',
      IngressReady: 'Unknown',
      // TLS is settled before the reference is resolved, as in Knative.
      CertificateProvisioned: 'True/TLSNotEnabled',
    },
  },
  {
    name: 'deletion releases our claim',
    objects: [
      domainMapping('app.example.com', 'hello', withDeletion(['domainmappings.serving.knative.dev'])),
      claim('app.example.com', 'default'),
    ],
    autocreate: true,
    actions: ['delete ClusterDomainClaim app.example.com', 'patch DomainMapping app.example.com'],
    conditions: {},
  },
];

describe('domainmapping reconciler', () => {
  it.each(rows)('$name', async (row) => {
    const w = new World(row.objects);
    const run = w.reconcile(
      domainMappingReconciler(w.deps(net(row.autocreate))),
      `${row.ns ?? 'default'}/app.example.com`,
    );
    if (row.error) await expect(run).rejects.toThrow(row.error);
    else await run;
    expect(w.summary()).toEqual(row.actions);
    const dm = w.current<DomainMapping>(Kinds.domainMapping, 'app.example.com', row.ns ?? 'default');
    if (dm && Object.keys(row.conditions).length) expect(conds(dm)).toEqual(row.conditions);
    if (conds(dm).Ready === 'True') expect(dm.status?.url).toBe('http://app.example.com:8080');
    if (row.name.startsWith('the domain'))
      expect(messageOf(dm, 'DomainClaimed')).toBe(
        'The domain name is already in use by another DomainMapping',
      );
  });

  it.each([
    ['http://a.default.svc.cluster.local', undefined],
    [
      'http://a.default.svc.cluster.local/path',
      'resolved URI "http://a.default.svc.cluster.local/path" contains a path',
    ],
    [
      'http://example.com',
      'resolved URI "http://example.com" must be of the form {name}.{namespace}.svc.cluster.local',
    ],
    [
      'http://a.other.svc.cluster.local',
      'resolved URI "http://a.other.svc.cluster.local" must be in same namespace as DomainMapping',
    ],
  ])('checks resolved URL %s', (url, error) => {
    expect(checkResolvedUrl(url, 'default').error).toBe(error);
  });
});

describe('domainmapping reconciler with external-domain-tls', () => {
  const tlsNet = (httpProtocol = 'Enabled') =>
    parseConfigs((n) =>
      n === 'config-network'
        ? {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: n },
            data: {
              'autocreate-cluster-domain-claims': 'true',
              'local-gateway-port': '8080',
              'local-gateway-https-port': '8443',
              'external-domain-tls': 'Enabled',
              'http-protocol': httpProtocol,
            },
          }
        : undefined,
    );
  const host = 'app.example.com';
  /** The mapping's Certificate as the issuer leaves it (owned by the mapping, or by `owner`). */
  const certificate = (ready: boolean, owner = `uid-${host}`): Certificate => ({
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Certificate',
    metadata: {
      name: host,
      namespace: 'default',
      labels: {
        'serving.knative.dev/domainMappingUID': host,
        'networking.knative.dev/certificate-type': 'external-domain',
      },
      annotations: {
        'networking.knative.dev/certificate.class': 'knlite.certificate.networking.knative.dev',
      },
      ownerReferences: [
        {
          apiVersion: 'serving.knative.dev/v1beta1',
          kind: 'DomainMapping',
          name: host,
          uid: owner,
          controller: true,
        },
      ],
    },
    spec: { dnsNames: [host], domain: host, secretName: host },
    status: {
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'Unknown', reason: ready ? undefined : 'Issuing' },
      ],
    },
  });
  const reconcile = async (objects: KubeObject[], httpProtocol?: string) => {
    const w = new World(objects);
    await w
      .reconcile(domainMappingReconciler(w.deps(tlsNet(httpProtocol))), `default/${host}`)
      .catch(() => {});
    return { w, dm: w.current<DomainMapping>(Kinds.domainMapping, host) };
  };

  it('creates a Certificate for the mapped host; until it is ready, http (HTTPDowngrade) and no KIngress TLS', async () => {
    const { w, dm } = await reconcile([domainMapping(host, 'hello', fin), target]);
    expect(w.summary()).toContain(`create Certificate ${host}`);
    const cert = w.current<Certificate>(Kinds.certificate, host);
    expect(cert.metadata.labels).toEqual(certificate(false).metadata.labels);
    expect(cert.metadata.annotations).toEqual(certificate(false).metadata.annotations);
    expect(cert.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'DomainMapping', name: host, uid: `uid-${host}`, controller: true }),
    ]);
    expect(cert.spec).toEqual({ dnsNames: [host], domain: host, secretName: host });
    expect(w.events).toContain(`Normal Created Created Certificate default/${host}`);
    expect(conds(dm).CertificateProvisioned).toBe('True/HTTPDowngrade');
    expect(messageOf(dm, 'CertificateProvisioned')).toBe(`Certificate ${host} is not ready downgrade HTTP.`);
    expect(dm.status?.url).toBe('http://app.example.com:8080');
    expect(w.current<Ingress>(Kinds.ingress, host).spec.tls).toBeUndefined();
  });

  it('a ready Certificate goes into the KIngress TLS and makes the URL https', async () => {
    const { w, dm } = await reconcile([domainMapping(host, 'hello', fin), target, certificate(true)]);
    expect(conds(dm).CertificateProvisioned).toBe('True');
    expect(dm.status?.url).toBe('https://app.example.com:8443');
    expect(dm.status?.address).toEqual({ url: 'https://app.example.com:8443' });
    expect(w.current<Ingress>(Kinds.ingress, host).spec.tls).toEqual([
      { hosts: [host], secretName: host, secretNamespace: 'default' },
    ]);
    expect(w.summary().some((a) => a.includes('Certificate'))).toBe(false);
  });

  it('with http-protocol Redirected a pending Certificate is CertificateNotReady and the URL stays https', async () => {
    const { dm } = await reconcile(
      [domainMapping(host, 'hello', fin), target, certificate(false)],
      'Redirected',
    );
    expect(conds(dm).CertificateProvisioned).toBe('Unknown/CertificateNotReady');
    expect(messageOf(dm, 'CertificateProvisioned')).toBe(`Certificate ${host} is not ready.`);
    expect(dm.status?.url).toBe('https://app.example.com:8443');
  });

  it('a Certificate of that name owned by someone else is CertificateNotOwned', async () => {
    const { w, dm } = await reconcile([
      domainMapping(host, 'hello', fin),
      target,
      certificate(true, 'other'),
    ]);
    expect(conds(dm).CertificateProvisioned).toBe('False/CertificateNotOwned');
    expect(messageOf(dm, 'CertificateProvisioned')).toBe(
      `There is an existing certificate ${host} that we don't own.`,
    );
    expect(w.summary().some((a) => a.includes('Ingress'))).toBe(false);
  });

  it('its own spec.tls, or the disable annotation, means no Certificate', async () => {
    const own = await reconcile([
      domainMapping(host, 'hello', fin, (d) => void (d.spec.tls = { secretName: 'mine' })),
      target,
    ]);
    expect(conds(own.dm).CertificateProvisioned).toBe('True/CertificateExternallyProvided');
    expect(own.dm.status?.url).toBe('https://app.example.com:8443');
    expect(own.w.current<Ingress>(Kinds.ingress, host).spec.tls).toEqual([
      { hosts: [host], secretName: 'mine', secretNamespace: 'default' },
    ]);
    const off = await reconcile([
      domainMapping(
        host,
        'hello',
        fin,
        withAnnotations({ 'networking.knative.dev/disable-external-domain-tls': 'true' }),
      ),
      target,
    ]);
    expect(conds(off.dm).CertificateProvisioned).toBe('True/TLSNotEnabled');
    for (const { w } of [own, off]) expect(w.summary().some((a) => a.includes('Certificate'))).toBe(false);
  });
});
