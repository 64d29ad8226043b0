/**
 * Rollouts that do not need twice the capacity, end to end on the local cluster (API server,
 * reconciler, runtime, gateway, KPA): during `traffic rollout` the old revision's min-scale shrinks
 * in proportion to the traffic it keeps (its pods go from 4 to 2 at the 50 % step), without rolling
 * its pods, and is restored when the rollout finishes. The arithmetic as a table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import TrafficRollout from '../../src/commands/traffic/rollout.js';
import type { Deployment, Pod, Revision } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { keptPercent, shrunkMinScale } from '../../src/lib/rollout/capacity.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { exampleImage, runCli } from './fixtures.js';

const ROLLOUT_MIN = 'autoscaling.knlite.dev/rollout-min-scale';
let cluster: TestCluster;
let client: ServingClient;

beforeAll(async () => {
  cluster = await startTestCluster({ reconciler: true, runtime: true, dataplane: true });
  client = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath, namespace: 'default' });
}, 120_000);

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

describe('shrunkMinScale', () => {
  it.each([
    [4, 100, undefined],
    [4, 50, 2],
    [4, 10, 1],
    [3, 50, 2],
    [4, 0, 0],
    [0, 50, undefined],
  ])('min-scale %i keeping %i%% → %s', (min, kept, want) => expect(shrunkMinScale(min, kept)).toBe(want));

  it('counts only the targets naming the revision', () => {
    expect(
      keptPercent(
        [
          { revisionName: 'a', percent: 30 },
          { revisionName: 'b', percent: 50 },
          { revisionName: 'a', percent: 20, tag: 'x' },
          { latestRevision: true, percent: 0 },
        ],
        'a',
      ),
    ).toBe(50);
  });
});

describe('traffic rollout and the old revision’s min-scale', () => {
  it('shrinks with the traffic it keeps, without rolling its pods, and is restored at the end', async () => {
    const name = 'cap';
    const created = await client.createService({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name, namespace: 'default' },
      spec: {
        template: {
          // A short window: a fresh autoscaler panics (holds) for one window before it scales down.
          metadata: {
            annotations: { 'autoscaling.knative.dev/min-scale': '4', 'autoscaling.knative.dev/window': '6s' },
          },
          spec: {
            containers: [{ image: exampleImage('autoscale'), env: [{ name: 'VERSION', value: '1' }] }],
          },
        },
      },
    });
    expect(
      (await client.waitForService(name, { generation: created.metadata.generation!, timeoutMs: 90_000 }))
        .ready,
    ).toBe(true);
    const { after } = await client.updateServiceWithRetry(name, (svc) => {
      svc.spec.traffic = [{ revisionName: `${name}-00001`, percent: 100 }];
      svc.spec.template.metadata = { annotations: { 'autoscaling.knative.dev/min-scale': '1' } };
      svc.spec.template.spec.containers[0]!.env = [{ name: 'VERSION', value: '2' }];
    });
    expect(
      (await client.waitForService(name, { generation: after.metadata.generation!, timeoutMs: 90_000 }))
        .ready,
    ).toBe(true);
    const oldPods = async (): Promise<string[]> =>
      (
        await cluster.client.list<Pod>(Kinds.pod, {
          namespace: 'default',
          labelSelector: `serving.knative.dev/revision=${name}-00001`,
        })
      ).items
        .filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        .map((p) => p.metadata.name!)
        .sort();
    const replicas = async (): Promise<number | undefined> =>
      (await cluster.client.get<Deployment>(Kinds.deployment, 'default', `${name}-00001-deployment`)).spec
        .replicas;
    await waitUntil('4 old pods ready', async () => (await oldPods()).length === 4, 60_000);
    const before = await oldPods();
    const annotation = async (): Promise<string | undefined> =>
      (await client.getRevision(`${name}-00001`)).metadata.annotations?.[ROLLOUT_MIN];

    const done = runCli(TrafficRollout, [
      name,
      '--to',
      `${name}-00002`,
      '--steps',
      '50,100',
      '--interval',
      '15s',
      '--kubeconfig',
      cluster.kubeconfigPath,
    ]);
    // At 50 %: min-scale 4 × 50 % = 2, and the autoscaler takes the old revision down to 2 pods.
    await waitUntil('rollout-min-scale 2 at 50%', async () => (await annotation()) === '2', 30_000, 100);
    await waitUntil('old revision at 2 replicas', async () => (await replicas()) === 2, 30_000, 100);
    // The pods that stay are pods it already had: the annotation did not roll the Deployment.
    const kept = await waitUntil(
      '2 old pods left',
      async () => {
        const now = await oldPods();
        return now.length === 2 ? now : undefined;
      },
      30_000,
      100,
    );
    expect(kept.every((p) => before.includes(p))).toBe(true);

    const r = await done;
    expect(r.exitCode, r.stderr).toBe(0);
    // Finished: the shrink is removed (0 % traffic: the unreachable revision's min-scale no longer applies).
    expect(await annotation()).toBeUndefined();
    const rev: Revision = await client.getRevision(`${name}-00001`);
    expect(rev.metadata.annotations?.['autoscaling.knative.dev/min-scale']).toBe('4');
  }, 180_000);
});
