import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Condition, Pod } from '../../src/lib/apis/types.js';
import { podLogPath, startRuntime, type LocalRuntime } from '../../src/lib/kubelet/index.js';
import {
  makeDeployment,
  podsOf,
  readDeployment,
  readEndpoints,
  recordedProcesses,
  startApi,
  type ApiFixture,
} from './cluster.js';
import { exampleDir, httpGet, isAlive } from './helpers.js';

const WAIT = { timeout: 30_000, interval: 50 };
const condition = (conditions: Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);

// An HTTP server started with `node -e` that answers with the listed environment variables.
const echoEnv = (...names: string[]) => [
  'node',
  '-e',
  `require('http').createServer((q, s) => s.end(${JSON.stringify(names)}.map((n) => n + '=' + process.env[n]).join('\\n'))).listen(process.env.PORT)`,
];

describe('local runtime', () => {
  let api: ApiFixture;
  let runtime: LocalRuntime;
  let dataDir: string;

  beforeAll(async () => {
    api = await startApi();
    dataDir = join(api.dir, 'runtime');
    runtime = await startRuntime(api.rest, { dataDir, restartBackoffMs: 100, log: () => {} });
  });

  afterAll(async () => {
    await runtime?.stop();
    await api?.close();
  });

  it('runs a Deployment of examples/hello as Ready pods listed in the Service Endpoints, and scales to zero', async () => {
    const labels = { app: 'hello-00001', 'serving.knative.dev/revision': 'hello-00001' };
    await api.core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name: 'hello-00001', namespace: 'default' },
        spec: {
          selector: { 'serving.knative.dev/revision': 'hello-00001' },
          ports: [{ name: 'http', port: 80, targetPort: 8080 as never }],
        },
      },
    });
    await api.apps.createNamespacedDeployment({
      namespace: 'default',
      body: makeDeployment(
        'hello-00001-deployment',
        {
          image: `file://${exampleDir('hello')}`,
          env: [{ name: 'K_REVISION', value: 'hello-00001' }],
          readinessProbe: { httpGet: { path: '/healthz', port: 0 } },
        },
        { replicas: 2, labels },
      ) as never,
    });

    const deployment = await vi.waitFor(async () => {
      const d = await readDeployment(api.apps, 'hello-00001-deployment');
      expect(d.status).toMatchObject({
        observedGeneration: 1,
        replicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
        updatedReplicas: 2,
      });
      expect(condition(d.status?.conditions, 'Available')).toMatchObject({
        status: 'True',
        reason: 'MinimumReplicasAvailable',
      });
      expect(condition(d.status?.conditions, 'Progressing')).toMatchObject({
        status: 'True',
        reason: 'NewReplicaSetAvailable',
      });
      return d;
    }, WAIT);

    const pods = await podsOf(api.core, 'hello-00001-deployment');
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(/^hello-00001-deployment-[a-z0-9]{10}-[a-z0-9]{5}$/);
      expect(pod.metadata.labels).toMatchObject(labels);
      expect(pod.metadata.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'Deployment',
          name: 'hello-00001-deployment',
          uid: deployment.metadata.uid,
          controller: true,
        }),
      ]);
      expect(pod.status).toMatchObject({ phase: 'Running', podIP: '127.0.0.1' });
      expect(condition(pod.status?.conditions, 'Ready')?.status).toBe('True');
      expect(pod.status?.containerStatuses?.[0]).toMatchObject({
        name: 'user-container',
        ready: true,
        restartCount: 0,
      });
      expect(existsSync(podLogPath(dataDir, 'default', pod.metadata.name!))).toBe(true);
    }

    const endpoints = await vi.waitFor(async () => {
      const ep = await readEndpoints(api.core, 'hello-00001');
      expect(ep?.subsets).toHaveLength(2);
      expect(ep!.subsets!.every((s) => s.addresses?.length === 1)).toBe(true);
      return ep!;
    }, WAIT);
    const ports = endpoints.subsets!.map((s) => s.ports![0]!.port);
    expect(new Set(ports).size).toBe(2);
    expect(endpoints.subsets!.map((s) => s.ports![0]!.name)).toEqual(['http', 'http']);
    expect(endpoints.subsets!.map((s) => s.addresses![0]!.targetRef!.name).sort()).toEqual(
      pods.map((p) => p.metadata.name).sort(),
    );
    for (const port of ports)
      expect(await httpGet(port)).toEqual({ status: 200, body: 'Hello World! (hello-00001)\n' });

    const pids = recordedProcesses(dataDir)
      .filter((r) => r.pod.startsWith('default/hello-00001-deployment-'))
      .map((r) => r.pid);
    expect(pids).toHaveLength(2);

    await api.apps.patchNamespacedDeploymentScale(
      { name: 'hello-00001-deployment', namespace: 'default', body: { spec: { replicas: 0 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await vi.waitFor(async () => {
      expect(await podsOf(api.core, 'hello-00001-deployment')).toEqual([]);
      const d = await readDeployment(api.apps, 'hello-00001-deployment');
      expect(d.status).toMatchObject({ replicas: 0, readyReplicas: 0 });
      expect((await readEndpoints(api.core, 'hello-00001'))?.subsets ?? []).toEqual([]);
    }, WAIT);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('surfaces a crashing command as restarts with the exit code and the tail of its output', async () => {
    await api.apps.createNamespacedDeployment({
      namespace: 'default',
      body: makeDeployment('crash', {
        image: 'gcr.io/x/crash',
        command: ['node', '-e', "console.error('boom'); process.exit(3)"],
      }) as never,
    });
    const status = await vi.waitFor(async () => {
      const [pod] = await podsOf(api.core, 'crash');
      const cs = pod?.status?.containerStatuses?.[0];
      expect(cs?.restartCount).toBeGreaterThan(0);
      expect(cs?.lastState?.terminated).toMatchObject({
        exitCode: 3,
        reason: 'Error',
        message: expect.stringContaining('boom'),
      });
      expect(cs?.state?.waiting?.reason).toBe('CrashLoopBackOff');
      return pod!.status!;
    }, WAIT);
    expect(status.phase).toBe('Running');
    expect(condition(status.conditions, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
    });
    const d = await readDeployment(api.apps, 'crash');
    expect(d.status).toMatchObject({ replicas: 1, readyReplicas: 0 });
    expect(condition(d.status?.conditions, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
  });

  it('reports ProgressDeadlineExceeded when pods are not ready within progressDeadlineSeconds', async () => {
    await api.apps.createNamespacedDeployment({
      namespace: 'default',
      body: makeDeployment(
        'slow',
        { command: ['node', '-e', 'setInterval(() => {}, 1000)'] },
        { progressDeadlineSeconds: 1 },
      ) as never,
    });
    await vi.waitFor(async () => {
      const d = await readDeployment(api.apps, 'slow');
      expect(condition(d.status?.conditions, 'Progressing')).toMatchObject({
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: expect.stringMatching(/^ReplicaSet "slow-[a-z0-9]{10}" has timed out progressing\.$/),
      });
    }, WAIT);
  });

  it('refuses container images it cannot run with ReplicaFailure ImageNotRunnable', async () => {
    await api.apps.createNamespacedDeployment({
      namespace: 'default',
      body: makeDeployment('registry', { image: 'gcr.io/x/y' }) as never,
    });
    await vi.waitFor(async () => {
      const d = await readDeployment(api.apps, 'registry');
      expect(condition(d.status?.conditions, 'ReplicaFailure')).toMatchObject({
        status: 'True',
        reason: 'ImageNotRunnable',
        message:
          'the local cluster runs processes, not container images: "gcr.io/x/y" is not a local directory (use --image ./path/to/app, or --cmd)',
      });
      const [pod] = await podsOf(api.core, 'registry');
      expect(pod?.status?.phase).toBe('Pending');
      expect(pod?.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ImageNotRunnable');
    }, WAIT);
  });

  it('passes env from ConfigMaps, Secrets and the downward API to the process', async () => {
    await api.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cfg' }, data: { greeting: 'hi' } },
    });
    await api.core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'sec' }, data: { password: Buffer.from('s3cret').toString('base64') } },
    });
    await api.core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name: 'envy' },
        spec: { selector: { app: 'envy' }, ports: [{ name: 'http', port: 80 }] },
      },
    });
    await api.apps.createNamespacedDeployment({
      namespace: 'default',
      body: makeDeployment('envy', {
        command: echoEnv('GREETING', 'PASSWORD', 'POD_NAME', 'PORT', 'KUBECONFIG'),
        env: [
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'PORT', value: '8080' },
        ],
      }) as never,
    });
    const subset = await vi.waitFor(async () => {
      const ep = await readEndpoints(api.core, 'envy');
      expect(ep?.subsets?.[0]?.addresses).toHaveLength(1);
      return ep!.subsets![0]!;
    }, WAIT);
    const port = subset.ports![0]!.port;
    const { body } = await httpGet(port);
    expect(body).toBe(
      [
        'GREETING=hi',
        'PASSWORD=s3cret',
        `POD_NAME=${subset.addresses![0]!.targetRef!.name}`,
        `PORT=${port}`,
        'KUBECONFIG=undefined',
      ].join('\n'),
    );
  });

  it('rolls to a new template: new pods first, old ones stopped once the new are ready', async () => {
    const make = (target: string) =>
      makeDeployment('roll', {
        image: `file://${exampleDir('hello')}`,
        env: [
          { name: 'TARGET', value: target },
          { name: 'K_REVISION', value: 'roll' },
        ],
      });
    await api.core.createNamespacedService({
      namespace: 'default',
      body: {
        metadata: { name: 'roll' },
        spec: { selector: { app: 'roll' }, ports: [{ name: 'http', port: 80 }] },
      },
    });
    await api.apps.createNamespacedDeployment({ namespace: 'default', body: make('One') as never });
    const firstPort = await vi.waitFor(async () => {
      const ep = await readEndpoints(api.core, 'roll');
      expect(ep?.subsets?.[0]?.addresses).toHaveLength(1);
      return ep!.subsets![0]!.ports![0]!.port;
    }, WAIT);
    expect((await httpGet(firstPort)).body).toBe('Hello One! (roll)\n');
    const [oldPod] = await podsOf(api.core, 'roll');

    const current = await readDeployment(api.apps, 'roll');
    await api.apps.replaceNamespacedDeployment({
      name: 'roll',
      namespace: 'default',
      body: { ...current, spec: make('Two').spec } as never,
    });
    await vi.waitFor(async () => {
      const pods = await podsOf(api.core, 'roll');
      expect(pods.map((p: Pod) => p.metadata.name)).not.toContain(oldPod!.metadata.name);
      expect(pods).toHaveLength(1);
      const ep = await readEndpoints(api.core, 'roll');
      expect(ep?.subsets).toHaveLength(1);
      expect(ep!.subsets![0]!.addresses![0]!.targetRef!.name).toBe(pods[0]!.metadata.name);
      const d = await readDeployment(api.apps, 'roll');
      expect(d.status).toMatchObject({
        observedGeneration: 2,
        replicas: 1,
        readyReplicas: 1,
        updatedReplicas: 1,
      });
    }, WAIT);
    const ep = await readEndpoints(api.core, 'roll');
    expect((await httpGet(ep!.subsets![0]!.ports![0]!.port)).body).toBe('Hello Two! (roll)\n');
  });

  it('stops the processes of a deleted Deployment', async () => {
    await api.apps.createNamespacedDeployment({
      namespace: 'default',
      body: makeDeployment('doomed', { command: ['node', '-e', 'setInterval(() => {}, 1000)'] }) as never,
    });
    const pid = await vi.waitFor(() => {
      const record = recordedProcesses(dataDir).find((r) => r.pod.startsWith('default/doomed-'));
      expect(record).toBeDefined();
      return record!.pid;
    }, WAIT);
    await api.apps.deleteNamespacedDeployment({ name: 'doomed', namespace: 'default' });
    await vi.waitFor(() => expect(isAlive(pid)).toBe(false), WAIT);
    await vi.waitFor(async () => expect(await podsOf(api.core, 'doomed')).toEqual([]), WAIT);
  });

  it('replaces a pod deleted by someone else and stops its process', async () => {
    await api.apps.createNamespacedDeployment({
      namespace: 'default',
      body: makeDeployment('phoenix', { command: ['node', '-e', 'setInterval(() => {}, 1000)'] }) as never,
    });
    const first = await vi.waitFor(async () => {
      const [pod] = await podsOf(api.core, 'phoenix');
      expect(pod?.status?.phase).toBe('Running');
      return pod!.metadata.name!;
    }, WAIT);
    const pid = recordedProcesses(dataDir).find((r) => r.pod === `default/${first}`)!.pid;
    await api.core.deleteNamespacedPod({ name: first, namespace: 'default' });
    await vi.waitFor(async () => {
      const pods = await podsOf(api.core, 'phoenix');
      expect(pods).toHaveLength(1);
      expect(pods[0]!.metadata.name).not.toBe(first);
      expect(isAlive(pid)).toBe(false);
    }, WAIT);
    await api.apps.deleteNamespacedDeployment({ name: 'phoenix', namespace: 'default' });
  });

  it('measures the CPU each pod uses', async () => {
    await api.apps.createNamespacedDeployment({
      namespace: 'default',
      body: makeDeployment('spin', { command: ['node', '-e', 'for (;;) {}'] }) as never,
    });
    await vi.waitFor(() => {
      const usage = [...runtime.podCpuMillicores()].find(([key]) => key.startsWith('default/spin-'));
      expect(usage?.[1]).toBeGreaterThan(0);
    }, WAIT);
    await api.apps.deleteNamespacedDeployment({ name: 'spin', namespace: 'default' });
  });

  it('stop() leaves no process behind', async () => {
    const other = await startApi();
    const otherDir = join(other.dir, 'runtime');
    const rt = await startRuntime(other.rest, { dataDir: otherDir, log: () => {} });
    try {
      await other.apps.createNamespacedDeployment({
        namespace: 'default',
        body: makeDeployment(
          'busy',
          { command: ['node', '-e', 'setInterval(() => {}, 1000)'] },
          { replicas: 3 },
        ) as never,
      });
      const pids = await vi.waitFor(() => {
        const records = recordedProcesses(otherDir);
        expect(records).toHaveLength(3);
        return records.map((r) => r.pid);
      }, WAIT);
      await rt.stop();
      expect(pids.filter(isAlive)).toEqual([]);
      expect(recordedProcesses(otherDir)).toEqual([]);
      expect(JSON.parse(readFileSync(join(otherDir, 'runtime-pids.json'), 'utf8')).watchdog).toBeUndefined();
    } finally {
      await rt.stop();
      await other.close();
    }
  });
});
