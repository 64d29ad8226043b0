import { describe, expect, it } from 'vitest';
import type { Configuration, KubeObject, Revision } from '../../src/lib/apis/types.js';
import { configurationReconciler } from '../../src/lib/controller/configuration/reconciler.js';
import { makeRevision } from '../../src/lib/controller/configuration/resources/revision.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { ApiError } from '../../src/lib/kube/errors.js';
import {
  configuration,
  conds,
  isFailedNow,
  isReadyNow,
  messageOf,
  NOW,
  revision,
  stampedBy,
  withAnnotations,
  withGeneration,
  withLabels,
  withStatus,
  withTemplateName,
  withUID,
  World,
} from './fixtures.js';

const cfg = configuration('foo');
const cfg2 = configuration('foo', withGeneration(2));

describe('makeRevision', () => {
  it('names the revision from the Configuration generation and stamps owner labels', () => {
    const c = configuration(
      'foo',
      withGeneration(3),
      withLabels({
        'serving.knative.dev/service': 'foo',
        'serving.knative.dev/serviceUID': 'svc-uid',
        team: 'a',
      }),
      withAnnotations({ 'serving.knative.dev/lastModifier': 'alice', 'serving.knative.dev/creator': 'bob' }),
    );
    c.spec.template.metadata = {
      labels: { tier: 'web' },
      annotations: { 'autoscaling.knative.dev/min-scale': '1' },
    };
    const rev = makeRevision(c, NOW);
    expect(rev.metadata.name).toBe('foo-00003');
    expect(rev.metadata.labels).toEqual({
      tier: 'web',
      'serving.knative.dev/configuration': 'foo',
      'serving.knative.dev/configurationGeneration': '3',
      'serving.knative.dev/configurationUID': 'uid-foo',
      'serving.knative.dev/service': 'foo',
      'serving.knative.dev/serviceUID': 'svc-uid',
      'serving.knative.dev/routingState': 'pending',
    });
    expect(rev.metadata.annotations).toEqual({
      'autoscaling.knative.dev/min-scale': '1',
      'serving.knative.dev/routingStateModified': '2026-01-02T03:04:05Z',
      'serving.knative.dev/creator': 'alice',
    });
    expect(rev.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Configuration',
      name: 'foo',
      controller: true,
    });
  });

  it('is active with the routes annotation when the Configuration is routed', () => {
    const rev = makeRevision(
      configuration('foo', withAnnotations({ 'serving.knative.dev/routes': 'a,b' })),
      NOW,
    );
    expect(rev.metadata.labels?.['serving.knative.dev/routingState']).toBe('active');
    expect(rev.metadata.annotations?.['serving.knative.dev/routes']).toBe('a,b');
  });

  it('uses a BYO name and hashes generated names that would exceed 63 characters', () => {
    expect(makeRevision(configuration('foo', withTemplateName('foo-blue')), NOW).metadata.name).toBe(
      'foo-blue',
    );
    const long = 'a'.repeat(60);
    const name = makeRevision(configuration(long), NOW).metadata.name!;
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name.endsWith('-00001')).toBe(true);
  });
});

interface Row {
  name: string;
  objects: KubeObject[];
  actions: string[];
  conditions?: Record<string, string>;
  status?: Partial<NonNullable<Configuration['status']>>;
  events?: string[];
  error?: RegExp;
  fail?: [string, ApiError];
  check?: (w: World) => void;
}

