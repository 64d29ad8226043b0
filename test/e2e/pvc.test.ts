/**
 * PersistentVolumeClaims on the local cluster (API server + admission, reconciler, runtime with its
 * local-path provisioner and bubblewrap sandbox, gateway): a claim is provisioned and bound to a
 * private directory, a Knative Service writes to it over HTTP and the data outlives the revision,
 * a read-only mount refuses writes, a missing claim keeps the revision unschedulable until it
 * appears, deleting a claim deletes its volume, and kubectl shows claims and volumes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import {
  APP,
  IMAGE,
  KSVC,
  SANDBOX,
  cond,
  getThroughGateway,
  readyHost,
  startAppCluster,
} from './app-suite.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersistentVolume, PersistentVolumeClaim } from '../../src/lib/apis/storage.js';
import type { Pod, Revision, Service } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import type { TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

let cluster: TestCluster;
let custom: CustomObjectsApi;
let core: CoreV1Api;

beforeAll(async () => {
  ({ cluster, custom, core } = await startAppCluster({
    'kubernetes.podspec-persistent-volume-claim': 'enabled',
    'kubernetes.podspec-persistent-volume-write': 'enabled',
  }));
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

function claim(name: string): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  };
}

async function bound(name: string): Promise<{ pvc: PersistentVolumeClaim; pv: PersistentVolume }> {
  return waitUntil(
    `claim ${name} Bound`,
    async () => {
      const pvc = await cluster.client.get<PersistentVolumeClaim>(
        Kinds.persistentVolumeClaim,
        'default',
        name,
      );
      if (pvc.status?.phase !== 'Bound') return undefined;
      const pv = await cluster.client.get<PersistentVolume>(
        Kinds.persistentVolume,
        undefined,
        pvc.spec.volumeName!,
      );
      return pv.status?.phase === 'Bound' ? { pvc, pv } : undefined;
    },
    30_000,
    50,
  );
}

function service(
  name: string,
  volume: Record<string, unknown>,
  mount: Record<string, unknown>,
  env = 'a',
): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: {
      template: {
        spec: {
          containers: [
            {
              image: IMAGE,
              command: ['node', APP],
              env: [{ name: 'GEN', value: env }],
              volumeMounts: [{ name: 'data', mountPath: '/data', ...mount }],
            },
          ],
          volumes: [{ name: 'data', ...volume }],
        },
      },
    },
  } as unknown as Service;
}

/** Creates (or replaces) a Service, retrying while admission has not seen the config-features change. */
async function apply(svc: Service): Promise<void> {
  await waitUntil(
    `${svc.metadata.name} admitted`,
    async () => {
      try {
        const have = (await custom.getNamespacedCustomObject({
          ...KSVC,
          name: svc.metadata.name!,
        })) as Service;
        await custom.replaceNamespacedCustomObject({
          ...KSVC,
          name: svc.metadata.name!,
          body: { ...have, spec: svc.spec },
        });
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
        await custom.createNamespacedCustomObject({ ...KSVC, body: svc });
      }
      return true;
    },
    20_000,
    200,
  );
}

const readyAt = (name: string, revision: string): Promise<string> => readyHost(custom, name, revision);
const get = (host: string, path: string): Promise<string> => getThroughGateway(cluster, host, path);

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'knlite-kubectl-pvc-'));
  return new Promise((done, fail) => {
    execFile(
      process.env.KUBECTL ?? 'kubectl',
      ['--request-timeout=20s', ...args],
      { env: { ...cluster.env, HOME: home }, timeout: 30_000 },
      (err, stdout, stderr) => {
        rmSync(home, { recursive: true, force: true });
        if (err && typeof (err as { code?: unknown }).code !== 'number') return fail(err);
        done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
      },
    );
  });
}

