import { describe, expect, it } from 'vitest';
import { defaultConfigs } from '../../src/lib/apis/config/index.js';
import type { Deployment, KubeObject, KubeService, Revision } from '../../src/lib/apis/types.js';
import { makeDeployment } from '../../src/lib/controller/revision/resources/deployment.js';
import { makeKubeService } from '../../src/lib/controller/revision/resources/service.js';
import { deploymentParams, revisionReconciler } from '../../src/lib/controller/revision/reconciler.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import {
  conds,
  messageOf,
  ownedBy,
  pod,
  revision,
  withAnnotations,
  withCondition,
  withLabels,
  World,
} from './fixtures.js';

const rev = revision(
  'foo-00001',
  withLabels({
    'serving.knative.dev/configuration': 'foo',
    'serving.knative.dev/service': 'foo',
    'serving.knative.dev/routingState': 'active',
  }),
);
rev.spec.containers[0].ports = [{ containerPort: 9000 }];
rev.spec.containers[0].env = [{ name: 'TARGET', value: 'x' }];
rev.spec.containers[0].readinessProbe = { tcpSocket: { port: 0 }, successThreshold: 1 };
rev.spec.timeoutSeconds = 120;
rev.spec.containerConcurrency = 5;

describe('makeDeployment / makeKubeService', () => {
  const d = makeDeployment(rev, { initialReplicas: 1, progressDeadlineSeconds: 600 });

  it('runs the user container with Knative env, port and probe aimed at it', () => {
    expect(d.metadata.name).toBe('foo-00001-deployment');
    const c = d.spec.template.spec.containers[0];
    expect(c.env).toEqual([
      { name: 'TARGET', value: 'x' },
      { name: 'PORT', value: '9000' },
      { name: 'K_REVISION', value: 'foo-00001' },
      { name: 'K_CONFIGURATION', value: 'foo' },
      { name: 'K_SERVICE', value: 'foo' },
    ]);
    expect(c.ports).toEqual([{ name: 'user-port', containerPort: 9000, protocol: 'TCP' }]);
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 9000 }, successThreshold: 1 });
    expect(d.spec.template.spec.containerConcurrency).toBeUndefined();
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(120);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    expect(d.spec.selector.matchLabels).toEqual({ 'serving.knative.dev/revision': 'foo-00001' });
  });

  it('labels pods with revision, configuration, service and app (not the routing state)', () => {
    expect(d.spec.template.metadata?.labels).toEqual({
      'serving.knative.dev/configuration': 'foo',
      'serving.knative.dev/service': 'foo',
      'serving.knative.dev/revision': 'foo-00001',
      'serving.knative.dev/revisionUID': 'uid-foo-00001',
      app: 'foo-00001',
    });
  });

  it('defaults the port to 8080 and K_SERVICE to empty for a standalone configuration', () => {
    const plain = revision('bar-00001', withLabels({ 'serving.knative.dev/configuration': 'bar' }));
    const c = makeDeployment(plain, { initialReplicas: 1, progressDeadlineSeconds: 600 }).spec.template.spec
      .containers[0];
    expect(c.env).toContainEqual({ name: 'PORT', value: '8080' });
    expect(c.env).toContainEqual({ name: 'K_SERVICE', value: '' });
  });

  it('fronts the pods with a Service <rev> on port 80', () => {
    const s = makeKubeService(rev);
    expect(s.metadata.name).toBe('foo-00001');
    expect(s.spec).toEqual({
      selector: { 'serving.knative.dev/revision': 'foo-00001' },
      ports: [{ name: 'http', port: 80, targetPort: 9000, protocol: 'TCP' }],
    });
  });
});

