/**
 * Twenty real CLI processes (the built bin/run.js) writing one service at the same time, against the
 * in-process API server and reconciler (whose status writes add to the conflicts): every
 * `service update --env` and every `traffic split --tag` must land, because 409 conflicts are
 * retried with backoff instead of five immediate attempts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { ROOT, requireBuild, runBin, type CliResult } from '../support/cli.js';

const WRITERS = 20;
let cluster: TestCluster;
let client: ServingClient;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  requireBuild();
  cluster = await startTestCluster({ reconciler: true, runtime: false, dataplane: false });
  client = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath, namespace: 'default' });
  env = { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home };
  const image = `file://${resolve(ROOT, 'test/cli/fixtures/hello')}`;
  for (const name of ['envs', 'tags']) {
    await client.createService({
      metadata: { name },
      spec: { template: { spec: { containers: [{ image }] } } },
    });
  }
  // traffic split checks that the tagged revision exists.
  await waitUntil('the first revision of tags', async () => {
    const revs = await client.listRevisions({ service: 'tags' });
    return revs.items.some((r) => r.metadata.name === 'tags-00001');
  });
}, 120_000);

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

/** Runs `argvOf(i)` for i = 0..WRITERS-1 as concurrent child processes; returns results and wall time. */
async function race(argvOf: (i: number) => string[]): Promise<{ results: CliResult[]; ms: number }> {
  const start = Date.now();
  const results = await Promise.all(
    Array.from({ length: WRITERS }, (_, i) => runBin(argvOf(i), { env, timeoutMs: 150_000 })),
  );
  return { results, ms: Date.now() - start };
}

function failures(results: CliResult[]): string[] {
  return results.flatMap((r, i) =>
    r.exitCode === 0 ? [] : [`writer ${i}: exit ${r.exitCode}: ${r.stderr}`],
  );
}

describe(`${WRITERS} concurrent writers of one service`, () => {
  it(`${WRITERS} concurrent service update --env all exit 0 and all ${WRITERS} env vars land`, async () => {
    const { results, ms } = await race((i) => [
      'service',
      'update',
      'envs',
      '--env',
      `K${i}=v${i}`,
      '--no-wait',
    ]);
    expect(failures(results)).toEqual([]);
    const env = (await client.getService('envs')).spec.template.spec.containers[0].env ?? [];
    expect(env.map((e) => e.name).sort()).toEqual(Array.from({ length: WRITERS }, (_, i) => `K${i}`).sort());
    expect(env.every((e) => e.value === `v${e.name.slice(1)}`)).toBe(true);
    console.log(`${WRITERS} concurrent service updates landed in ${ms} ms`);
  }, 180_000);

  it(`${WRITERS} concurrent traffic split --tag all exit 0 and all ${WRITERS} tags land`, async () => {
    const { results, ms } = await race((i) => [
      'traffic',
      'split',
      'tags',
      '--tag',
      `tags-00001=t${i}`,
      '--no-wait',
    ]);
    expect(failures(results)).toEqual([]);
    const tags = ((await client.getService('tags')).spec.traffic ?? []).map((t) => t.tag).filter(Boolean);
    expect(tags.sort()).toEqual(Array.from({ length: WRITERS }, (_, i) => `t${i}`).sort());
    console.log(`${WRITERS} concurrent traffic splits landed in ${ms} ms`);
  }, 180_000);
});
