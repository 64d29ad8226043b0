/**
 * Frozen instances instead of cold starts, end to end on the local cluster (API server, reconciler,
 * process runtime, gateway, autoscaler): a revision with `autoscaling.knlite.dev/frozen-retention`
 * scales to zero through the real KPA; its Deployment goes to 0 replicas while the last instance is
 * kept frozen (its process stopped, a `knlite.dev/Frozen` pod condition, counted in the gateway's
 * metrics and in `revision describe`); the next request thaws that same process instead of starting
 * one. A short retention removes the frozen instance when it runs out; a bad value is refused.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Deployment, Endpoints, Pod, Service } from '../../src/lib/apis/types.js';
import { readDecision } from '../../src/lib/apis/autoscaler-decision.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { patchConfigData } from '../../src/lib/local/seed.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { send } from '../dataplane/helpers.js';
import { knlite, ROOT, type CliResult } from '../support/cli.js';

const HELLO = `file://${resolve(ROOT, 'examples/hello')}`;
const FROZEN = 'autoscaling.knlite.dev/frozen-retention';

let cluster: TestCluster;
let api: ServingClient;
let env: Record<string, string | undefined>;
const run = (...argv: string[]): Promise<CliResult> => knlite(argv, env);

beforeAll(async () => {
  cluster = await startTestCluster({ reconciler: true, runtime: true, dataplane: true });
  env = { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home, NO_COLOR: '1' };
  api = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath });
  await patchConfigData(cluster.client, 'config-autoscaler', { 'scale-to-zero-grace-period': '6s' });
}, 60_000);

afterAll(async () => {
  api?.close();
  await cluster?.stop();
});

async function host(name: string): Promise<string> {
  return new URL((await api.getService(name)).status!.url!).host;
}

async function pods(revision: string): Promise<Pod[]> {
  return (
    await cluster.client.list<Pod>(Kinds.pod, {
      namespace: 'default',
      labelSelector: `serving.knative.dev/revision=${revision}`,
    })
  ).items;
}

const deployment = (revision: string): Promise<Deployment> =>
  cluster.client.get<Deployment>(Kinds.deployment, 'default', `${revision}-deployment`);

const endpoints = (revision: string): Promise<Endpoints> =>
  cluster.client.get<Endpoints>(Kinds.endpoints, 'default', revision);

const frozenCondition = (pod: Pod) => pod.status?.conditions?.find((c) => c.type === 'knlite.dev/Frozen');

/** The state letter of a process in /proc (T = stopped). */
const procState = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
};

async function create(name: string, retention: string): Promise<void> {
  const r = await run(
    'service',
    'create',
    name,
    '--image',
    HELLO,
    '--annotation-revision',
    `${FROZEN}=${retention}`,
    '--annotation-revision',
    'autoscaling.knative.dev/window=6s',
  );
  expect(r.exitCode, r.stderr).toBe(0);
}

async function scaledToZero(revision: string): Promise<Pod> {
  return waitUntil(
    `${revision} frozen at zero`,
    async () => {
      const d = await deployment(revision);
      const held = (await pods(revision)).find((p) => frozenCondition(p)?.status === 'True');
      return d.spec.replicas === 0 && !d.status?.replicas && held;
    },
    90_000,
    200,
  );
}

