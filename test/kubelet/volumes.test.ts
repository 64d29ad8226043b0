import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Condition } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { startRuntime, type LocalRuntime } from '../../src/lib/kubelet/index.js';
import { PodVolumes, VolumeError } from '../../src/lib/kubelet/volumes.js';
import { makeDeployment, podsOf, readDeployment, startApi, type ApiFixture } from './cluster.js';
import { tempDir } from './helpers.js';

const WAIT = { timeout: 30_000, interval: 50 };
const condition = (conditions: Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);

describe('PodVolumes (the atomic writer)', () => {
  it('writes ..data and per-key links, swaps ..data on change and leaves an unchanged payload alone', () => {
    const t = tempDir();
    const data: Record<string, Buffer> = { a: Buffer.from('1'), b: Buffer.from('2') };
    const volumes = new PodVolumes({
      dir: t.dir,
      pod: () => ({ name: 'p', namespace: 'default', podIP: '127.0.0.1' }),
      volumes: [{ name: 'cfg', configMap: { name: 'cm' } }],
      containers: [],
      sources: { configMap: () => ({ ...data }), secret: () => undefined },
    });
    volumes.setUp();
    const dir = join(t.dir, 'cfg');
    expect(readlinkSync(join(dir, 'a'))).toBe('..data/a');
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('2');
    const first = readlinkSync(join(dir, '..data'));
    volumes.refresh();
    expect(readlinkSync(join(dir, '..data'))).toBe(first);
    data.a = Buffer.from('changed');
    delete data.b;
    volumes.refresh();
    expect(readlinkSync(join(dir, '..data'))).not.toBe(first);
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('changed');
    expect(() => lstatSync(join(dir, 'b'))).toThrow();
    expect(() => lstatSync(join(dir, first))).toThrow();
    t.cleanup();
  });

  it('refuses a missing non-optional source and a missing item key like the kubelet', () => {
    const t = tempDir();
    const make = (volume: object) =>
      new PodVolumes({
        dir: t.dir,
        pod: () => ({ name: 'p', namespace: 'default', podIP: '127.0.0.1' }),
        volumes: [volume as never],
        containers: [],
        sources: {
          configMap: (_ns, name) => (name === 'cm' ? { a: Buffer.from('1') } : undefined),
          secret: () => undefined,
        },
      });
    expect(() => make({ name: 's', secret: { secretName: 'gone' } }).setUp()).toThrow(
      new VolumeError('MountVolume.SetUp failed for volume "s" : secret "gone" not found'),
    );
    expect(() =>
      make({ name: 'c', configMap: { name: 'cm', items: [{ key: 'zz', path: 'z' }] } }).setUp(),
    ).toThrow('MountVolume.SetUp failed for volume "c" : configmap references non-existent config key: zz');
    expect(() =>
      make({
        name: 'c',
        configMap: { name: 'cm', optional: true, items: [{ key: 'zz', path: 'z' }] },
      }).setUp(),
    ).not.toThrow();
    t.cleanup();
  });
});

describe('volumes without a sandbox', () => {
  let api: ApiFixture;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    api = await startApi();
    runtime = await startRuntime(api.rest, {
      dataDir: join(api.dir, 'runtime'),
      sandbox: 'off',
      restartBackoffMs: 100,
      log: () => {},
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await api?.close();
  });

  it('fail the Deployment with CreateContainerConfigError and say to install bubblewrap (never Ready with files missing)', async () => {
    const body = makeDeployment('withvol', {
      command: ['node', '-e', 'require("http").createServer((q, s) => s.end("x")).listen(process.env.PORT)'],
      volumeMounts: [{ name: 'cfg', mountPath: '/etc/config', readOnly: true }],
    });
    body.spec.template.spec.volumes = [{ name: 'cfg', configMap: { name: 'cfg' } }];
    await api.apps.createNamespacedDeployment({ namespace: 'default', body: body as never });
    await vi.waitFor(async () => {
      const dep = await readDeployment(api.apps, 'withvol');
      expect(dep.status?.readyReplicas ?? 0).toBe(0);
      expect(condition(dep.status?.conditions, 'ReplicaFailure')).toMatchObject({
        status: 'True',
        reason: 'CreateContainerConfigError',
        message: expect.stringMatching(
          /^volumes are mounted at their mount paths only inside the sandbox: install bubblewrap \(the bwrap command\) so pods run in a sandbox \(now: KNLITE_SANDBOX=off\)$/,
        ),
      });
      const pods = await podsOf(api.core, 'withvol');
      expect(pods.length).toBeGreaterThan(0);
      for (const pod of pods) {
        expect(pod.status?.phase).toBe('Pending');
        expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('CreateContainerConfigError');
      }
    }, WAIT);
  });

  it('a persistentVolumeClaim volume fails the same way, even with its claim bound', async () => {
    await api.rest.create(Kinds.persistentVolumeClaim, {
      metadata: { name: 'nosandbox', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } },
    });
    const body = makeDeployment('withpvc', {
      command: ['node', '-e', 'require("http").createServer((q, s) => s.end("x")).listen(process.env.PORT)'],
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    });
    body.spec.template.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'nosandbox' } }];
    await api.apps.createNamespacedDeployment({ namespace: 'default', body: body as never });
    await vi.waitFor(async () => {
      const dep = await readDeployment(api.apps, 'withpvc');
      expect(condition(dep.status?.conditions, 'ReplicaFailure')).toMatchObject({
        reason: 'CreateContainerConfigError',
        message: expect.stringContaining('install bubblewrap (the bwrap command)'),
      });
    }, WAIT);
  });
});
