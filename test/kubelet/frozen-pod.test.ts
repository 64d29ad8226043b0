/**
 * Frozen instances of a multi-container pod (pod.ts PodRunner): scale to zero with
 * `autoscaling.knlite.dev/frozen-retention` stops the process group of every container (SIGSTOP),
 * the pod stays listed not ready with the knlite.dev/Frozen condition while the Deployment says 0;
 * scaling back to 1 thaws every container of that same pod (SIGCONT) instead of starting one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../../src/lib/apis/types.js';
import { startRuntime, type LocalRuntime } from '../../src/lib/kubelet/index.js';
import { makeDeployment, podsOf, readDeployment, startApi, type ApiFixture } from './cluster.js';
import { exampleDir } from './helpers.js';

const WAIT = { timeout: 30_000, interval: 50 };
const ready = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const frozen = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'knlite.dev/Frozen');

/** The state letter of the process group's leader (T: stopped). */
function procState(pgid: number): string {
  const stat = readFileSync(`/proc/${pgid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
}

describe.skipIf(process.platform !== 'linux')('frozen multi-container pod', () => {
  let api: ApiFixture;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    api = await startApi();
    runtime = await startRuntime(api.rest, {
      dataDir: join(api.dir, 'runtime'),
      restartBackoffMs: 100,
      sandbox: 'off',
      log: () => {},
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    await api?.close();
  });

  it('freezes and thaws every container of the pod', async () => {
    const d = makeDeployment(
      'pair',
      { image: `file://${exampleDir('hello')}`, env: [{ name: 'K_REVISION', value: 'pair-00001' }] },
      { labels: { app: 'pair', 'serving.knative.dev/revision': 'pair-00001' } },
    );
    d.metadata.annotations = { 'autoscaling.knlite.dev/frozen-retention': '10m' };
    d.spec.template.spec.containers!.push({
      name: 'sidecar',
      image: 'gcr.io/x/sidecar',
      command: ['node', '-e', 'setInterval(() => {}, 1000)'],
    });
    await api.apps.createNamespacedDeployment({ namespace: 'default', body: d as never });
    const [running] = await vi.waitFor(async () => {
      const pods = await podsOf(api.core, 'pair');
      expect(pods).toHaveLength(1);
      expect(ready(pods[0])).toBe('True');
      return pods;
    }, WAIT);

    const scale = (replicas: number) =>
      api.apps.patchNamespacedDeploymentScale(
        { name: 'pair', namespace: 'default', body: { spec: { replicas } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await scale(0);
    const held = await vi.waitFor(async () => {
      const [pod] = await podsOf(api.core, 'pair');
      expect(frozen(pod)).toMatchObject({ status: 'True', reason: 'ScaledToZero' });
      expect(ready(pod)).toBe('False');
      return pod!;
    }, WAIT);
    expect(held.metadata.name).toBe(running!.metadata.name);
    expect((await readDeployment(api.apps, 'pair')).status?.readyReplicas ?? 0).toBe(0);
    const [instance] = runtime.frozenInstances();
    expect(instance).toMatchObject({ namespace: 'default', pod: running!.metadata.name });
    expect(instance!.pgids).toHaveLength(2);
    for (const pgid of instance!.pgids) expect(procState(pgid)).toBe('T');

    await scale(1);
    await vi.waitFor(async () => {
      const pods = await podsOf(api.core, 'pair');
      expect(pods.map((p) => p.metadata.name)).toEqual([running!.metadata.name]);
      expect(frozen(pods[0])).toBeUndefined();
      expect(ready(pods[0])).toBe('True');
    }, WAIT);
    expect(runtime.frozenInstances()).toEqual([]);
    for (const pgid of instance!.pgids) expect(procState(pgid)).not.toBe('T');
  });
});
