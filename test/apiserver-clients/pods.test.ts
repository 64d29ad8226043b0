/**
 * kubectl 1.32 and the Python client reaching into pods of the local runtime through the API
 * server: `kubectl logs` with its options (container, tail, since, timestamps, previous, limit
 * bytes, follow, deploy/NAME, -l), `read_namespaced_pod_log`, `kubectl exec` over WebSocket
 * (env, working directory, stdin, exit codes). Port-forward is in pod-proxy.test.ts.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, KubeObject, Pod } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { clientEnv, KUBECTL, kubectl, python, requireKubectl, requirePythonClient } from './clients.js';

let cluster: TestCluster;
let env: NodeJS.ProcessEnv;
let pod = '';

// The first run prints "run 1" and fails; the second prints "run 2" and then ticks forever. HOME is
// kept across restarts, so it counts the runs.
const SCRIPT = [
  'n=$(cat "$HOME/runs" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$HOME/runs"',
  'echo "run $n"; echo "stderr of run $n" >&2',
  '[ "$n" -lt 2 ] && exit 1',
  'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done',
].join('\n');

beforeAll(async () => {
  requireKubectl();
  requirePythonClient();
  cluster = await startTestCluster({ reconciler: false, runtime: true, dataplane: false });
  env = clientEnv(cluster.kubeconfigPath, cluster.home);
  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'ticker', namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'ticker' } },
      template: {
        metadata: { labels: { app: 'ticker' } },
        spec: {
          containers: [
            {
              name: 'main',
              image: 'busybox',
              command: ['/bin/sh', '-c', SCRIPT],
              env: [{ name: 'GREETING', value: 'hi' }],
            },
          ],
        },
      },
    },
  } as Deployment;
  await cluster.client.create(Kinds.deployment, deployment);
  pod = await waitUntil(
    'the second run of the ticker pod',
    async () => {
      const pods = await cluster.client.list<Pod>(Kinds.pod, {
        namespace: 'default',
        labelSelector: 'app=ticker',
      });
      const p = pods.items.find((x) => x.status?.containerStatuses?.[0]?.restartCount === 1);
      if (!p) return undefined;
      const out = await kubectl(env, ['logs', p.metadata.name!]);
      return out.stdout.includes('tick 2') ? p.metadata.name! : undefined;
    },
    30_000,
    200,
  );
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('kubectl logs', () => {
  it('prints the current run, and --previous the one before', async () => {
    const now = await kubectl(env, ['logs', pod]);
    expect(now.code, now.stderr).toBe(0);
    // stdout and stderr are separate pipes: their relative order is not fixed, each one's is.
    expect(now.stdout).toMatch(/^run 2\n/);
    expect(now.stdout.split('\n')).toContain('stderr of run 2');
    expect(now.stdout.split('\n')).toEqual(expect.arrayContaining(['tick 1', 'tick 2']));
    expect(now.stdout).not.toContain('run 1');
    const prev = await kubectl(env, ['logs', pod, '--previous']);
    expect(prev.code, prev.stderr).toBe(0);
    expect(prev.stdout.split('\n').sort()).toEqual(['', 'run 1', 'stderr of run 1']);
  });

  it('honours -c, --tail, --timestamps, --since, --since-time and --limit-bytes', async () => {
    // Once the pod has ticked for a while, its first lines (the run's stderr line among them: the two
    // pipes' relative order is not fixed) are older than a second and out of the last two lines.
    await waitUntil('two seconds of ticks', async () =>
      (await kubectl(env, ['logs', pod])).stdout.includes('tick 12'),
    );
    const tail = await kubectl(env, ['logs', pod, '-c', 'main', '--tail=2']);
    expect(tail.stdout.trim().split('\n')).toHaveLength(2);
    expect(tail.stdout).toMatch(/^tick \d+\ntick \d+\n$/);
    const stamped = await kubectl(env, ['logs', pod, '--timestamps', '--tail=1']);
    expect(stamped.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z tick \d+\n$/);
    const since = await kubectl(env, ['logs', pod, '--since=1s']);
    expect(since.stdout).not.toContain('run 2');
    expect(since.stdout).toMatch(/tick \d+\n$/);
    const future = await kubectl(env, [
      'logs',
      pod,
      `--since-time=${new Date(Date.now() + 3_600_000).toISOString()}`,
    ]);
    expect(future.code, future.stderr).toBe(0);
    expect(future.stdout).toBe('');
    const limited = await kubectl(env, ['logs', pod, '--limit-bytes=7']);
    expect(limited.stdout).toHaveLength(7);
    expect(limited.stdout).toMatch(/^run 2\n/);
  });

  it("reads a Deployment's pod, and pods by label", async () => {
    const byDeploy = await kubectl(env, ['logs', 'deploy/ticker', '--tail=1']);
    expect(byDeploy.code, byDeploy.stderr).toBe(0);
    expect(byDeploy.stdout).toMatch(/^tick \d+\n$/);
    const byLabel = await kubectl(env, ['logs', '-l', 'app=ticker', '--tail=1']);
    expect(byLabel.code, byLabel.stderr).toBe(0);
    expect(byLabel.stdout).toMatch(/^tick \d+\n$/);
  });

  it('follows with -f until stopped', async () => {
    const child = spawn(KUBECTL, ['logs', '-f', pod, '--tail=1'], { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitUntil('three followed lines', () => out.trim().split('\n').length >= 3, 15_000);
      const ticks = out
        .trim()
        .split('\n')
        .map((l) => Number(l.replace('tick ', '')));
      expect(ticks[1]).toBe(ticks[0]! + 1);
      expect(ticks[2]).toBe(ticks[0]! + 2);
    } finally {
      child.kill();
    }
  });

  it("answers kube-apiserver's errors as metav1.Status", async () => {
    const invalidTail = await kubectl(env, [
      'get',
      '--raw',
      `/api/v1/namespaces/default/pods/${pod}/log?tailLines=-1`,
    ]);
    expect(invalidTail.stderr).toContain(
      `PodLogOptions "${pod}" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0`,
    );
    const badContainer = await kubectl(env, [
      'get',
      '--raw',
      `/api/v1/namespaces/default/pods/${pod}/log?container=nope`,
    ]);
    expect(badContainer.stderr).toContain(`container nope is not valid for pod ${pod}`);
    const both = await kubectl(env, [
      'get',
      '--raw',
      `/api/v1/namespaces/default/pods/${pod}/log?sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z`,
    ]);
    expect(both.stderr).toContain('at most one of `sinceTime` or `sinceSeconds` may be specified');
    // A pod no node runs has no logs to read.
    const lone: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'unscheduled', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    };
    await cluster.client.create(Kinds.pod, lone as Pod);
    const unscheduled = await kubectl(env, ['logs', 'unscheduled']);
    expect(unscheduled.code).not.toBe(0);
    expect(unscheduled.stderr).toContain('pod unscheduled does not have a host assigned');
  });

  it('is what read_namespaced_pod_log returns to the Python client', async () => {
    const out = await python(
      env,
      [
        'from kubernetes import client, config',
        'config.load_kube_config()',
        'v1 = client.CoreV1Api()',
        `print(repr(v1.read_namespaced_pod_log(${JSON.stringify(pod)}, "default", container="main", previous=True)))`,
        `print(repr(v1.read_namespaced_pod_log(${JSON.stringify(pod)}, "default", tail_lines=1, timestamps=True)))`,
      ].join('\n'),
    );
    expect(out.code, out.stderr).toBe(0);
    const [previous, last] = out.stdout.trim().split('\n');
    expect([`'run 1\\nstderr of run 1\\n'`, `'stderr of run 1\\nrun 1\\n'`]).toContain(previous);
    expect(last).toMatch(/^'\d{4}-\d\d-\d\dT[\d:.]+Z tick \d+\\n'$/);
  });
});

describe('kubectl exec', () => {
  it("runs the command in the pod's environment and working directory, with its exit code", async () => {
    const out = await kubectl(env, [
      'exec',
      pod,
      '--',
      'sh',
      '-c',
      'echo "$GREETING from $PWD"; echo oops >&2; exit 3',
    ]);
    expect(out.code).toBe(3);
    expect(out.stdout).toMatch(new RegExp(`^hi from .*/homes/default/${pod}\\n$`));
    expect(out.stderr).toContain('oops');
    expect(out.stderr).toContain('command terminated with exit code 3');
    // The pod's HOME is where the container keeps its run counter; deploy/NAME picks its pod.
    const counter = await kubectl(env, ['exec', 'deploy/ticker', '--', 'sh', '-c', 'cat "$HOME/runs"']);
    expect(counter.stdout).toBe('2\n');
  });

  it('passes stdin with -i', async () => {
    const out = await kubectl(env, ['exec', '-i', pod, '--', 'tr', 'a-z', 'A-Z'], 'hello\nworld\n');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toBe('HELLO\nWORLD\n');
  });
});
