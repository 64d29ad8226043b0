/**
 * `knlite traffic rollout` end to end on the in-process local cluster (API server, reconciler,
 * runtime running examples/autoscale, gateway with metrics), with real traffic through the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import TrafficRollout from '../../src/commands/traffic/rollout.js';
import { SYSTEM_NAMESPACE } from '../../src/lib/apis/keys.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { KNLITE_CONFIG_MAP } from '../../src/lib/rollout/metrics.js';
import { NO_METRICS_MESSAGE } from '../../src/lib/rollout/prepare.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { hostOf, makeTwoRevisionService, runCli, startLoad, trafficOf } from './fixtures.js';

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

function rollout(...argv: string[]) {
  return runCli(TrafficRollout, [...argv, '--kubeconfig', cluster.kubeconfigPath]);
}

describe('traffic rollout', () => {
  it('refuses bad input with one sentence and changes nothing', async () => {
    await makeTwoRevisionService(client, 'refuse');
    // A third revision that cannot run: it exists but is not Ready.
    const { after } = await client.updateServiceWithRetry('refuse', (svc) => {
      svc.spec.template.spec.containers[0]!.image = 'docker.io/library/nginx:latest';
    });
    await client.waitForService('refuse', {
      generation: after.metadata.generation!,
      timeoutMs: 90_000,
      windowMs: 0,
    });
    const before = await trafficOf(client, 'refuse');

    const cases: [string[], string][] = [
      [['nope', '--to', '@latest'], "service 'nope' not found"],
      [
        ['refuse', '--to', 'refuse-00009'],
        "revision 'refuse-00009' not found for service 'refuse' in namespace 'default'",
      ],
      [
        ['refuse', '--to', 'refuse-00003'],
        "revision 'refuse-00003' is not ready, refusing to send it traffic",
      ],
      [
        ['refuse', '--to', 'refuse-00002', '--steps', '10,5,100'],
        'steps must increase and end at 100, got 10,5,100',
      ],
      [
        ['refuse', '--to', 'refuse-00002', '--steps', '10,50'],
        'steps must increase and end at 100, got 10,50',
      ],
      [
        ['refuse', '--to', 'refuse-00002', '--interval', 'abc'],
        'interval "abc" is not a duration (use e.g. 30s or 2m)',
      ],
      [
        ['refuse', '--to', 'refuse-00002', '--max-error-rate', 'lots'],
        'max-error-rate "lots" is not a rate (use e.g. 1% or 0.01)',
      ],
      [
        ['refuse', '--to', 'refuse-00001'],
        "revision 'refuse-00001' already receives 100% of the traffic of service 'refuse'",
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await rollout(...argv);
      expect(r.exitCode, argv.join(' ')).toBe(1);
      expect(r.stderr, argv.join(' ')).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await trafficOf(client, 'refuse')).toEqual(before);
  }, 180_000);

  it('prints the plan with --dry-run and changes nothing', async () => {
    await makeTwoRevisionService(client, 'plan');
    const r = await rollout(
      'plan',
      '--to',
      '@latest',
      '--steps',
      '20,100',
      '--interval',
      '1m30s',
      '--max-error-rate',
      '2%',
      '--dry-run',
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      "rollout of plan-00002 to service 'plan' in namespace 'default': 2 step(s), observed 1m30s each",
    );
    expect(r.stdout).toContain('checks: candidate ready, error rate <= 2%');
    expect(r.stdout).toContain('step 1/2: plan-00001 80%, plan-00002 20%');
    expect(r.stdout).toContain('step 2/2: plan-00002 100%');
    expect(r.stdout).toContain('on failure: roll back to plan-00001 100%');
    expect(await trafficOf(client, 'plan')).toEqual([{ revisionName: 'plan-00001', percent: 100 }]);
  }, 120_000);

  it('moves a healthy candidate to 100% under load and exits 0', async () => {
    const svc = await makeTwoRevisionService(client, 'healthy');
    const load = startLoad(cluster.gatewayPort!, hostOf(svc.status?.url));
    const r = await rollout(
      'healthy',
      '--to',
      '@latest',
      '--steps',
      '50,100',
      '--interval',
      '1s',
      '--max-error-rate',
      '1%',
      '--max-p99',
      '5s',
    );
    const counts = await load.stop();
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^step 1\/2: healthy-00002 50% — [\d.]+ req\/s, 0\.0% errors, p99 \S+ — ok$/m);
    expect(r.stdout).toMatch(/^step 2\/2: healthy-00002 100% — [\d.]+ req\/s, 0\.0% errors, p99 \S+ — ok$/m);
    expect(r.stdout).toContain(
      "rollout complete: healthy-00002 receives 100% of the traffic of service 'healthy'",
    );
    expect(await trafficOf(client, 'healthy')).toEqual([{ revisionName: 'healthy-00002', percent: 100 }]);
    expect(counts[200]).toBeGreaterThan(0);
  }, 120_000);

  it('rolls a candidate answering 500s back to the starting traffic and exits 1 with the reason', async () => {
    const svc = await makeTwoRevisionService(client, 'failing');
    const host = hostOf(svc.status?.url);
    const healthy = startLoad(cluster.gatewayPort!, host);
    // The candidate's own URL (its tag) answers 500 for these requests: its error rate climbs.
    const broken = startLoad(cluster.gatewayPort!, `candidate-${host}`, '/?status=500');
    const r = await rollout(
      'failing',
      '--to',
      'failing-00002',
      '--tag',
      'candidate',
      '--steps',
      '50,100',
      '--interval',
      '1s',
      '--max-error-rate',
      '1%',
    );
    await healthy.stop();
    await broken.stop();
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(
      /^step 1\/2: failing-00002 50% — .* — failed: error rate [\d.]+% > 1% on failing-00002$/m,
    );
    expect(r.stdout).not.toContain('step 2/2');
    expect(r.stderr).toMatch(
      /^Error: rolled back to the starting traffic: error rate [\d.]+% > 1% on failing-00002\n$/,
    );
    expect(await trafficOf(client, 'failing')).toEqual([{ revisionName: 'failing-00001', percent: 100 }]);
  }, 120_000);

  it('rolls back when the candidate is slower than --max-p99', async () => {
    const svc = await makeTwoRevisionService(client, 'slow');
    const slow = startLoad(cluster.gatewayPort!, `candidate-${hostOf(svc.status?.url)}`, '/?sleep=300');
    const r = await rollout(
      'slow',
      '--to',
      '@latest',
      '--tag',
      'candidate',
      '--steps',
      '10,100',
      '--interval',
      '2s',
      '--max-p99',
      '100ms',
    );
    await slow.stop();
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^Error: rolled back to the starting traffic: p99 \S+ > 100ms on slow-00002\n$/);
    expect(await trafficOf(client, 'slow')).toEqual([{ revisionName: 'slow-00001', percent: 100 }]);
  }, 120_000);

  it('on Ctrl-C leaves the service at the last applied step and exits 1 saying where', async () => {
    await makeTwoRevisionService(client, 'cancel');
    const running = rollout('cancel', '--to', '@latest', '--steps', '50,100', '--interval', '5m');
    const step1 = [
      { revisionName: 'cancel-00001', percent: 50 },
      { revisionName: 'cancel-00002', percent: 50 },
    ];
    await waitUntil(
      'step 1 to be written',
      async () => JSON.stringify(await trafficOf(client, 'cancel')) === JSON.stringify(step1),
    );
    process.emit('SIGINT');
    const r = await running;
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      "Error: rollout cancelled: service 'cancel' left at step 1/2: cancel-00001 50%, cancel-00002 50%\n",
    );
    expect(await trafficOf(client, 'cancel')).toEqual(step1);
  }, 120_000);

  it('says checks are readiness-only where the cluster publishes no gateway metrics', async () => {
    await makeTwoRevisionService(client, 'nometrics');
    const cm = await client.findConfigMap(SYSTEM_NAMESPACE, KNLITE_CONFIG_MAP);
    await client.deleteObject(Kinds.configMap, KNLITE_CONFIG_MAP, SYSTEM_NAMESPACE);
    try {
      const r = await rollout(
        'nometrics',
        '--to',
        '@latest',
        '--steps',
        '100',
        '--interval',
        '1s',
        '--max-error-rate',
        '1%',
      );
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(NO_METRICS_MESSAGE);
      expect(r.stdout).toContain('step 1/1: nometrics-00002 100% — ready — ok');
    } finally {
      await client.createObject(Kinds.configMap, {
        metadata: { name: KNLITE_CONFIG_MAP, namespace: SYSTEM_NAMESPACE },
        data: cm?.data,
      });
    }
  }, 120_000);
});