describe('deploymentParams', () => {
  const cfg = defaultConfigs();
  const world = new World([]);
  const deps = { ...world.deps(cfg) };
  it.each([
    [{}, 1, 600],
    [{ 'autoscaling.knative.dev/initial-scale': '3' }, 3, 600],
    [{ 'autoscaling.knative.dev/initial-scale': '0' }, 1, 600], // zero not allowed by default
    [{ 'autoscaling.knative.dev/min-scale': '2' }, 2, 600],
    [{ 'serving.knative.dev/progress-deadline': '30s' }, 1, 30],
  ])('%o → %d replicas, %ds deadline', (ann, replicas, deadline) => {
    expect(deploymentParams(revision('r', withAnnotations(ann as Record<string, string>)), deps)).toEqual({
      initialReplicas: replicas,
      progressDeadlineSeconds: deadline,
    });
  });

  it('honours initial-scale 0 when config-autoscaler allows it', () => {
    const allow = { ...cfg, autoscaler: { ...cfg.autoscaler, allowZeroInitialScale: true } };
    expect(
      deploymentParams(
        revision('r', withAnnotations({ 'autoscaling.knative.dev/initial-scale': '0' })),
        world.deps(allow),
      ).initialReplicas,
    ).toBe(0);
  });
});

const deployment = (
  ready: number,
  replicas = 1,
  conditions?: NonNullable<Deployment['status']>['conditions'],
): Deployment => {
  const d = makeDeployment(rev, { initialReplicas: replicas, progressDeadlineSeconds: 600 });
  d.metadata.uid = 'uid-d';
  d.spec.replicas = replicas;
  d.status = {
    replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    conditions: conditions ?? [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
  };
  return d;
};
const withConditions = (r: Revision, types: string[]): Revision => {
  for (const t of types) withCondition<Revision>(t, 'True')(r);
  return r;
};
const svcOf = (): KubeService => ({
  ...makeKubeService(rev),
  metadata: { ...makeKubeService(rev).metadata, uid: 'uid-s' },
});

interface Row {
  name: string;
  objects: KubeObject[];
  actions: string[];
  conditions: Record<string, string>;
  messages?: Record<string, string>;
  replicas?: [number, number];
  error?: RegExp;
}

const rows: Row[] = [
  {
    name: 'creates the Deployment and Service, Deploying',
    objects: [rev],
    actions: [
      'create Deployment foo-00001-deployment',
      'create Service foo-00001',
      'updateStatus Revision foo-00001',
    ],
    conditions: {
      Ready: 'Unknown/Deploying',
      ResourcesAvailable: 'Unknown/Deploying',
      ContainerHealthy: 'Unknown/Deploying',
    },
  },
  {
    name: 'ready pods → Ready, Active',
    objects: [rev, deployment(1), svcOf()],
    actions: ['updateStatus Revision foo-00001'],
    conditions: { Ready: 'True', ResourcesAvailable: 'True', ContainerHealthy: 'True', Active: 'True' },
    replicas: [1, 1],
  },
  {
    name: 'no ready pods yet → Queued, not Ready',
    objects: [rev, deployment(0), svcOf()],
    actions: ['updateStatus Revision foo-00001'],
    conditions: {
      Ready: 'Unknown',
      ResourcesAvailable: 'True',
      ContainerHealthy: 'Unknown',
      Active: 'Unknown/Queued',
    },
  },
  {
    name: 'crashing container → ContainerHealthy False ExitCode<N>',
    objects: [
      rev,
      deployment(0),
      svcOf(),
      pod('foo-00001-deployment-a', 'foo-00001', (p) => {
        p.status = {
          containerStatuses: [
            {
              name: 'user-container',
              ready: false,
              restartCount: 3,
              lastState: { terminated: { exitCode: 1, message: 'boom' } },
            },
          ],
        };
      }),
    ],
    actions: ['updateStatus Revision foo-00001'],
    conditions: {
      Ready: 'False/ExitCode1',
      ResourcesAvailable: 'True',
      ContainerHealthy: 'False/ExitCode1',
      Active: 'Unknown/Queued',
    },
    messages: { ContainerHealthy: 'Container failed with: boom' },
  },
  {
    name: 'an image the runtime cannot run → ResourcesAvailable False with its reason',
    objects: [
      rev,
      deployment(0, 1, [
        { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' },
        {
          type: 'ReplicaFailure',
          status: 'True',
          reason: 'ImageNotRunnable',
          message: 'the local cluster runs processes, not container images: x',
        },
      ]),
      svcOf(),
    ],
    actions: ['updateStatus Revision foo-00001'],
    conditions: {
      Ready: 'False/ImageNotRunnable',
      ResourcesAvailable: 'False/ImageNotRunnable',
      ContainerHealthy: 'Unknown',
      Active: 'Unknown/Queued',
    },
    messages: { ResourcesAvailable: 'the local cluster runs processes, not container images: x' },
  },
  {
    name: 'progress deadline exceeded → ProgressDeadlineExceeded; a waiting pod reports its reason',
    objects: [
      rev,
      deployment(0, 1, [
        { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'too slow' },
      ]),
      svcOf(),
      pod('foo-00001-deployment-a', 'foo-00001', (p) => {
        p.status = {
          containerStatuses: [
            {
              name: 'user-container',
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: 'ImagePullBackOff', message: 'nope' } },
            },
          ],
        };
      }),
    ],
    actions: ['updateStatus Revision foo-00001'],
    conditions: {
      Ready: 'False/ImagePullBackOff',
      ResourcesAvailable: 'False/ImagePullBackOff',
      ContainerHealthy: 'Unknown',
      Active: 'Unknown/Queued',
    },
  },
  {
    name: 'scaled to zero after being ready stays Ready, Active False NoTraffic',
    objects: [
      withConditions(structuredClone(rev), ['ContainerHealthy', 'ResourcesAvailable', 'Ready']),
      deployment(0, 0),
      svcOf(),
    ],
    actions: ['updateStatus Revision foo-00001'],
    conditions: {
      Ready: 'True',
      ResourcesAvailable: 'True',
      ContainerHealthy: 'True',
      Active: 'False/NoTraffic',
    },
    replicas: [0, 0],
  },
  {
    name: 'a Deployment of that name owned by someone else → NotOwned',
    objects: [rev, { ...deployment(1), metadata: { ...deployment(1).metadata, ownerReferences: [] } }],
    actions: ['updateStatus Revision foo-00001'],
    conditions: {
      Ready: 'False/NotOwned',
      ResourcesAvailable: 'False/NotOwned',
      ContainerHealthy: 'Unknown',
    },
    messages: {
      ResourcesAvailable: 'There is an existing Deployment "foo-00001-deployment" that we do not own.',
    },
    error: /does not own Deployment/,
  },
];

