/**
 * Gradual rollout end to end (Knative's rollout-duration): a service created with
 * `--rollout-duration` gets a new revision; the Route's status.traffic, watched through the API,
 * goes from the old revision through intermediate shares to the new one at 100%, the KIngress
 * splits follow, `service describe` shows the rollout while it runs, and the rollout state on the
 * KIngress ends with the new revision alone. A bad duration is refused before anything connects.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Annotations } from '../../src/lib/apis/keys.js';
import type { Ingress, Route, Service, TrafficTarget } from '../../src/lib/apis/types.js';
import type { WatchHandle } from '../../src/lib/kube/rest.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { knlite, ROOT, type CliResult } from '../support/cli.js';

const HELLO = `file://${resolve(ROOT, 'examples/hello')}`;
let cluster: TestCluster;
let env: Record<string, string | undefined>;
const run = (...argv: string[]): Promise<CliResult> => knlite(argv, env);

beforeAll(async () => {
  cluster = await startTestCluster({ reconciler: true, runtime: true, dataplane: true });
  env = { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home, NO_COLOR: '1' };
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

/** The share of `rev` in a traffic list (0 when absent). */
const shareOf = (traffic: TrafficTarget[], rev: string) =>
  traffic.filter((t) => t.revisionName === rev).reduce((s, t) => s + (t.percent ?? 0), 0);

describe('gradual rollout', () => {
  it('refuses a bad --rollout-duration before connecting', async () => {
    const bad = await run('service', 'create', 'nope', '--image', HELLO, '--rollout-duration', '1.5s');
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain(
      "invalid --rollout-duration '1.5s': expected a whole number of seconds with a unit, such as 90s, 5m or 0",
    );
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    await expect(cluster.client.get(Kinds.service, 'default', 'nope')).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it('moves traffic to the new revision in steps over rollout-duration', async () => {
    const created = await run(
      'service',
      'create',
      'roll',
      '--image',
      HELLO,
      '--env',
      'TARGET=one',
      '--rollout-duration',
      '10s',
    );
    expect(created.exitCode, created.stderr).toBe(0);
    const svc = await cluster.client.get<Service>(Kinds.service, 'default', 'roll');
    expect(svc.metadata.annotations?.[Annotations.rolloutDuration]).toBe('10s');

    // Every status the reconciler writes, and every split the KIngress gets, in order.
    const seen: { old: number; now: number }[] = [];
    const splits: string[] = [];
    const handles: WatchHandle[] = [
      await cluster.client.watch<Route>(Kinds.route, { namespace: 'default' }, (ev) => {
        if (ev.object.metadata?.name !== 'roll' || !ev.object.status?.traffic) return;
        const t = ev.object.status.traffic;
        seen.push({ old: shareOf(t, 'roll-00001'), now: shareOf(t, 'roll-00002') });
      }),
      await cluster.client.watch<Ingress>(Kinds.ingress, { namespace: 'default' }, (ev) => {
        if (ev.object.metadata?.name !== 'roll') return;
        const rule = ev.object.spec.rules.find((r) => r.visibility === 'ExternalIP');
        const s = rule?.http?.paths[0].splits.map((x) => `${x.serviceName}=${x.percent}`).join(',');
        if (s && splits[splits.length - 1] !== s) splits.push(s);
      }),
    ];
    try {
      const updated = await run('service', 'update', 'roll', '--env', 'TARGET=two', '--no-wait');
      expect(updated.exitCode, updated.stderr).toBe(0);

      // Mid-rollout: both revisions carry traffic, and describe says so.
      await waitUntil('an intermediate share', () => seen.some((s) => s.now > 0 && s.now < 100), 60_000);
      const described = await run('service', 'describe', 'roll');
      expect(described.exitCode, described.stderr).toBe(0);
      expect(described.stdout).toMatch(/^Rollout:$/m);
      expect(described.stdout).toMatch(/^ {2}Target: +roll-00002 \(\d+% of 100%\)$/m);

      await waitUntil('the new revision at 100%', () => seen.at(-1)?.now === 100, 60_000);
      const mid = seen.filter((s) => s.now > 0 && s.now < 100);
      // 1% first, then steps; the two shares always add up to the whole.
      expect(mid[0]).toEqual({ old: 99, now: 1 });
      // Several steps (their number depends on how long the first 1% took to be served).
      expect(new Set(mid.map((s) => s.now)).size).toBeGreaterThan(1);
      for (const s of mid) expect(s.old + s.now).toBe(100);
      const shares = seen.filter((s) => s.now > 0).map((s) => s.now);
      expect([...shares].sort((a, b) => a - b)).toEqual(shares);
      expect(seen.at(-1)).toEqual({ old: 0, now: 100 });
      // The gateway got the same steps: 99/1 first, the new revision alone last.
      expect(splits).toContain('roll-00001=99,roll-00002=1');
      expect(splits.at(-1)).toBe('roll-00002=100');
    } finally {
      for (const h of handles) h.stop();
    }

    const route = await waitUntil('the route Ready after the rollout', async () => {
      const r = await cluster.client.get<Route>(Kinds.route, 'default', 'roll');
      return r.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? r : undefined;
    });
    expect(route.status?.traffic).toEqual([
      { revisionName: 'roll-00002', latestRevision: true, percent: 100 },
    ]);
    const ing = await cluster.client.get<Ingress>(Kinds.ingress, 'default', 'roll');
    expect(JSON.parse(ing.metadata.annotations![Annotations.rollout])).toEqual({
      configurations: [
        {
          configurationName: 'roll',
          percent: 100,
          revisions: [{ revisionName: 'roll-00002', percent: 100 }],
          stepParams: {},
        },
      ],
    });
    const after = await run('service', 'describe', 'roll');
    expect(after.stdout).not.toContain('Rollout:');
  }, 120_000);
});
