import { describe, expect, it } from 'vitest';
import { defaultConfigs, parseConfigs, type KnativeConfigs } from '../../src/lib/apis/config/index.js';
import {
  markIngressLoadBalancerFailed,
  markIngressLoadBalancerReady,
  markIngressNetworkConfigured,
} from '../../src/lib/apis/lifecycle/ingress.js';
import { Annotations, KNLITE_INGRESS_CLASS } from '../../src/lib/apis/keys.js';
import type {
  Certificate,
  ConfigMap,
  Ingress,
  IngressStatus,
  KubeObject,
  Route,
} from '../../src/lib/apis/types.js';
import { adler32 } from '../../src/lib/controller/route/resources/certificate.js';
import { makeIngress } from '../../src/lib/controller/route/resources/ingress.js';
import { routeHost, routeUrl, tagUrl } from '../../src/lib/controller/route/resources/domains.js';
import { mergeTargets, type RevisionTarget } from '../../src/lib/controller/route/resources/traffic.js';
import { routeReconciler } from '../../src/lib/controller/route/reconciler.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import {
  configuration,
  conds,
  isFailedNow,
  isReadyNow,
  messageOf,
  revision,
  route,
  stampedBy,
  withAnnotations,
  withLabels,
  withStatus,
  withTraffic,
  World,
} from './fixtures.js';

const cm = (name: string, data: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'knative-serving' },
  data,
});
const configs = (maps: Record<string, Record<string, string>>): KnativeConfigs =>
  parseConfigs((n) => (maps[n] ? cm(n, maps[n]) : undefined));
const local = configs({
  'config-domain': { localhost: '' },
  'config-network': { 'local-gateway-port': '8080' },
});

describe('route hosts and URLs', () => {
  const r = route('hello');
  it.each([
    [
      'default config: cluster-local',
      defaultConfigs(),
      'http://hello.default.svc.cluster.local',
      'http://blue-hello.default.svc.cluster.local',
    ],
    [
      'local cluster: localhost with the gateway port',
      local,
      'http://hello.default.localhost:8080',
      'http://blue-hello.default.localhost:8080',
    ],
    [
      'port 80 is left out',
      configs({ 'config-domain': { 'example.com': '' }, 'config-network': { 'local-gateway-port': '80' } }),
      'http://hello.default.example.com',
      'http://blue-hello.default.example.com',
    ],
    [
      'custom domain and tag templates',
      configs({
        'config-domain': { 'example.com': '' },
        'config-network': {
          'domain-template': '{{.Name}}-{{.Namespace}}.{{.Domain}}',
          'tag-template': '{{.Name}}-{{.Tag}}',
        },
      }),
      'http://hello-default.example.com',
      'http://hello-blue-default.example.com',
    ],
  ])('%s', (_n, cfg, url, tag) => {
    expect(routeUrl(r, cfg)).toBe(url);
    expect(tagUrl(r, cfg, 'blue')).toBe(tag);
  });

  it('selects the config-domain entry by labels (most specific selector wins)', () => {
    const cfg = configs({
      'config-domain': {
        'example.com': '',
        'prod.example.com': 'selector:\n  app: prod',
        'eu.example.com': 'selector:\n  app: prod\n  region: eu',
      },
    });
    expect(routeHost(route('a', withLabels({ app: 'prod' })), cfg, 'a')).toBe('a.default.prod.example.com');
    expect(routeHost(route('a', withLabels({ app: 'prod', region: 'eu' })), cfg, 'a')).toBe(
      'a.default.eu.example.com',
    );
    expect(routeHost(route('a'), cfg, 'a')).toBe('a.default.example.com');
  });

  it('cluster-local visibility ignores the domain and template', () => {
    const cfg = configs({
      'config-domain': { 'example.com': '' },
      'config-network': { 'domain-template': '{{.Name}}-{{.Namespace}}.{{.Domain}}' },
    });
    const r2 = route('a', withLabels({ 'networking.knative.dev/visibility': 'cluster-local' }));
    expect(routeUrl(r2, cfg)).toBe('http://a.default.svc.cluster.local');
  });

  it('merges identical targets', () => {
    expect(
      mergeTargets([
        { revisionName: 'a', percent: 30, latestRevision: false },
        { revisionName: 'a', percent: 20, latestRevision: false },
        { revisionName: 'a', percent: 50, latestRevision: false, tag: 't' },
      ]),
    ).toEqual([
      { revisionName: 'a', percent: 50, latestRevision: false },
      { revisionName: 'a', percent: 50, latestRevision: false, tag: 't' },
    ]);
  });
});

