import { describe, expect, it } from 'vitest';
import type { KubeObject, Service } from '../../src/lib/apis/types.js';
import { makeConfiguration } from '../../src/lib/controller/service/resources/configuration.js';
import { makeRoute } from '../../src/lib/controller/service/resources/route.js';
import { serviceReconciler } from '../../src/lib/controller/service/reconciler.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import {
  configuration,
  conds,
  isReadyNow,
  messageOf,
  revision,
  route,
  service,
  stampedBy,
  withAnnotations,
  withGeneration,
  withLabels,
  withStatus,
  withTemplateName,
  withTraffic,
  withUID,
  World,
} from './fixtures.js';

const svc = service('foo');
const cfgOf = (s: Service, ...opts: ((o: any) => void)[]) => {
  const c = makeConfiguration(s);
  c.metadata.uid = 'uid-cfg';
  c.metadata.generation = 1;
  for (const o of opts) o(c);
  return c;
};
const routeOf = (s: Service, ...opts: ((o: any) => void)[]) => {
  const r = makeRoute(s);
  r.metadata.uid = 'uid-route';
  r.metadata.generation = 1;
  for (const o of opts) o(r);
  return r;
};
const defaulted = (s: Service) => {
  const c = structuredClone(s);
  c.spec.traffic = [{ percent: 100, latestRevision: true }];
  c.spec.template.spec.containers[0].name = 'user-container';
  return c;
};

interface Row {
  name: string;
  objects: KubeObject[];
  key?: string;
  actions: string[];
  conditions?: Record<string, string>;
  events?: string[];
  error?: RegExp;
  check?: (w: World) => void;
}