describe('revision reconciler', () => {
  it.each(rows)('$name', async (row) => {
    const w = new World(row.objects);
    // A fresh revision's ownerReferences point at it; fixtures built before the uid was known.
    for (const o of row.objects)
      if (o.kind === 'Deployment' && o.metadata.ownerReferences?.length)
        ownedBy(rev)(w.current(Kinds.deployment, o.metadata.name!));
    const run = w.reconcile(revisionReconciler(w.deps()), 'default/foo-00001');
    if (row.error) await expect(run).rejects.toThrow(row.error);
    else await run;
    expect(w.summary()).toEqual(row.actions);
    const r = w.current<Revision>(Kinds.revision, 'foo-00001');
    expect(conds(r)).toEqual(row.conditions);
    for (const [t, m] of Object.entries(row.messages ?? {})) expect(messageOf(r, t)).toBe(m);
    if (row.replicas) expect([r.status?.actualReplicas, r.status?.desiredReplicas]).toEqual(row.replicas);
  });

  it('preserves spec.replicas (owned by the autoscaler) when the Deployment needs an update', async () => {
    const d = deployment(3, 3);
    d.spec.template.spec.containers[0].image = 'file:///old';
    const w = new World([rev, d, svcOf()]);
    await w.reconcile(revisionReconciler(w.deps()), 'default/foo-00001');
    expect(w.summary()).toEqual([
      'update Deployment foo-00001-deployment',
      'updateStatus Revision foo-00001',
    ]);
    const updated = w.current<Deployment>(Kinds.deployment, 'foo-00001-deployment');
    expect(updated.spec.replicas).toBe(3);
    expect(updated.spec.template.spec.containers[0].image).toBe('file:///app');
  });
});