const cfg = configuration(
  'foo',
  isReadyNow(),
  withStatus({ latestReadyRevisionName: 'foo-00002', latestCreatedRevisionName: 'foo-00002' }),
);
const r1 = revision('foo-00001', stampedBy(cfg, 1), isReadyNow());
const r2 = revision('foo-00002', stampedBy(cfg, 2), isReadyNow());
const previous = [{ revisionName: 'foo-00001', latestRevision: true, percent: 100 }];

/** The route's KIngress as the gateway leaves it: Ready (or failed) for generation 1. */
function readyIngress(
  r: Route,
  targets: RevisionTarget[],
  failed?: { reason: string; message: string },
): Ingress {
  const ing = makeIngress(r, targets, local, KNLITE_INGRESS_CLASS);
  ing.metadata.generation = 1;
  const status: IngressStatus = {};
  markIngressNetworkConfigured(status);
  if (failed) markIngressLoadBalancerFailed(status, failed.reason, failed.message);
  else markIngressLoadBalancerReady(status, [], []);
  status.observedGeneration = 1;
  return { ...ing, status };
}

interface Row {
  name: string;
  objects: KubeObject[];
  conditions: Record<string, string>;
  message?: string;
  traffic?: unknown;
  url?: string;
  /** Writes, when the reconcile does more than update the Route's status. */
  actions?: string[];
}

