import { makeFrozenInstances, makeInstances } from '../../src/lib/dataplane/routing-table.js';
import { describe, expect, it } from 'vitest';
import type { Deployment, KubeService } from '../../src/lib/apis/types.js';
import type { PodProcessState } from '../../src/lib/kubelet/pod-process.js';
import {
  makeDeploymentStatus,
  makeEndpoints,
  makePod,
  makePodStatus,
  sameDeploymentStatus,
  selectorMatches,
  type ReplicaCounts,
} from '../../src/lib/kubelet/resources.js';

const NOW = '2026-01-01T00:00:10Z';
const EARLIER = '2026-01-01T00:00:00Z';

function deployment(replicas: number, status?: Deployment['status']): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'hello-00001-deployment', namespace: 'default', uid: 'd-uid', generation: 3 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'hello-00001' } },
      template: {
        metadata: { labels: { app: 'hello-00001' } },
        spec: { containers: [{ name: 'user-container', image: 'x' }] },
      },
    },
    status,
  };
}

const counts = (total: number, updated: number, ready: number, updatedReady: number): ReplicaCounts => ({
  total,
  updated,
  ready,
  updatedReady,
});
const facts = (c: ReplicaCounts, extra: Partial<Parameters<typeof makeDeploymentStatus>[1]> = {}) => ({
  counts: c,
  replicaSetName: 'hello-00001-deployment-abc',
  progressDeadlineExceeded: false,
  now: NOW,
  ...extra,
});
const summary = (status: Deployment['status']) =>
  status?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`);

describe('makeDeploymentStatus', () => {
  it.each([
    [
      'all ready',
      2,
      counts(2, 2, 2, 2),
      {},
      ['Available=True/MinimumReplicasAvailable', 'Progressing=True/NewReplicaSetAvailable'],
    ],
    [
      'scaled to zero',
      0,
      counts(0, 0, 0, 0),
      {},
      ['Available=True/MinimumReplicasAvailable', 'Progressing=True/NewReplicaSetAvailable'],
    ],
    [
      'starting',
      2,
      counts(2, 2, 0, 0),
      {},
      ['Available=False/MinimumReplicasUnavailable', 'Progressing=True/ReplicaSetUpdated'],
    ],
    [
      '3 of 4 ready is available (maxUnavailable 25%)',
      4,
      counts(4, 4, 3, 3),
      {},
      ['Available=True/MinimumReplicasAvailable', 'Progressing=True/ReplicaSetUpdated'],
    ],
    [
      'rolling: old pods still there',
      1,
      counts(2, 1, 2, 1),
      {},
      ['Available=True/MinimumReplicasAvailable', 'Progressing=True/ReplicaSetUpdated'],
    ],
    [
      'deadline passed',
      1,
      counts(1, 1, 0, 0),
      { progressDeadlineExceeded: true },
      ['Available=False/MinimumReplicasUnavailable', 'Progressing=False/ProgressDeadlineExceeded'],
    ],
    [
      'not runnable',
      1,
      counts(1, 1, 0, 0),
      { notRunnable: { reason: 'ImageNotRunnable', message: 'nope' } },
      [
        'Available=False/MinimumReplicasUnavailable',
        'Progressing=True/ReplicaSetUpdated',
        'ReplicaFailure=True/ImageNotRunnable',
      ],
    ],
  ])('%s', (_name, replicas, c, extra, expected) => {
    const status = makeDeploymentStatus(deployment(replicas), facts(c, extra));
    expect(summary(status)).toEqual(expected);
    expect(status).toMatchObject({
      observedGeneration: 3,
      replicas: c.total,
      updatedReplicas: c.updated,
      readyReplicas: c.ready,
      availableReplicas: c.ready,
    });
  });

  it('words Progressing like the Deployment controller', () => {
    const status = makeDeploymentStatus(deployment(1), facts(counts(1, 1, 1, 1)));
    expect(status.conditions![1]).toEqual({
      type: 'Progressing',
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: 'ReplicaSet "hello-00001-deployment-abc" has successfully progressed.',
      lastTransitionTime: NOW,
    });
  });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const before = deployment(1, {
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          lastTransitionTime: EARLIER,
        },
        { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastTransitionTime: EARLIER },
      ],
    });
    const status = makeDeploymentStatus(
      before,
      facts(counts(1, 1, 0, 0), { progressDeadlineExceeded: true }),
    );
    expect(status.conditions!.map((c) => c.lastTransitionTime)).toEqual([NOW, NOW]);
    const same = makeDeploymentStatus(before, facts(counts(1, 1, 1, 1)));
    expect(same.conditions!.map((c) => c.lastTransitionTime)).toEqual([EARLIER, EARLIER]);
  });

  it('compares statuses without timestamps', () => {
    const a = makeDeploymentStatus(deployment(1), facts(counts(1, 1, 1, 1)));
    const b = makeDeploymentStatus(deployment(1), facts(counts(1, 1, 1, 1), { now: EARLIER }));
    expect(sameDeploymentStatus(a, b)).toBe(true);
    expect(sameDeploymentStatus(a, makeDeploymentStatus(deployment(1), facts(counts(1, 1, 0, 0))))).toBe(
      false,
    );
  });
});

describe('makePod / makePodStatus', () => {
  it('labels the pod with the template hash and makes the Deployment its controller', () => {
    const pod = makePod(deployment(1), 'hello-00001-deployment-abc-xyz12', 'abc');
    expect(pod.metadata).toMatchObject({
      name: 'hello-00001-deployment-abc-xyz12',
      namespace: 'default',
      labels: { app: 'hello-00001', 'pod-template-hash': 'abc' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'hello-00001-deployment',
          uid: 'd-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
  });

  const base: PodProcessState = {
    phase: 'Running',
    ready: false,
    terminating: false,
    restartCount: 2,
    createdAt: EARLIER,
  };
  const terminated = { exitCode: 3, reason: 'Error', message: 'boom', startedAt: EARLIER, finishedAt: NOW };

  it('reports a crash loop as waiting CrashLoopBackOff with the last termination', () => {
    const status = makePodStatus(
      {
        ...base,
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2s' },
        lastTerminated: terminated,
      },
      { name: 'user-container', image: 'img' },
    );
    expect(status!.containerStatuses![0]).toEqual({
      name: 'user-container',
      image: 'img',
      imageID: '',
      ready: false,
      started: false,
      restartCount: 2,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2s' } },
      lastState: { terminated },
    });
    expect(status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [user-container]',
    });
  });

  it('reports a ready running container', () => {
    const status = makePodStatus(
      { ...base, ready: true, readySince: NOW, running: { startedAt: NOW } },
      { name: 'c' },
    );
    expect(status).toMatchObject({ phase: 'Running', podIP: '127.0.0.1', startTime: EARLIER });
    expect(status!.containerStatuses![0]).toMatchObject({
      ready: true,
      started: true,
      state: { running: { startedAt: NOW } },
    });
    expect(status!.conditions!.map((c) => [c.type, c.status])).toEqual([
      ['PodScheduled', 'True'],
      ['Initialized', 'True'],
      ['ContainersReady', 'True'],
      ['Ready', 'True'],
    ]);
  });
});

describe('makeEndpoints', () => {
  const service: KubeService = {
    metadata: { name: 'hello-00001', namespace: 'default', uid: 's-uid', labels: { a: 'b' } },
    spec: { selector: { app: 'hello-00001' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  };

  it('gives every pod its own subset; ready pods in addresses, others in notReadyAddresses', () => {
    const ep = makeEndpoints(service, [
      { name: 'pod-b', uid: 'ub', port: 4002, ready: false },
      { name: 'pod-a', uid: 'ua', port: 4001, ready: true },
    ]);
    expect(ep.metadata).toMatchObject({ name: 'hello-00001', namespace: 'default', labels: { a: 'b' } });
    expect(ep.subsets).toEqual([
      {
        addresses: [
          {
            ip: '127.0.0.1',
            nodeName: 'localhost',
            targetRef: { kind: 'Pod', name: 'pod-a', namespace: 'default', uid: 'ua' },
          },
        ],
        ports: [{ name: 'http', port: 4001, protocol: 'TCP' }],
      },
      {
        notReadyAddresses: [
          {
            ip: '127.0.0.1',
            nodeName: 'localhost',
            targetRef: { kind: 'Pod', name: 'pod-b', namespace: 'default', uid: 'ub' },
          },
        ],
        ports: [{ name: 'http', port: 4002, protocol: 'TCP' }],
      },
    ]);
  });

  it('has no subsets without pods', () => {
    expect(makeEndpoints(service, []).subsets).toEqual([]);
    expect(makeEndpoints(service, []).metadata.annotations).toBeUndefined();
  });

  it('names frozen pods (listed not ready) in knlite.dev/frozen-pods, which the gateway reads back', () => {
    const ep = makeEndpoints(service, [
      { name: 'pod-c', port: 4003, ready: false, frozen: true },
      { name: 'pod-b', port: 4002, ready: false },
      { name: 'pod-a', port: 4001, ready: false, frozen: true },
    ]);
    expect(ep.metadata.annotations).toEqual({ 'knlite.dev/frozen-pods': 'pod-a,pod-c' });
    expect(makeFrozenInstances(ep).map((i) => [i.pod, i.port])).toEqual([
      ['pod-a', 4001],
      ['pod-c', 4003],
    ]);
    expect(makeInstances(ep)).toEqual([]);
  });

  it('matches selectors like Kubernetes (an empty selector selects nothing here)', () => {
    expect(selectorMatches({ app: 'x' }, { app: 'x', other: 'y' })).toBe(true);
    expect(selectorMatches({ app: 'x', b: 'c' }, { app: 'x' })).toBe(false);
    expect(selectorMatches({}, { app: 'x' })).toBe(false);
  });
});