const rows: Row[] = [
  {
    name: 'new service creates its Configuration and Route',
    objects: [svc],
    actions: ['create Configuration foo', 'create Route foo', 'updateStatus Service foo'],
    conditions: {
      ConfigurationsReady: 'Unknown/OutOfDate',
      RoutesReady: 'Unknown/OutOfDate',
      Ready: 'Unknown/OutOfDate',
    },
    events: ['Normal Created Created Configuration "foo"', 'Normal Created Created Route "foo"'],
    check: (w) => {
      const c = w.current<any>(Kinds.configuration, 'foo');
      expect(c.metadata.labels).toEqual({
        'serving.knative.dev/service': 'foo',
        'serving.knative.dev/serviceUID': 'uid-foo',
      });
      expect(c.metadata.annotations).toEqual({ 'serving.knative.dev/routes': 'foo' });
      expect(c.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'serving.knative.dev/v1',
          kind: 'Service',
          name: 'foo',
          uid: 'uid-foo',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(w.current<any>(Kinds.route, 'foo').spec.traffic).toEqual([
        { percent: 100, latestRevision: true, configurationName: 'foo' },
      ]);
    },
  },
  {
    name: 'a Configuration of that name owned by someone else',
    objects: [svc, configuration('foo')],
    actions: ['updateStatus Service foo'],
    conditions: { ConfigurationsReady: 'False/NotOwned', Ready: 'False/NotOwned', RoutesReady: 'Unknown' },
    error: /does not own configuration/,
    check: (w) =>
      expect(messageOf(w.current(Kinds.service, 'foo'), 'Ready')).toBe(
        'There is an existing Configuration "foo" that we do not own.',
      ),
  },
  {
    name: 'a Route of that name owned by someone else',
    objects: [svc, cfgOf(defaulted(svc)), route('foo')],
    actions: ['updateStatus Service foo'],
    conditions: {
      ConfigurationsReady: 'Unknown/OutOfDate',
      RoutesReady: 'False/NotOwned',
      Ready: 'False/NotOwned',
    },
    error: /does not own route/,
  },
  {
    name: 'ready children with traffic on the latest ready revision make the Service Ready',
    objects: [
      svc,
      cfgOf(
        defaulted(svc),
        isReadyNow(),
        withStatus({ latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001' }),
      ),
      routeOf(
        defaulted(svc),
        isReadyNow(),
        withStatus({
          url: 'http://foo.default.example.com',
          address: { url: 'http://foo.default.svc.cluster.local' },
          traffic: [{ revisionName: 'foo-00001', latestRevision: true, percent: 100 }],
        }),
      ),
    ],
    actions: ['updateStatus Service foo'],
    conditions: { ConfigurationsReady: 'True', RoutesReady: 'True', Ready: 'True' },
    check: (w) => {
      const s = w.current<Service>(Kinds.service, 'foo');
      expect(s.status?.url).toBe('http://foo.default.example.com');
      expect(s.status?.latestReadyRevisionName).toBe('foo-00001');
      expect(s.status?.traffic).toEqual([{ revisionName: 'foo-00001', latestRevision: true, percent: 100 }]);
      expect(s.status?.observedGeneration).toBe(1);
    },
  },
  {
    name: 'traffic still on the previous revision → TrafficNotMigrated',
    objects: [
      svc,
      cfgOf(
        defaulted(svc),
        isReadyNow(),
        withStatus({ latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00002' }),
      ),
      routeOf(
        defaulted(svc),
        isReadyNow(),
        withStatus({ traffic: [{ revisionName: 'foo-00001', latestRevision: true, percent: 100 }] }),
      ),
    ],
    actions: ['updateStatus Service foo'],
    conditions: {
      ConfigurationsReady: 'True',
      RoutesReady: 'Unknown/TrafficNotMigrated',
      Ready: 'Unknown/TrafficNotMigrated',
    },
  },
  {
    name: 'Configuration not yet at its generation → OutOfDate, Route still reconciled',
    objects: [svc, cfgOf(defaulted(svc), isReadyNow(), withGeneration(2)), routeOf(defaulted(svc))],
    actions: ['updateStatus Service foo'],
    conditions: {
      ConfigurationsReady: 'Unknown/OutOfDate',
      RoutesReady: 'Unknown/OutOfDate',
      Ready: 'Unknown/OutOfDate',
    },
  },
  {
    name: 'BYO name and Configuration out of date: the Route is not touched',
    objects: [
      service('foo', withTemplateName('foo-blue')),
      cfgOf(defaulted(service('foo', withTemplateName('foo-blue'))), withStatus({ observedGeneration: 0 })),
    ],
    actions: ['updateStatus Service foo'],
    conditions: {
      ConfigurationsReady: 'Unknown/OutOfDate',
      RoutesReady: 'Unknown',
      Ready: 'Unknown/OutOfDate',
    },
  },
  {
    name: 'BYO name taken by another Configuration’s revision → RevisionNameTaken, no Route',
    objects: [
      service('foo', withTemplateName('foo-blue')),
      cfgOf(defaulted(service('foo', withTemplateName('foo-blue'))), isReadyNow()),
      revision('foo-blue', stampedBy(configuration('other', withUID('uid-other')), 1)),
    ],
    actions: ['updateStatus Service foo'],
    conditions: {
      ConfigurationsReady: 'True',
      RoutesReady: 'False/RevisionNameTaken',
      Ready: 'False/RevisionNameTaken',
    },
    check: (w) =>
      expect(messageOf(w.current(Kinds.service, 'foo'), 'RoutesReady')).toBe(
        'The revision name "foo-blue" is taken by a conflicting Revision, so traffic will not be migrated',
      ),
  },
  {
    name: 'label and annotation changes are propagated by clobbering the children',
    objects: [
      service(
        'foo',
        withLabels({ team: 'a' }),
        withAnnotations({
          note: 'x',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'serving.knative.dev/rollout-duration': '60s',
        }),
      ),
      cfgOf(defaulted(svc)),
      routeOf(defaulted(svc)),
    ],
    actions: ['update Configuration foo', 'update Route foo', 'updateStatus Service foo'],
    check: (w) => {
      const c = w.current<any>(Kinds.configuration, 'foo');
      expect(c.metadata.labels.team).toBe('a');
      expect(c.metadata.annotations).toEqual({ note: 'x', 'serving.knative.dev/routes': 'foo' });
      const r = w.current<any>(Kinds.route, 'foo');
      expect(r.metadata.labels).toEqual({ team: 'a', 'serving.knative.dev/service': 'foo' });
      // rollout-duration stays on the Route (it drives the rollout there), last-applied never propagates.
      expect(r.metadata.annotations).toEqual({ note: 'x', 'serving.knative.dev/rollout-duration': '60s' });
    },
  },
  {
    name: 'a traffic-only change updates the Route but not the Configuration',
    objects: [
      service('foo', withTraffic({ revisionName: 'foo-00001', percent: 50 }, { percent: 50, tag: 'next' })),
      cfgOf(defaulted(svc), isReadyNow()),
      routeOf(defaulted(svc)),
    ],
    actions: ['update Route foo', 'updateStatus Service foo'],
    check: (w) =>
      expect(w.current<any>(Kinds.route, 'foo').spec.traffic).toEqual([
        { revisionName: 'foo-00001', percent: 50, latestRevision: false },
        { percent: 50, tag: 'next', latestRevision: true, configurationName: 'foo' },
      ]),
  },
];

describe('service reconciler', () => {
  it.each(rows)('$name', async (row) => {
    const w = new World(row.objects);
    const r = serviceReconciler(w.deps());
    const run = w.reconcile(r, row.key ?? 'default/foo');
    if (row.error) await expect(run).rejects.toThrow(row.error);
    else await run;
    expect(w.summary()).toEqual(row.actions);
    if (row.conditions) expect(conds(w.current(Kinds.service, 'foo'))).toEqual(row.conditions);
    if (row.events) expect(w.events).toEqual(row.events);
    row.check?.(w);
  });

  it('is idempotent: a second pass over the result writes nothing', async () => {
    const w = new World([svc]);
    const r = serviceReconciler(w.deps());
    await w.reconcile(r, 'default/foo');
    const n = w.actions.length;
    await w.reconcile(r, 'default/foo');
    expect(w.actions.length).toBe(n);
  });

  it('a missing Service is a no-op', async () => {
    const w = new World([]);
    await w.reconcile(serviceReconciler(w.deps()), 'default/nope');
    expect(w.actions).toEqual([]);
  });
});