const rows: Row[] = [
  {
    name: 'latest of a configuration',
    objects: [route('foo', withTraffic({ configurationName: 'foo', percent: 100 })), cfg, r1, r2],
    // The KIngress was just written: no ingress implementation has reported on it yet.
    conditions: {
      Ready: 'Unknown/IngressNotConfigured',
      AllTrafficAssigned: 'True',
      IngressReady: 'Unknown/IngressNotConfigured',
      CertificateProvisioned: 'True/TLSNotEnabled',
    },
    traffic: [{ revisionName: 'foo-00002', latestRevision: true, percent: 100 }],
    url: 'http://foo.default.localhost:8080',
    actions: ['create Ingress foo', 'create Service foo', 'updateStatus Route foo'],
  },
  {
    name: 'split with tags: pinned and latest, tag URLs',
    objects: [
      route(
        'foo',
        withTraffic(
          { revisionName: 'foo-00001', percent: 90, tag: 'blue' },
          { configurationName: 'foo', percent: 10, tag: 'green' },
          { revisionName: 'foo-00001', percent: 0, tag: 'old' },
        ),
      ),
      cfg,
      r1,
      r2,
    ],
    conditions: {
      Ready: 'Unknown/IngressNotConfigured',
      AllTrafficAssigned: 'True',
      IngressReady: 'Unknown/IngressNotConfigured',
      CertificateProvisioned: 'True/TLSNotEnabled',
    },
    traffic: [
      {
        tag: 'blue',
        revisionName: 'foo-00001',
        latestRevision: false,
        percent: 90,
        url: 'http://blue-foo.default.localhost:8080',
      },
      {
        tag: 'green',
        revisionName: 'foo-00002',
        latestRevision: true,
        percent: 10,
        url: 'http://green-foo.default.localhost:8080',
      },
      {
        tag: 'old',
        revisionName: 'foo-00001',
        latestRevision: false,
        percent: 0,
        url: 'http://old-foo.default.localhost:8080',
      },
    ],
    // One placeholder Service per traffic group: the route host and each tag host.
    actions: [
      'create Ingress foo',
      'create Service foo',
      'create Service blue-foo',
      'create Service green-foo',
      'create Service old-foo',
      'updateStatus Route foo',
    ],
  },
  {
    name: 'Ready once the ingress implementation reports the KIngress Ready for its generation',
    objects: [
      route('foo', withTraffic({ configurationName: 'foo', percent: 100 })),
      cfg,
      r1,
      r2,
      readyIngress(route('foo'), [
        { configurationName: 'foo', revisionName: 'foo-00002', latestRevision: true, percent: 100 },
      ]),
    ],
    conditions: {
      Ready: 'True',
      AllTrafficAssigned: 'True',
      IngressReady: 'True',
      CertificateProvisioned: 'True/TLSNotEnabled',
    },
    traffic: [{ revisionName: 'foo-00002', latestRevision: true, percent: 100 }],
    actions: ['create Service foo', 'updateStatus Route foo'],
  },
  {
    name: 'a KIngress the implementation refused: IngressReady carries its reason',
    objects: [
      route('foo', withTraffic({ configurationName: 'foo', percent: 100 })),
      cfg,
      r1,
      r2,
      readyIngress(
        route('foo'),
        [{ configurationName: 'foo', revisionName: 'foo-00002', latestRevision: true, percent: 100 }],
        {
          reason: 'DomainConflict',
          message: 'host "foo.default.localhost" is already served by KIngress "x/foo"',
        },
      ),
    ],
    conditions: {
      Ready: 'False/DomainConflict',
      AllTrafficAssigned: 'True',
      IngressReady: 'False/DomainConflict',
      CertificateProvisioned: 'True/TLSNotEnabled',
    },
    actions: ['create Service foo', 'updateStatus Route foo'],
  },
  {
    name: 'missing revision keeps the previous traffic',
    objects: [
      route('foo', withTraffic({ revisionName: 'nope', percent: 100 }), withStatus({ traffic: previous })),
      cfg,
      r1,
    ],
    conditions: {
      Ready: 'False/RevisionMissing',
      AllTrafficAssigned: 'False/RevisionMissing',
      IngressReady: 'Unknown/IngressNotConfigured',
      CertificateProvisioned: 'Unknown',
    },
    message: 'Revision "nope" referenced in traffic not found.',
    traffic: previous,
  },
  {
    name: 'missing configuration',
    objects: [route('foo', withTraffic({ configurationName: 'nope', percent: 100 }))],
    conditions: {
      Ready: 'False/ConfigurationMissing',
      AllTrafficAssigned: 'False/ConfigurationMissing',
      IngressReady: 'Unknown/IngressNotConfigured',
      CertificateProvisioned: 'Unknown',
    },
    message: 'Configuration "nope" referenced in traffic not found.',
  },
  {
    name: 'configuration without a ready revision yet',
    objects: [route('foo', withTraffic({ configurationName: 'bar', percent: 100 })), configuration('bar')],
    conditions: {
      Ready: 'Unknown/RevisionMissing',
      AllTrafficAssigned: 'Unknown/RevisionMissing',
      IngressReady: 'Unknown/IngressNotConfigured',
      CertificateProvisioned: 'Unknown',
    },
    message: 'Configuration "bar" is waiting for a Revision to become ready.',
  },
  {
    name: 'configuration that failed without any ready revision',
    objects: [
      route('foo', withTraffic({ configurationName: 'bar', percent: 100 })),
      configuration('bar', isFailedNow('RevisionFailed', 'x')),
    ],
    conditions: {
      Ready: 'False/RevisionMissing',
      AllTrafficAssigned: 'False/RevisionMissing',
      IngressReady: 'Unknown/IngressNotConfigured',
      CertificateProvisioned: 'Unknown',
    },
    message: 'Configuration "bar" does not have any ready Revision.',
  },
  {
    name: 'pinned revision not ready yet; a later hard failure wins',
    objects: [
      route(
        'foo',
        withTraffic({ revisionName: 'foo-00003', percent: 50 }, { revisionName: 'gone', percent: 50 }),
      ),
      revision('foo-00003', stampedBy(cfg, 3)),
      cfg,
    ],
    conditions: {
      Ready: 'False/RevisionMissing',
      AllTrafficAssigned: 'False/RevisionMissing',
      IngressReady: 'Unknown/IngressNotConfigured',
      CertificateProvisioned: 'Unknown',
    },
    message: 'Revision "gone" referenced in traffic not found.',
  },
  {
    name: 'pinned revision failed',
    objects: [
      route('foo', withTraffic({ revisionName: 'foo-00003', percent: 100 })),
      revision('foo-00003', stampedBy(cfg, 3), isFailedNow('ExitCode1', 'x')),
      cfg,
    ],
    conditions: {
      Ready: 'False/RevisionMissing',
      AllTrafficAssigned: 'False/RevisionMissing',
      IngressReady: 'Unknown/IngressNotConfigured',
      CertificateProvisioned: 'Unknown',
    },
    message: 'Revision "foo-00003" failed to become ready.',
  },
  {
    name: 'service-owned route pinning another service’s revision',
    objects: [
      route(
        'foo',
        withLabels({ 'serving.knative.dev/service': 'foo' }),
        withTraffic({ revisionName: 'bar-00001', percent: 100 }),
      ),
      revision('bar-00001', withLabels({ 'serving.knative.dev/service': 'bar' }), isReadyNow()),
    ],
    conditions: {
      Ready: 'False/RevisionNotOwned',
      AllTrafficAssigned: 'False/RevisionNotOwned',
      IngressReady: 'Unknown/IngressNotConfigured',
      CertificateProvisioned: 'Unknown',
    },
    message: 'Revision "bar-00001" belongs to Service "bar", not Service "foo".',
  },
];

