import { describe, expect, it } from 'vitest';
import { parseConfigs } from '../../src/lib/apis/config/index.js';
import type { DomainMapping, KubeObject } from '../../src/lib/apis/types.js';
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
      CertificateProvisioned: 'Unknown',
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