const rows: Row[] = [
  {
    name: 'first generation creates <config>-00001',
    objects: [cfg],
    actions: ['create Revision foo-00001', 'updateStatus Configuration foo'],
    conditions: { Ready: 'Unknown' },
    status: { latestCreatedRevisionName: 'foo-00001', observedGeneration: 1 },
    events: ['Normal Created Created Revision "foo-00001"'],
  },
  {
    name: 'the revision is found by labels, not by name',
    objects: [cfg, revision('renamed', stampedBy(cfg, 1))],
    actions: ['updateStatus Configuration foo'],
    status: { latestCreatedRevisionName: 'renamed' },
  },
  {
    name: 'ready latest revision → Ready True, latestReady set',
    objects: [cfg, revision('foo-00001', stampedBy(cfg, 1), isReadyNow())],
    actions: ['updateStatus Configuration foo'],
    conditions: { Ready: 'True' },
    status: { latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001' },
    events: [
      'Normal ConfigurationReady Configuration becomes ready',
      'Normal LatestReadyUpdate LatestReadyRevisionName updated to "foo-00001"',
    ],
  },
  {
    name: 'new generation: creates -00002, Ready Unknown, latestReady stays on -00001',
    objects: [cfg2, revision('foo-00001', stampedBy(cfg2, 1), isReadyNow())].map((o) => o),
    actions: ['create Revision foo-00002', 'updateStatus Configuration foo'],
    conditions: { Ready: 'Unknown' },
    status: { latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00001' },
  },
  {
    name: 'failed latest revision → RevisionFailed, traffic stays on the last good revision',
    objects: [
      configuration(
        'foo',
        withGeneration(2),
        withStatus({ latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001' }),
      ),
      revision('foo-00001', stampedBy(cfg2, 1), isReadyNow()),
      revision('foo-00002', stampedBy(cfg2, 2), isFailedNow('ExitCode1', 'Container failed with: boom')),
    ],
    actions: ['updateStatus Configuration foo'],
    conditions: { Ready: 'False/RevisionFailed' },
    status: { latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00001' },
    events: ['Warning LatestCreatedFailed Latest created revision "foo-00002" has failed'],
    check: (w) =>
      expect(messageOf(w.current(Kinds.configuration, 'foo'), 'Ready')).toBe(
        'Revision "foo-00002" failed with message: Container failed with: boom.',
      ),
  },
  {
    name: 'BYO name taken by another Configuration → RevisionFailed (no retry)',
    objects: [
      configuration('foo', withTemplateName('foo-x')),
      revision('foo-x', stampedBy(configuration('bar', withUID('uid-bar')), 1)),
    ],
    actions: ['updateStatus Configuration foo'],
    conditions: { Ready: 'False/RevisionFailed' },
    check: (w) =>
      expect(messageOf(w.current(Kinds.configuration, 'foo'), 'Ready')).toBe(
        'Revision creation failed with message: revisions.serving.knative.dev "foo-x" already exists.',
      ),
  },
  {
    name: 'BYO name of ours at an older generation with the same spec is reused',
    objects: [
      configuration('foo', withGeneration(2), withTemplateName('foo-x')),
      revision('foo-x', stampedBy(cfg, 1), isReadyNow()),
    ],
    actions: ['updateStatus Configuration foo'],
    conditions: { Ready: 'True' },
    status: { latestCreatedRevisionName: 'foo-x', latestReadyRevisionName: 'foo-x' },
  },
  {
    name: 'create failure → RevisionFailed with the API message and CreationFailed event',
    objects: [cfg],
    fail: [
      'create revisions',
      new ApiError(400, { reason: 'BadRequest', message: 'admission webhook denied' }),
    ],
    actions: ['updateStatus Configuration foo'],
    conditions: { Ready: 'False/RevisionFailed' },
    events: [
      'Warning CreationFailed Failed to create Revision: admission webhook denied',
      'Warning InternalError failed to create Revision: admission webhook denied',
    ],
    error: /failed to create Revision/,
  },
  {
    name: 'a racing create (AlreadyExists) is retried without touching Ready',
    objects: [cfg],
    fail: [
      'create revisions',
      new ApiError(409, {
        reason: 'AlreadyExists',
        message: 'revisions.serving.knative.dev "foo-00001" already exists',
      }),
    ],
    actions: ['updateStatus Configuration foo'],
    // genreconciler's marker for an unobserved generation stays until a pass succeeds.
    conditions: { Ready: 'Unknown/NewObservedGenFailure' },
    error: /already exists/,
  },
];

describe('configuration reconciler', () => {
  it.each(rows)('$name', async (row) => {
    const w = new World(row.objects);
    if (row.fail) w.failNext.set(row.fail[0], row.fail[1]);
    const run = w.reconcile(configurationReconciler(w.deps()), 'default/foo');
    if (row.error) await expect(run).rejects.toThrow(row.error);
    else await run;
    expect(w.summary()).toEqual(row.actions);
    const c = w.current<Configuration>(Kinds.configuration, 'foo');
    if (row.conditions) expect(conds(c)).toEqual(row.conditions);
    if (row.status) expect(c.status).toMatchObject(row.status);
    if (row.events) expect(w.events).toEqual(row.events);
    row.check?.(w);
  });

  it('stamps labels on the created revision', async () => {
    const w = new World([cfg]);
    await w.reconcile(configurationReconciler(w.deps()), 'default/foo');
    const rev = w.current<Revision>(Kinds.revision, 'foo-00001');
    expect(rev.metadata.labels?.['serving.knative.dev/configurationGeneration']).toBe('1');
  });
});