describe('route reconciler', () => {
  it.each(rows)('$name', async (row) => {
    const w = new World(row.objects);
    await w.reconcile(routeReconciler(w.deps(local)), 'default/foo');
    const r = w.current<Route>(Kinds.route, 'foo');
    expect(conds(r)).toEqual(row.conditions);
    if (row.message) expect(messageOf(r, 'AllTrafficAssigned')).toBe(row.message);
    if (row.traffic) expect(r.status?.traffic).toEqual(row.traffic);
    if (row.url) {
      expect(r.status?.url).toBe(row.url);
      expect(r.status?.address).toEqual({ url: 'http://foo.default.svc.cluster.local' });
    }
    expect(w.summary()).toEqual(row.actions ?? ['updateStatus Route foo']);
  });
});

describe('route reconciler with external-domain-tls', () => {
  const tlsConfig = (httpProtocol = 'Enabled') =>
    configs({
      'config-domain': { localhost: '' },
      'config-network': {
        'local-gateway-port': '8080',
        'local-gateway-https-port': '8443',
        'external-domain-tls': 'Enabled',
        'http-protocol': httpProtocol,
      },
    });
  const foo = () =>
    route(
      'foo',
      withTraffic(
        { configurationName: 'foo', percent: 100 },
        { revisionName: 'foo-00001', percent: 0, tag: 'old' },
      ),
    );
  const uid = () => foo().metadata.uid!;
  /** A Certificate as the issuer leaves it, owned by the route (or another owner). */
  const certificate = (name: string, host: string, ready: boolean, owner = uid()): Certificate => ({
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Certificate',
    metadata: {
      name,
      namespace: 'default',
      ownerReferences: [
        { apiVersion: 'serving.knative.dev/v1', kind: 'Route', name: 'foo', uid: owner, controller: true },
      ],
    },
    spec: { dnsNames: [host], domain: 'localhost', secretName: name },
    status: {
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'Unknown', reason: ready ? undefined : 'Issuing' },
      ],
    },
  });
  const tagCert = () => `route-${uid()}-${adler32('old')}`;

  it('creates a Certificate per external host; until they are ready, URLs stay http (HTTPDowngrade)', async () => {
    const w = new World([foo(), cfg, r1, r2]);
    await w.reconcile(routeReconciler(w.deps(tlsConfig())), 'default/foo');
    const r = w.current<Route>(Kinds.route, 'foo');
    expect(w.summary()).toEqual(
      expect.arrayContaining([`create Certificate ${tagCert()}`, `create Certificate route-${uid()}`]),
    );
    const main = w.current<Certificate>(Kinds.certificate, `route-${uid()}`);
    expect(main.spec).toEqual({
      dnsNames: ['foo.default.localhost'],
      domain: 'localhost',
      secretName: `route-${uid()}`,
    });
    expect(main.metadata.labels).toEqual({
      'serving.knative.dev/route': 'foo',
      'networking.knative.dev/certificate-type': 'external-domain',
    });
    expect(main.metadata.annotations?.['networking.knative.dev/certificate.class']).toBe(
      'knlite.certificate.networking.knative.dev',
    );
    expect(conds(r).CertificateProvisioned).toBe('True/HTTPDowngrade');
    expect(r.status?.url).toBe('http://foo.default.localhost:8080');
    const ing = w.current<Ingress>(Kinds.ingress, 'foo');
    expect(ing.spec.tls).toEqual([
      { hosts: ['foo.default.localhost'], secretName: `route-${uid()}`, secretNamespace: 'default' },
      { hosts: ['old-foo.default.localhost'], secretName: tagCert(), secretNamespace: 'default' },
    ]);
  });

  it('ready Certificates make the route and tag URLs https; Redirected keeps https while not ready', async () => {
    const ready = new World([
      foo(),
      cfg,
      r1,
      r2,
      certificate(`route-${uid()}`, 'foo.default.localhost', true),
      certificate(tagCert(), 'old-foo.default.localhost', true),
    ]);
    await ready.reconcile(routeReconciler(ready.deps(tlsConfig())), 'default/foo');
    const r = ready.current<Route>(Kinds.route, 'foo');
    expect(conds(r).CertificateProvisioned).toBe('True');
    expect(r.status?.url).toBe('https://foo.default.localhost:8443');
    expect(r.status?.traffic?.find((t) => t.tag === 'old')?.url).toBe(
      'https://old-foo.default.localhost:8443',
    );

    const pending = new World([
      foo(),
      cfg,
      r1,
      r2,
      certificate(`route-${uid()}`, 'foo.default.localhost', false),
    ]);
    await pending.reconcile(routeReconciler(pending.deps(tlsConfig('Redirected'))), 'default/foo');
    const p = pending.current<Route>(Kinds.route, 'foo');
    expect(conds(p).CertificateProvisioned).toMatch(/^Unknown\/CertificateNotReady/);
    expect(p.status?.url).toBe('https://foo.default.localhost:8443');
    expect(pending.current<Ingress>(Kinds.ingress, 'foo').spec.httpOption).toBe('Redirected');
  });

  it('a Certificate of that name owned by someone else is CertificateNotOwned', async () => {
    const w = new World([
      foo(),
      cfg,
      r1,
      r2,
      certificate(`route-${uid()}`, 'foo.default.localhost', true, 'other'),
    ]);
    await w.reconcile(routeReconciler(w.deps(tlsConfig())), 'default/foo').catch(() => {});
    const r = w.current<Route>(Kinds.route, 'foo');
    expect(conds(r).CertificateProvisioned).toBe('False/CertificateNotOwned');
  });

  it('cluster-local routes and the disable annotation get no certificate', async () => {
    const w = new World([
      route(
        'foo',
        withLabels({ 'networking.knative.dev/visibility': 'cluster-local' }),
        withTraffic({ configurationName: 'foo', percent: 100 }),
      ),
      cfg,
      r1,
      r2,
    ]);
    await w.reconcile(routeReconciler(w.deps(tlsConfig())), 'default/foo');
    const r = w.current<Route>(Kinds.route, 'foo');
    expect(conds(r).CertificateProvisioned).toBe('True/TLSNotEnabled');
    expect(messageOf(r, 'CertificateProvisioned')).toBe('TLS is not enabled for cluster-local');
    expect(w.summary().some((a) => a.includes('Certificate'))).toBe(false);
  });
});