describe('frozen-retention', () => {
  it('scale to zero freezes the last instance; the next request thaws the same process', async () => {
    // One CLI run at a time: the in-process runner captures process.stdout.
    await create('frozen', '10m');
    await create('brief', '3s');
    const [frozenHost, briefHost] = await Promise.all([host('frozen'), host('brief')]);
    expect((await send(cluster.gatewayPort!, frozenHost)).body).toBe('Hello World! (frozen-00001)\n');
    expect((await send(cluster.gatewayPort!, briefHost)).status).toBe(200);
    const [servingPod] = await pods('frozen-00001');

    const [held] = await Promise.all([scaledToZero('frozen-00001'), scaledToZero('brief-00001')]);
    // The same pod, not ready, with the condition; the Deployment says 0.
    expect(held.metadata.name).toBe(servingPod.metadata.name);
    expect(held.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(frozenCondition(held)).toMatchObject({ status: 'True', reason: 'ScaledToZero' });
    expect(frozenCondition(held)!.message).toMatch(
      /^frozen \(SIGSTOP\) holding \d+\.\d MiB until \S+Z; the next request thaws it instead of starting a process$/,
    );
    const dep = await deployment('frozen-00001');
    expect(dep.status?.readyReplicas ?? 0).toBe(0);
    // Its Endpoints list it not ready and name it frozen: the gateway may forward to it at once.
    const heldEndpoints = await endpoints('frozen-00001');
    expect(heldEndpoints.metadata.annotations?.['knlite.dev/frozen-pods']).toBe(servingPod.metadata.name);
    expect(heldEndpoints.subsets?.flatMap((s) => s.addresses ?? [])).toEqual([]);
    expect(
      heldEndpoints.subsets?.flatMap((s) => s.notReadyAddresses ?? []).map((a) => a.targetRef?.name),
    ).toEqual([servingPod.metadata.name]);
    expect((await api.getRevision('frozen-00001')).status?.actualReplicas ?? 0).toBe(0);

    // The runtime's own view: its process group is stopped, holding memory.
    const mine = cluster.runtime!.frozenInstances().find((f) => f.revision === 'frozen-00001')!;
    expect(mine).toMatchObject({ namespace: 'default', pod: servingPod.metadata.name });
    expect(mine.rssBytes).toBeGreaterThan(1024 * 1024);
    expect(mine.pgids.length).toBeGreaterThan(0);
    for (const pgid of mine.pgids) expect(procState(pgid)).toBe('T');

    // Metrics: counted per revision, with the memory held.
    const metrics = await (await fetch(`http://127.0.0.1:${cluster.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/^knlite_frozen_instances\{namespace="default",revision="frozen-00001"\} 1$/m);
    const mem = /^knlite_frozen_memory_bytes\{namespace="default",revision="frozen-00001"\} (\d+)$/m.exec(
      metrics,
    );
    expect(Number(mem?.[1])).toBe(mine.rssBytes);

    // revision describe shows it.
    const d = await run('revision', 'describe', 'frozen-00001');
    expect(d.exitCode, d.stderr).toBe(0);
    expect(d.stdout).toMatch(
      new RegExp(`^Frozen:\\s*\\n\\s+${servingPod.metadata.name}:\\s+frozen \\(SIGSTOP\\) holding`, 'm'),
    );

    // The next request is answered by the thawed process: same pod, no new one.
    const answer = await send(cluster.gatewayPort!, frozenHost);
    expect(answer).toMatchObject({ status: 200, body: 'Hello World! (frozen-00001)\n' });
    const after = await pods('frozen-00001');
    expect(after.map((p) => p.metadata.name)).toEqual([servingPod.metadata.name]);
    await waitUntil('thawed pod ready without the Frozen condition', async () => {
      const [p] = await pods('frozen-00001');
      return (
        p && !frozenCondition(p) && p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
      );
    });
    expect(cluster.runtime!.frozenInstances().some((f) => f.revision === 'frozen-00001')).toBe(false);
    await waitUntil('Endpoints list the thawed pod ready, no longer frozen', async () => {
      const ep = await endpoints('frozen-00001');
      const ready = ep.subsets?.flatMap((s) => s.addresses ?? []).map((a) => a.targetRef?.name);
      return !ep.metadata.annotations?.['knlite.dev/frozen-pods'] && ready?.[0] === servingPod.metadata.name;
    });
    for (const pgid of mine.pgids) expect(procState(pgid)).not.toBe('T');
    expect((await deployment('frozen-00001')).spec.replicas).toBe(1);

    // The thaw was measured as a cold start, per stage: in the gateway's histogram and in the
    // autoscaler's published decision, which revision describe prints. The request went to the
    // frozen instance at once, so no `ready` stage precedes its first byte (and the /scale write's
    // acknowledgement may come after it).
    const after2 = await (await fetch(`http://127.0.0.1:${cluster.adminPort}/metrics`)).text();
    expect(after2).not.toMatch(
      /^knlite_cold_start_seconds_count\{[^}]*revision="frozen-00001",stage="ready"\}/m,
    );
    for (const stage of ['queued', 'first_byte'])
      expect(after2).toMatch(
        new RegExp(
          `^knlite_cold_start_seconds_count\\{namespace="default",revision="frozen-00001",stage="${stage}"\\} 1$`,
          'm',
        ),
      );
    const doc = await waitUntil('cold start published', async () => {
      const cm = await cluster.client.get<ConfigMap>(Kinds.configMap, 'default', 'frozen-00001-autoscaler');
      const d = readDecision(cm);
      return d?.coldStarts?.count === 1 ? d : undefined;
    });
    const s = doc.coldStarts!.last.stages;
    expect(s.queued).toBe(0);
    expect(s.ready).toBeUndefined();
    expect(s.scale_decided ?? 0).toBeLessThanOrEqual(s.first_byte!);
    expect(doc.coldStarts!.p50).toBe(s.first_byte);
    const described = await run('revision', 'describe', 'frozen-00001');
    expect(described.stdout).toMatch(/^ {2}Cold starts: +1, first byte p50 [\d.]+s, p99 [\d.]+s$/m);
    expect(described.stdout).toMatch(
      /^ {2}Last cold start: +\S+ ago: (scale decided [\d.]+s, )?first byte [\d.]+s$/m,
    );

    // A short retention ends: the frozen instance is stopped and its pod deleted.
    await waitUntil(
      'brief frozen instance gone',
      async () => (await pods('brief-00001')).length === 0,
      30_000,
    );
    expect(cluster.runtime!.frozenInstances().some((f) => f.revision === 'brief-00001')).toBe(false);
  }, 240_000);

  it('the webhook refuses a retention that is not a duration up to 1h', async () => {
    const bad = await run('service', 'update', 'frozen', '--annotation-revision', `${FROZEN}=banana`);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(FROZEN);
    const long = await run('service', 'update', 'frozen', '--annotation-revision', `${FROZEN}=2h`);
    expect(long.exitCode).toBe(1);
    expect(long.stderr).toMatch(/expected 0s <= 2h <= 1h/);
    const svc: Service = await api.getService('frozen');
    expect(svc.spec.template.metadata?.annotations?.[FROZEN]).toBe('10m');
  });
});
