/**
 * The autoscaler explains itself, end to end: the KPA in the gateway publishes its last decision per
 * revision through the API (a `<revision>-autoscaler` ConfigMap owned by the Revision), and
 * `revision describe` / `service describe -v` print its inputs and the rule that bounded it — idle
 * at min-scale, then under real concurrent load held at max-scale in panic mode. The document is
 * checked by value; it goes with the revision.
 */
import { resolve } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decisionConfigMapName,
  readDecision,
  type AutoscalerDecision,
} from '../../src/lib/apis/autoscaler-decision.js';
import type { ConfigMap } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { knlite, ROOT, type CliResult } from '../support/cli.js';

const AUTOSCALE = `file://${resolve(ROOT, 'examples/autoscale')}`;
let cluster: TestCluster;
let api: ServingClient;
let env: Record<string, string | undefined>;
const run = (...argv: string[]): Promise<CliResult> => knlite(argv, env);

beforeAll(async () => {
  cluster = await startTestCluster({ reconciler: true, runtime: true, dataplane: true });
  env = { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home, NO_COLOR: '1' };
  api = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath });
}, 60_000);

afterAll(async () => {
  api?.close();
  await cluster?.stop();
});

async function decision(): Promise<AutoscalerDecision | undefined> {
  try {
    return readDecision(
      await cluster.client.get<ConfigMap>(Kinds.configMap, 'default', decisionConfigMapName('auto-00001')),
    );
  } catch {
    return undefined;
  }
}

/** Holds `n` requests of `ms` each open through the gateway; resolves when all are answered. */
function load(host: string, n: number, ms: number): Promise<number[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<number>((done, fail) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: cluster.gatewayPort,
              path: `/?sleep=${ms}`,
              headers: { host },
              agent: false,
            },
            (res) => {
              res.resume();
              res.on('end', () => done(res.statusCode!));
            },
          );
          req.on('error', fail);
          req.end();
        }),
    ),
  );
}

describe('autoscaler decisions', () => {
  it('idle: bounded by min-scale; under load: panic, bounded by max-scale; shown by describe', async () => {
    const created = await run(
      'service',
      'create',
      'auto',
      '--image',
      AUTOSCALE,
      '--scale-min',
      '1',
      '--scale-max',
      '2',
      '--scale-target',
      '1',
      '--scale-window',
      '6s',
      // A 3 s panic window: the 1 s one of 10 % holds at most one 1-second sample.
      '--annotation-revision',
      'autoscaling.knative.dev/panic-window-percentage=50',
    );
    expect(created.exitCode, created.stderr).toBe(0);
    const host = new URL((await api.getService('auto')).status!.url!).host;

    const idle = await waitUntil(
      'an idle decision bounded by min-scale',
      async () => {
        const d = await decision();
        return d?.bound.rule === 'min-scale' && d.active === 'Active' ? d : undefined;
      },
      30_000,
      200,
    );
    expect(idle).toMatchObject({
      revision: 'auto-00001',
      class: 'kpa',
      metric: 'concurrency',
      targetPerPod: 0.7,
      totalPerPod: 1,
      stableWindowSeconds: 6,
      panicWindowSeconds: 3,
      want: 1,
      bound: { rule: 'min-scale', detail: 'min-scale 1' },
      limits: { minScale: 1, maxScale: 2, maxScaleUpRate: 1000, targetBurstCapacity: 211 },
      mode: 'proxy',
      panic: { active: false },
    });
    const idleText = await run('revision', 'describe', 'auto-00001');
    expect(idleText.stdout).toMatch(/^Autoscaler: +kpa, concurrency, Active \(decided \S+ ago\)$/m);
    expect(idleText.stdout).toMatch(/^ {2}Target: +0\.7 per pod \(of 1\)$/m);
    expect(idleText.stdout).toMatch(/^ {2}Bounded by: +min-scale \(min-scale 1\)$/m);

    // Ten requests held open against a target of 0.7 per pod: far over 2× the ready pod → panic,
    // and more pods than max-scale allows.
    const answers = load(host, 10, 4000);
    let lastSeen: AutoscalerDecision | undefined;
    const busy = await waitUntil(
      'a decision bounded by max-scale in panic',
      async () => {
        const d = await decision();
        lastSeen = d;
        return d?.bound.rule === 'max-scale' && d.panic.active ? d : undefined;
      },
      30_000,
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last: ${JSON.stringify(lastSeen)}`);
    });
    expect(busy.want).toBe(2);
    expect(busy.desiredPods).toBeGreaterThan(2);
    expect(busy.observed.panic).toBeGreaterThan(1);
    expect(busy.bound).toEqual({ rule: 'max-scale', detail: 'max-scale 2' });
    expect(Date.parse(busy.panic.since!)).toBeLessThanOrEqual(Date.parse(busy.decidedAt));
    const busyText = await run('revision', 'describe', 'auto-00001');
    expect(busyText.stdout).toMatch(/^ {2}Panic: +yes, since \S+Z$/m);
    expect(busyText.stdout).toMatch(/^ {2}Bounded by: +max-scale \(max-scale 2\)$/m);
    expect(await answers).toEqual(Array(10).fill(200));

    const verbose = await run('service', 'describe', 'auto', '-v');
    expect(verbose.stdout).toMatch(/^ {8}Autoscaler: +kpa, concurrency, \w+ \(decided \S+ ago\)$/m);
    expect((await run('service', 'describe', 'auto')).stdout).not.toContain('Autoscaler:');

    // The document is owned by the revision: deleting the service removes it.
    expect((await run('service', 'delete', 'auto', '--wait')).exitCode).toBe(0);
    await waitUntil(
      'decision ConfigMap deleted with the revision',
      async () => (await decision()) === undefined,
    );
  }, 120_000);
});