describe('route reconciler: gradual rollout (rollout-duration)', () => {
  const start = new Date('2026-01-02T03:04:05Z').getTime();
  const atLatest = (rev: string) =>
    configuration(
      'foo',
      isReadyNow(),
      withStatus({ latestReadyRevisionName: rev, latestCreatedRevisionName: rev }),
    );
  /** The gateway's part: report the stored KIngress Ready at its current generation. */
  const gatewayReports = (w: World) => {
    const ing = w.current<Ingress>(Kinds.ingress, 'foo');
    const status: IngressStatus = {};
    markIngressNetworkConfigured(status);
    markIngressLoadBalancerReady(status, [], []);
    status.observedGeneration = ing.metadata.generation;
    w.store<Ingress>(Kinds.ingress).upsert({ ...ing, status });
  };
  const splits = (w: World) =>
    w
      .current<Ingress>(Kinds.ingress, 'foo')
      .spec.rules.find((r) => r.visibility === 'ExternalIP')!
      .http!.paths[0].splits.map((s) => `${s.serviceName}=${s.percent}`);
  const traffic = (w: World) =>
    w.current<Route>(Kinds.route, 'foo').status!.traffic!.map((t) => `${t.revisionName}=${t.percent}`);

  it('moves traffic to the new latest revision in steps: 1%, then the step the first one timed', async () => {
    const w = new World([
      route(
        'foo',
        withAnnotations({ 'serving.knative.dev/rollout-duration': '6s' }),
        withTraffic({ configurationName: 'foo', percent: 100 }),
      ),
      atLatest('foo-00001'),
      r1,
      r2,
    ]);
    let clock = start;
    const rec = routeReconciler({ ...w.deps(local), now: () => new Date(clock) });
    await w.reconcile(rec, 'default/foo');
    gatewayReports(w);
    await w.reconcile(rec, 'default/foo');
    expect(traffic(w)).toEqual(['foo-00001=100']);
    expect(conds(w.current<Route>(Kinds.route, 'foo')).IngressReady).toBe('True');

    // A new latest-ready revision: 1% at once, and no step time until that 1% is ready.
    w.store(Kinds.configuration).upsert(atLatest('foo-00002'));
    expect(await w.reconcile(rec, 'default/foo')).toBeUndefined();
    expect(traffic(w)).toEqual(['foo-00001=99', 'foo-00002=1']);
    expect(splits(w)).toEqual(['foo-00001=99', 'foo-00002=1']);
    expect(conds(w.current<Route>(Kinds.route, 'foo'))).toMatchObject({
      IngressReady: 'Unknown/RolloutInProgress',
      Ready: 'Unknown/RolloutInProgress',
    });
    const annotation = () =>
      JSON.parse(w.current<Ingress>(Kinds.ingress, 'foo').metadata.annotations![Annotations.rollout]);
    expect(annotation().configurations[0].stepParams).toEqual({ starttime: start * 1e6 });

    // The 1% is live after 0.5s: the first step took 1s (the minimum), so 5 steps of 20% over the 5s left.
    clock += 500;
    gatewayReports(w);
    expect(await w.reconcile(rec, 'default/foo')).toEqual({ requeueAfter: 1000 });
    expect(annotation().configurations[0].stepParams).toMatchObject({ stepSize: 20, stepDuration: 1e9 });
    expect(traffic(w)).toEqual(['foo-00001=99', 'foo-00002=1']);

    const seen: string[][] = [];
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      const result = await w.reconcile(rec, 'default/foo');
      gatewayReports(w);
      seen.push(traffic(w));
      if (i < 4) expect(result).toEqual({ requeueAfter: 1000 });
      else expect(result).toBeUndefined();
    }
    expect(seen).toEqual([
      ['foo-00001=79', 'foo-00002=21'],
      ['foo-00001=59', 'foo-00002=41'],
      ['foo-00001=39', 'foo-00002=61'],
      ['foo-00001=19', 'foo-00002=81'],
      ['foo-00002=100'],
    ]);
    await w.reconcile(rec, 'default/foo');
    expect(conds(w.current<Route>(Kinds.route, 'foo')).IngressReady).toBe('True');
    expect(annotation()).toEqual({
      configurations: [
        {
          configurationName: 'foo',
          percent: 100,
          revisions: [{ revisionName: 'foo-00002', percent: 100 }],
          stepParams: {},
        },
      ],
    });
  });

  it('without a rollout duration the new revision gets everything at once', async () => {
    const w = new World([
      route('foo', withTraffic({ configurationName: 'foo', percent: 100 })),
      atLatest('foo-00001'),
      r1,
      r2,
    ]);
    const rec = routeReconciler(w.deps(local));
    await w.reconcile(rec, 'default/foo');
    gatewayReports(w);
    w.store(Kinds.configuration).upsert(atLatest('foo-00002'));
    expect(await w.reconcile(rec, 'default/foo')).toBeUndefined();
    expect(traffic(w)).toEqual(['foo-00002=100']);
    expect(splits(w)).toEqual(['foo-00002=100']);
  });

  it('a pinned revision keeps its share; only the configuration target rolls', async () => {
    const w = new World([
      route(
        'foo',
        withAnnotations({ 'serving.knative.dev/rolloutDuration': '60s' }),
        withTraffic(
          { configurationName: 'foo', percent: 80 },
          { revisionName: 'foo-00001', percent: 20, tag: 'old' },
        ),
      ),
      atLatest('foo-00001'),
      r1,
      r2,
    ]);
    const rec = routeReconciler(w.deps(local));
    await w.reconcile(rec, 'default/foo');
    gatewayReports(w);
    w.store(Kinds.configuration).upsert(atLatest('foo-00002'));
    await w.reconcile(rec, 'default/foo');
    expect(traffic(w)).toEqual(['foo-00001=79', 'foo-00002=1', 'foo-00001=20']);
    expect(splits(w)).toEqual(['foo-00001=99', 'foo-00002=1']);
  });
});
