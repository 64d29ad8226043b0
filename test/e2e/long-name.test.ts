/**
 * A Service with a 60-character name on the whole local stack: its revision (`<name>-00001`, 66
 * characters) and Deployment names are hashed to fit 63 like Knative's kmeta.ChildName, and the
 * autoscaler, which writes /scale on the Deployment by name, still scales it to zero and back.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, Service } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { patchConfigData } from '../../src/lib/local/seed.js';
import { runInProcess } from '../support/cli.js';
import { send } from '../dataplane/helpers.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

const NAME = 'a-service-whose-name-is-sixty-characters-long-for-the-test-x';

describe('a 60-character service name', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster();
    await patchConfigData(cluster.client, 'config-autoscaler', { 'scale-to-zero-grace-period': '6s' });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  /** The revision's Deployment, found by label rather than by a name the test would compute. */
  const deploymentOf = async (revision: string): Promise<Deployment | undefined> =>
    (
      await cluster.client.list<Deployment>(Kinds.deployment, {
        namespace: 'default',
        labelSelector: `serving.knative.dev/revision=${revision}`,
      })
    ).items[0];

  it('becomes Ready, scales to zero when idle and answers the next request from zero', async () => {
    expect(NAME).toHaveLength(60);
    const created = await runInProcess(
      [
        'service',
        'create',
        NAME,
        '--image',
        resolve('examples/hello'),
        '--env',
        'TARGET=long',
        '--annotation',
        'autoscaling.knative.dev/window=6s',
      ],
      { env: { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home, NO_COLOR: '1' } },
    );
    expect(created.exitCode, created.stderr).toBe(0);

    const svc = await cluster.client.get<Service>(Kinds.service, 'default', NAME);
    const revision = svc.status!.latestReadyRevisionName!;
    expect(revision.length).toBeLessThanOrEqual(63);
    expect(revision.endsWith('-00001')).toBe(true);
    const host = new URL(svc.status!.url!).host;
    const first = await waitUntil(
      'the service answers',
      async () => {
        const a = await send(cluster.gatewayPort!, host, { path: '/' });
        return a.status === 200 ? a : undefined;
      },
      60_000,
      100,
    );
    expect(first.body).toBe(`Hello long! (${revision})\n`);

    const deployment = (await deploymentOf(revision))!;
    expect(deployment.metadata.name!.length).toBeLessThanOrEqual(63);
    await waitUntil(
      'scaled to zero',
      async () => {
        const d = await deploymentOf(revision);
        return d?.spec.replicas === 0 && !d.status?.readyReplicas;
      },
      90_000,
      250,
    );

    // The gateway buffers the request and the autoscaler scales the hashed Deployment back up.
    const cold = await send(cluster.gatewayPort!, host, { path: '/' });
    expect(cold).toMatchObject({ status: 200, body: `Hello long! (${revision})\n` });
    expect((await deploymentOf(revision))!.spec.replicas).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