describe('the local-path provisioner', () => {
  it('serves the local-path StorageClass as the default class; kubectl get sc shows it', async () => {
    const sc = await kubectl(['get', 'sc']);
    expect(sc.stderr).toBe('');
    const [header, row] = sc.stdout.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual([
      'NAME',
      'PROVISIONER',
      'RECLAIMPOLICY',
      'VOLUMEBINDINGMODE',
      'ALLOWVOLUMEEXPANSION',
      'AGE',
    ]);
    expect(row!.split(/\s{2,}/).slice(0, 5)).toEqual([
      'local-path (default)',
      'rancher.io/local-path',
      'Delete',
      'Immediate',
      'false',
    ]);
    const bad = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'bad' } };
    await expect(
      cluster.client.create(Kinds.storageClass, { ...bad, reclaimPolicy: 'Keep' }),
    ).rejects.toThrow(
      'StorageClass.storage.k8s.io "bad" is invalid: [provisioner: Required value, reclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Retain"]',
    );
    expect((await kubectl(['get', 'sc', '-o', 'name'])).stdout).toBe(
      'storageclass.storage.k8s.io/local-path\n',
    );
  });

  it('binds a claim to a PV pvc-<uid> on a private directory; kubectl get pvc,pv shows both', async () => {
    await cluster.client.create(Kinds.persistentVolumeClaim, claim('shown'));
    const { pvc, pv } = await bound('shown');
    expect(pvc.spec.volumeName).toBe(`pvc-${pvc.metadata.uid}`);
    expect(pvc.spec.storageClassName).toBe('local-path');
    expect(pvc.status).toEqual({
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '1Gi' },
    });
    const dir = join(cluster.home, 'runtime', 'volumes', pv.metadata.name!);
    expect(pv.spec).toMatchObject({
      hostPath: { path: dir },
      claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'shown', uid: pvc.metadata.uid },
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'local-path',
      capacity: { storage: '1Gi' },
    });
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    const pvcs = await kubectl(['get', 'pvc', 'shown']);
    expect(pvcs.stderr).toBe('');
    const [header, row] = pvcs.stdout.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual([
      'NAME',
      'STATUS',
      'VOLUME',
      'CAPACITY',
      'ACCESS MODES',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'AGE',
    ]);
    expect(row!.split(/\s+/).slice(0, 7)).toEqual([
      'shown',
      'Bound',
      pv.metadata.name,
      '1Gi',
      'RWO',
      'local-path',
      '<unset>',
    ]);
    const pvs = await kubectl(['get', 'pv', pv.metadata.name!]);
    const [pvHeader, pvRow] = pvs.stdout.trim().split('\n');
    expect(pvHeader!.split(/\s{2,}/)).toEqual([
      'NAME',
      'CAPACITY',
      'ACCESS MODES',
      'RECLAIM POLICY',
      'STATUS',
      'CLAIM',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'REASON',
      'AGE',
    ]);
    expect(pvRow!.split(/\s+/).slice(0, 8)).toEqual([
      pv.metadata.name,
      '1Gi',
      'RWO',
      'Delete',
      'Bound',
      'default/shown',
      'local-path',
      '<unset>',
    ]);
    const file = join(cluster.home, 'applied.yaml');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: applied}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Mi}}}\n',
    );
    expect((await kubectl(['apply', '-f', file])).stdout).toBe('persistentvolumeclaim/applied created\n');
    await bound('applied');
    expect((await kubectl(['apply', '-f', file])).stdout).toBe('persistentvolumeclaim/applied unchanged\n');
    const both = await kubectl(['get', 'pvc,pv', '-o', 'name']);
    expect(both.stdout.split('\n')).toEqual(
      expect.arrayContaining(['persistentvolumeclaim/shown', `persistentvolume/${pv.metadata.name}`]),
    );
  }, 60_000);

  it('deleting a claim deletes its volume and the directory', async () => {
    await cluster.client.create(Kinds.persistentVolumeClaim, claim('gone'));
    const { pv } = await bound('gone');
    const dir = pv.spec.hostPath!.path;
    expect(existsSync(dir)).toBe(true);
    await cluster.client.delete(Kinds.persistentVolumeClaim, 'default', 'gone');
    await waitUntil('the volume and its directory gone', async () => {
      try {
        await cluster.client.get(Kinds.persistentVolume, undefined, pv.metadata.name!);
        return undefined;
      } catch {
        return existsSync(dir) ? undefined : true;
      }
    });
  }, 60_000);
});

describe.skipIf(!SANDBOX)('a Knative Service with a persistentVolumeClaim volume (sandbox)', () => {
  it('writes through HTTP; the data outlives the revision; a read-only mount refuses writes', async () => {
    await cluster.client.create(Kinds.persistentVolumeClaim, claim('data'));
    const pvc = { persistentVolumeClaim: { claimName: 'data' } };
    await apply(service('store', pvc, {}));
    let host = await readyAt('store', 'store-00001');
    expect(await get(host, '/write?path=/data/kept')).toBe('ok');

    await apply(service('store', pvc, {}, 'b'));
    host = await readyAt('store', 'store-00002');
    expect(await get(host, '/read?path=/data/kept')).toBe('x');

    await apply(
      service('reader', { persistentVolumeClaim: { claimName: 'data', readOnly: true } }, { readOnly: true }),
    );
    const reader = await readyAt('reader', 'reader-00001');
    expect(await get(reader, '/read?path=/data/kept')).toBe('x');
    expect(await get(reader, '/write?path=/data/new')).toBe('EROFS');
  }, 180_000);

  it('a missing claim keeps the revision unschedulable; once it is created and bound the pod starts', async () => {
    await apply(service('later', { persistentVolumeClaim: { claimName: 'later' } }, {}));
    const message =
      '0/1 nodes are available: persistentvolumeclaim "later" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    const rev = await waitUntil(
      'revision later-00001 unschedulable',
      async () => {
        const r = (await custom.getNamespacedCustomObject({
          ...KSVC,
          plural: 'revisions',
          name: 'later-00001',
        })) as Revision;
        return cond(r.status?.conditions, 'ResourcesAvailable')?.status === 'False' ? r : undefined;
      },
      60_000,
      100,
    );
    expect(cond(rev.status?.conditions, 'ResourcesAvailable')).toMatchObject({
      reason: 'Unschedulable',
      message,
    });
    const list = await core.listNamespacedPod({
      namespace: 'default',
      labelSelector: 'serving.knative.dev/revision=later-00001',
    });
    const pod = list.items[0] as unknown as Pod;
    expect(pod.status?.phase).toBe('Pending');
    expect(cond(pod.status?.conditions, 'PodScheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message,
    });

    await cluster.client.create(Kinds.persistentVolumeClaim, claim('later'));
    const host = await readyAt('later', 'later-00001');
    expect(await get(host, '/write?path=/data/f')).toBe('ok');
  }, 180_000);
});
