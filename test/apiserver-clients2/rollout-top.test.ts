/**
 * Workload kinds kubectl expects, through real kubectl against the API server with the local
 * runtime: ReplicaSets per template with revisions (`kubectl rollout history`, `rollout undo`,
 * `get rs`, cascade on delete) and the metrics API (`kubectl top pod`).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestClient } from '../../src/lib/kube/rest.js';
import { startRuntime, type LocalRuntime } from '../../src/lib/kubelet/index.js';
import { waitUntil } from '../support/wait.js';
import { startKubectlEnv, type KubectlEnv } from '../support/apiserver.js';

let k: KubectlEnv;
let rest: RestClient;
let runtime: LocalRuntime;

beforeAll(async () => {
  k = await startKubectlEnv();
  rest = RestClient.fromKubeconfig(k.server.kubeconfig());
  runtime = await startRuntime(rest, {
    dataDir: join(k.home, 'runtime'),
    restartBackoffMs: 100,
    maxTerminationGracePeriodSeconds: 1,
    log: () => {},
  });
  // What the local stack wires in: the runtime's readings behind metrics.k8s.io.
  k.server.setMetricsSource({ pods: () => runtime.podUsage() });
});

afterAll(async () => {
  await runtime?.stop();
  rest?.close();
  await k?.close();
});

const server = (message: string) =>
  `require('http').createServer((q, s) => s.end(${JSON.stringify(message)})).listen(process.env.PORT)`;

const deployment = (message: string, changeCause?: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
${changeCause ? `  annotations: {kubernetes.io/change-cause: ${changeCause}}\n` : ''}spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        command: [node, -e, ${JSON.stringify(server(message))}]
`;

async function jsonOf(args: string[]): Promise<any> {
  const r = await k.kubectl([...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** The revision annotations of web's ReplicaSets, by name. */
async function revisions(): Promise<Record<string, string>> {
  const list = await jsonOf(['get', 'rs', '-l', 'app=web']);
  return Object.fromEntries(
    list.items.map((rs: any) => [
      rs.metadata.name,
      rs.metadata.annotations['deployment.kubernetes.io/revision'],
    ]),
  );
}

describe('ReplicaSets and rollouts', () => {
  it('keeps one ReplicaSet per template with revisions; rollout history and undo work', async () => {
    expect((await k.kubectl(['apply', '-f', '-'], deployment('v1'))).code).toBe(0);
    await waitUntil('revision 1', async () => Object.values(await revisions()).join() === '1', 20_000);
    const [first] = Object.keys(await revisions());
    const rs = await jsonOf(['get', 'rs', first]);
    expect(rs.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Deployment', name: 'web', controller: true }),
    ]);
    expect(rs.spec.selector.matchLabels['pod-template-hash']).toBe(first.slice('web-'.length));
    expect(rs.spec.replicas).toBe(1);

    expect((await k.kubectl(['apply', '-f', '-'], deployment('v2', 'second'))).code).toBe(0);
    await waitUntil('revision 2', async () => Object.keys(await revisions()).length === 2, 20_000);
    await waitUntil(
      'rollout to v2',
      async () => {
        const d = await jsonOf(['get', 'deploy', 'web']);
        return (
          d.metadata.annotations['deployment.kubernetes.io/revision'] === '2' &&
          d.status.updatedReplicas === 1
        );
      },
      20_000,
    );
    const second = Object.entries(await revisions()).find(([, r]) => r === '2')![0];
    expect((await jsonOf(['get', 'rs', first])).spec.replicas).toBe(0);

    const history = await k.kubectl(['rollout', 'history', 'deploy/web']);
    expect(history.stderr).toBe('');
    const lines = history.stdout.trim().split('\n');
    expect(lines[0]).toBe('deployment.apps/web ');
    expect(lines[1].split(/\s+/)).toEqual(['REVISION', 'CHANGE-CAUSE']);
    expect(lines[2].split(/\s+/)).toEqual(['1', '<none>']);
    expect(lines[3].split(/\s+/)).toEqual(['2', 'second']);

    const rev1 = await k.kubectl(['rollout', 'history', 'deploy/web', '--revision=1']);
    expect(rev1.stdout).toContain('"v1"');

    const undo = await k.kubectl(['rollout', 'undo', 'deploy/web']);
    expect(undo.stderr).toBe('');
    expect(undo.stdout.trim()).toBe('deployment.apps/web rolled back');
    // The first template is back: its ReplicaSet becomes revision 3, with 1 in its history.
    await waitUntil('revision 3', async () => (await revisions())[first] === '3', 20_000);
    const back = await jsonOf(['get', 'rs', first]);
    expect(back.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(back.spec.replicas).toBe(1);
    expect((await revisions())[second]).toBe('2');
    const d = await jsonOf(['get', 'deploy', 'web']);
    expect(d.spec.template.spec.containers[0].command[2]).toContain('"v1"');

    const table = await k.kubectl(['get', 'rs']);
    expect(table.stdout.split('\n')[0].trim().split(/\s+/)).toEqual([
      'NAME',
      'DESIRED',
      'CURRENT',
      'READY',
      'AGE',
    ]);
  });

  it('serves kubectl top pod from the runtime readings', async () => {
    await waitUntil(
      'a running pod',
      async () => runtime.podUsage().some((p) => p.name.startsWith('web-')),
      20_000,
    );
    const discovery = await k.kubectl(['api-resources', '--api-group=metrics.k8s.io']);
    expect(discovery.stdout).toContain('PodMetrics');
    let out = '';
    await waitUntil(
      'kubectl top pod',
      async () => {
        const r = await k.kubectl(['top', 'pod', '-l', 'app=web']);
        out = r.stdout;
        return r.code === 0 && /\nweb-\S+\s+\d+m\s+\d+Mi/.test(out);
      },
      20_000,
    );
    const [header] = out.split('\n');
    expect(header.trim().split(/\s+/)).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    const name = out.split('\n')[1].split(/\s+/)[0];
    const metrics = JSON.parse(
      (await k.kubectl(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/${name}`]))
        .stdout,
    );
    expect(metrics).toMatchObject({
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      window: '10s',
    });
    expect(metrics.containers[0].name).toBe('app');
    expect(metrics.containers[0].usage.memory).toMatch(/^\d+Ki$/);
    expect(Number(metrics.containers[0].usage.memory.slice(0, -2))).toBeGreaterThan(1000);
  });

  it('deletes the ReplicaSets with their Deployment', async () => {
    expect((await k.kubectl(['delete', 'deploy/web'])).code).toBe(0);
    await waitUntil('ReplicaSets gone', async () => Object.keys(await revisions()).length === 0, 20_000);
  });
});
