import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersistentVolume, PersistentVolumeClaim } from '../../src/lib/apis/storage.js';
import type { ApiError } from '../../src/lib/kube/errors.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { LocalPathProvisioner, localVolumesPath } from '../../src/lib/kubelet/local-path.js';
import { waitUntil } from '../support/wait.js';
import { startApi, type ApiFixture } from './cluster.js';

let api: ApiFixture;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const claim = (name: string, spec: Record<string, unknown> = {}): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } }, ...spec },
});

async function refusal(obj: PersistentVolumeClaim | PersistentVolume, kind = Kinds.persistentVolumeClaim) {
  try {
    await api.rest.create(kind, obj);
  } catch (err) {
    return (err as ApiError).message;
  }
  throw new Error('created');
}

describe('the API server validates claims and volumes like kube-apiserver', () => {
  it('requires access modes and a positive storage request; refuses a bad quantity while decoding', async () => {
    expect(await refusal(claim('a', { accessModes: [] }))).toContain(
      'spec.accessModes: Required value: at least 1 access mode is required',
    );
    expect(await refusal(claim('b', { accessModes: ['ReadWriteSometimes'] }))).toContain(
      'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    );
    expect(await refusal(claim('c', { resources: {} }))).toContain('spec.resources[storage]: Required value');
    expect(await refusal(claim('d', { resources: { requests: { storage: '0' } } }))).toContain(
      'spec.resources[storage]: Invalid value: "0": must be greater than zero',
    );
    expect(await refusal(claim('e', { resources: { requests: { storage: '1Gb!' } } }))).toContain(
      'quantities must match the regular expression',
    );
    expect(
      await refusal(
        { metadata: { name: 'pv1' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } },
        Kinds.persistentVolume,
      ),
    ).toContain('spec: Required value: must specify a volume type');
  });

  it("keeps a claim's spec immutable except the requests and setting volumeName once", async () => {
    const created = await api.rest.create(
      Kinds.persistentVolumeClaim,
      claim('fixed', { storageClassName: 'none' }),
    );
    expect(created.status).toEqual({ phase: 'Pending' });
    await expect(
      api.rest.replace(Kinds.persistentVolumeClaim, {
        ...created,
        spec: { ...created.spec, accessModes: ['ReadOnlyMany'] },
      }),
    ).rejects.toThrow('spec is immutable after creation');
    const named = await api.rest.replace(Kinds.persistentVolumeClaim, {
      ...created,
      spec: { ...created.spec, volumeName: 'somewhere' },
    });
    expect(named.spec.volumeName).toBe('somewhere');
  });
});

describe('LocalPathProvisioner', () => {
  it('converges after a restart: binds what was created while down, deletes what was deleted while down', async () => {
    const dataDir = join(api.dir, 'runtime');
    const start = async () => {
      const p = new LocalPathProvisioner(api.rest, { dataDir, log: () => {} });
      await p.start();
      return p;
    };
    await api.rest.create(Kinds.persistentVolumeClaim, claim('early'));
    let provisioner = await start();
    const pv = await waitUntil('early bound', async () => {
      const found = provisioner.claimVolume('default', 'early');
      return 'path' in found ? found.path : undefined;
    });
    expect(pv.startsWith(localVolumesPath(dataDir))).toBe(true);
    expect(existsSync(pv)).toBe(true);
    expect(provisioner.claimVolume('default', 'nope')).toEqual({
      unschedulable:
        '0/1 nodes are available: persistentvolumeclaim "nope" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    });
    await provisioner.stop();

    // While down: the claim goes, and a stray directory of a volume that no longer exists appears.
    await api.rest.delete(Kinds.persistentVolumeClaim, 'default', 'early');
    const stray = join(localVolumesPath(dataDir), 'pvc-00000000-0000-0000-0000-000000000000');
    mkdirSync(stray);
    provisioner = await start();
    await waitUntil('the released volume deleted', async () => {
      const pvs = await api.rest.list<PersistentVolume>(Kinds.persistentVolume);
      return pvs.items.some((v) => v.spec.claimRef?.name === 'early') || existsSync(pv) ? undefined : true;
    });
    expect(existsSync(stray)).toBe(false);
    await provisioner.stop();
  });
});
