import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/lib/apis/types.js';
import { labelerReconciler } from '../../src/lib/controller/labeler/reconciler.js';
import {
  configuration,
  isReadyNow,
  revision,
  route,
  stampedBy,
  withAnnotations,
  withDeletion,
  withFinalizers,
  withLabels,
  withStatus,
  withTraffic,
  World,
} from './fixtures.js';

const cfg = configuration(
  'foo',
  withStatus({ latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00001' }),
);
const active = (routes: string) => [
  withLabels({ 'serving.knative.dev/routingState': 'active' }),
  withAnnotations({ 'serving.knative.dev/routes': routes }),
];

interface Row {
  name: string;
  objects: KubeObject[];
  patches: string[];
  key?: string;
}

const fin = withFinalizers(['routes.serving.knative.dev']);
const rows: Row[] = [
  {
    name: 'a new route adds its finalizer and marks its targets (latestCreated too)',
    objects: [
      route(
        'foo',
        withTraffic({ configurationName: 'foo', percent: 100, latestRevision: true }),
        withStatus({ traffic: [{ revisionName: 'foo-00001', percent: 100 }] }),
      ),
      cfg,
      revision('foo-00001', stampedBy(cfg, 1), withLabels({ 'serving.knative.dev/routingState': 'pending' })),
      revision('foo-00002', stampedBy(cfg, 2), withLabels({ 'serving.knative.dev/routingState': 'pending' })),
    ],
    patches: [
      'Route foo {"metadata":{"finalizers":["routes.serving.knative.dev"],"resourceVersion":"1"}}',
      'Configuration foo {"metadata":{"annotations":{"serving.knative.dev/routes":"foo"}}}',
      'Revision foo-00001 {"metadata":{"annotations":{"serving.knative.dev/routes":"foo","serving.knative.dev/routingStateModified":"2026-01-02T03:04:05Z"},"labels":{"serving.knative.dev/routingState":"active"}}}',
      'Revision foo-00002 {"metadata":{"annotations":{"serving.knative.dev/routes":"foo","serving.knative.dev/routingStateModified":"2026-01-02T03:04:05Z"},"labels":{"serving.knative.dev/routingState":"active"}}}',
    ],
  },
  {
    name: 'a ready route moves revisions it no longer lists to reserve, keeping other routes',
    objects: [
      route('foo', fin, isReadyNow(), withTraffic({ revisionName: 'foo-00002', percent: 100 })),
      configuration('foo', withAnnotations({ 'serving.knative.dev/routes': 'foo' })),
      revision('foo-00001', stampedBy(cfg, 1), ...active('foo')),
      revision('foo-00002', stampedBy(cfg, 2), ...active('foo')),
      revision('foo-00003', stampedBy(cfg, 3), ...active('bar,foo')),
    ],
    patches: [
      'Revision foo-00001 {"metadata":{"annotations":{"serving.knative.dev/routes":null,"serving.knative.dev/routingStateModified":"2026-01-02T03:04:05Z"},"labels":{"serving.knative.dev/routingState":"reserve"}}}',
      'Revision foo-00003 {"metadata":{"annotations":{"serving.knative.dev/routes":"bar"}}}',
    ],
  },
  {
    name: 'a route that is still rolling out does not clear anything',
    objects: [
      route('foo', fin, withTraffic({ revisionName: 'foo-00002', percent: 100 })),
      revision('foo-00001', stampedBy(cfg, 1), ...active('foo')),
      revision('foo-00002', stampedBy(cfg, 2), ...active('foo')),
    ],
    patches: [],
  },
  {
    name: 'deleting the route clears it everywhere and removes the finalizer',
    objects: [
      route(
        'foo',
        withDeletion(['routes.serving.knative.dev']),
        withTraffic({ revisionName: 'foo-00001', percent: 100 }),
      ),
      configuration('foo', withAnnotations({ 'serving.knative.dev/routes': 'foo' })),
      revision('foo-00001', stampedBy(cfg, 1), ...active('foo')),
    ],
    patches: [
      'Revision foo-00001 {"metadata":{"annotations":{"serving.knative.dev/routes":null,"serving.knative.dev/routingStateModified":"2026-01-02T03:04:05Z"},"labels":{"serving.knative.dev/routingState":"reserve"}}}',
      'Configuration foo {"metadata":{"annotations":{"serving.knative.dev/routes":null}}}',
      'Route foo {"metadata":{"finalizers":[],"resourceVersion":"1"}}',
    ],
  },
];

describe('labeler', () => {
  it.each(rows)('$name', async (row) => {
    const w = new World(row.objects);
    await w.reconcile(labelerReconciler(w.deps()), row.key ?? 'default/foo');
    expect(w.actions.map((a) => `${a.kind} ${a.name} ${JSON.stringify(a.patch)}`)).toEqual(row.patches);
    // The labeler never writes Route status.
    expect(w.actions.filter((a) => a.verb !== 'patch')).toEqual([]);
  });
});
