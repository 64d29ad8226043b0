/**
 * End-to-end: `--dry-run` on every mutating command against the local cluster (API server,
 * reconciler, process runtime, gateway). Each dry run exits 0, prints the plan (revision that would
 * be created, traffic with tag URLs, what revision GC would delete, a unified diff) or with -o the
 * server's object — and writes nothing: generations, revisions, mappings and live traffic are the
 * same afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { ConfigMap, DomainMapping, Revision, Service } from '../../src/lib/apis/types.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { send } from '../dataplane/helpers.js';
import { ROOT, knlite, type CliResult } from '../support/cli.js';

let cluster: TestCluster;
let api: ServingClient;
let env: Record<string, string | undefined>;
const image = `file://${resolve(ROOT, 'test/cli/fixtures/hello')}`;

const run = (...argv: string[]): Promise<CliResult> => knlite(argv, env);

async function revisionNames(): Promise<string[]> {
  return (await api.listRevisions({ service: 'hello' })).items.map((r) => r.metadata.name!);
}

async function answer(): Promise<string> {
  const svc = await api.getService('hello');
  const r = await send(cluster.gatewayPort!, new URL(svc.status!.url!).host);
  expect(r.status).toBe(200);
  return r.body;
}

beforeAll(async () => {
  cluster = await startTestCluster({ reconciler: true, runtime: true, dataplane: true });
  env = { KUBECONFIG: cluster.kubeconfigPath, KNLITE_HOME: cluster.home, NO_COLOR: '1' };
  api = await ServingClient.connect({ kubeconfig: cluster.kubeconfigPath });
  const created = await run('service', 'create', 'hello', '--image', image, '--env', 'TARGET=one');
  expect(created.exitCode, created.stderr).toBe(0);
  const second = await run('service', 'update', 'hello', '--env', 'TARGET=two');
  expect(second.exitCode, second.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  api?.close();
  await cluster?.stop();
});

describe('service update --dry-run', () => {
  it('prints the revision, traffic, GC and diff, and changes nothing', async () => {
    const before = await api.getService('hello');
    const r = await run('service', 'update', 'hello', '--env', 'TARGET=three', '--dry-run');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "Dry run: service 'hello' would be updated in namespace 'default' (nothing was written).",
    );
    expect(r.stdout).toContain("Revision 'hello-00003' would be created.");
    expect(r.stdout).toMatch(/^ {2}100% {2}@latest \(hello-00003\)$/m);
    expect(r.stdout).toContain('Revision GC: would delete nothing.');
    expect(r.stdout).toContain('--- service/hello (current)\n+++ service/hello (dry run)\n@@ ');
    expect(r.stdout).toMatch(/^- +value: two$/m);
    expect(r.stdout).toMatch(/^\+ +value: three$/m);
    const after = await api.getService('hello');
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(await revisionNames()).toEqual(['hello-00002', 'hello-00001']);
    expect(await answer()).toBe('Hello two!\n');
  });

  it('-o json prints the object the server returned for the dry run', async () => {
    const r = await run('service', 'update', 'hello', '--env', 'TARGET=three', '--dry-run', '-o', 'json');
    expect(r.exitCode, r.stderr).toBe(0);
    const obj = JSON.parse(r.stdout) as Service;
    const stored = await api.getService('hello');
    expect(obj.metadata.name).toBe('hello');
    expect(obj.metadata.generation).toBe(stored.metadata.generation! + 1);
    expect(obj.spec.template.spec.containers[0].env).toEqual([{ name: 'TARGET', value: 'three' }]);
    expect(stored.spec.template.spec.containers[0].env).toEqual([{ name: 'TARGET', value: 'two' }]);
    // Defaulted by the server's webhook, like a real write.
    expect(obj.spec.traffic).toEqual([{ latestRevision: true, percent: 100 }]);
  });

  it('-o needs --dry-run', async () => {
    const r = await run('service', 'update', 'hello', '--env', 'A=1', '-o', 'json');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/dry-run/);
  });

  it('shows what config-gc would collect', async () => {
    const gc = await cluster.client.get<ConfigMap>(Kinds.configMap, 'knative-serving', 'config-gc');
    const saved = structuredClone(gc.data ?? {});
    await cluster.client.replace(Kinds.configMap, {
      ...gc,
      data: {
        'retain-since-create-time': 'disabled',
        'retain-since-last-active-time': 'disabled',
        'min-non-active-revisions': '0',
        'max-non-active-revisions': '1',
      },
    });
    try {
      const r = await run('service', 'update', 'hello', '--env', 'TARGET=three', '--dry-run');
      expect(r.exitCode, r.stderr).toBe(0);
      // After the change hello-00002 and hello-00001 are non-active: one over the cap of 1 goes.
      expect(r.stdout).toContain('Revision GC: would delete hello-00001.');
      expect(await revisionNames()).toEqual(['hello-00002', 'hello-00001']);
    } finally {
      const now = await cluster.client.get<ConfigMap>(Kinds.configMap, 'knative-serving', 'config-gc');
      await cluster.client.replace(Kinds.configMap, { ...now, data: saved });
    }
  });
});

describe('traffic split --dry-run', () => {
  it('prints the traffic table with tag URLs and writes nothing', async () => {
    const before = await api.getService('hello');
    const r = await run(
      'traffic',
      'split',
      'hello',
      '--tag',
      'hello-00001=stable',
      '--traffic',
      'stable=30,@latest=70',
      '--dry-run',
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('No new revision would be created (the revision template is unchanged).');
    expect(r.stdout).toMatch(/^ {2}70% {2}@latest \(hello-00002\)\s*$/m);
    expect(r.stdout).toMatch(/^ {2}30% {2}hello-00001 +#stable {2}http:\/\/stable-hello\.default\.\S+$/m);
    expect(r.stdout).toMatch(/^\+ +tag: stable$/m);
    const json = await run(
      'traffic',
      'split',
      'hello',
      '--traffic',
      '@latest=100',
      '--dry-run',
      '-o',
      'json',
    );
    expect(json.exitCode, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as Service).spec.traffic).toEqual([
      { latestRevision: true, percent: 100 },
    ]);
    const after = await api.getService('hello');
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.spec.traffic).toEqual(before.spec.traffic);
  });
});

describe('service create|apply|delete --dry-run', () => {
  it('create: names the first revision, diff is all additions, nothing exists afterwards', async () => {
    const r = await run('service', 'create', 'other', '--image', image, '--dry-run');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("Dry run: service 'other' would be created in namespace 'default'");
    expect(r.stdout).toContain("Revision 'other-00001' would be created.");
    expect(r.stdout).toContain('--- /dev/null\n+++ service/other (dry run)\n');
    expect(r.stdout).not.toMatch(/^-(?!--)/m);
    const yamlOut = await run('service', 'create', 'other', '--image', image, '--dry-run', '-o', 'yaml');
    expect(yamlOut.exitCode, yamlOut.stderr).toBe(0);
    expect(yamlOut.stdout).toMatch(/^kind: Service$/m);
    expect(yamlOut.stdout).toMatch(/^ {2}name: other$/m);
    expect((await run('service', 'describe', 'other')).exitCode).toBe(1);
  });

  it('apply: plans an update of an existing service', async () => {
    const r = await run('service', 'apply', 'hello', '--image', image, '--env', 'TARGET=four', '--dry-run');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("Dry run: service 'hello' would be applied in namespace 'default'");
    expect(r.stdout).toContain("Revision 'hello-00003' would be created.");
    expect(await revisionNames()).toEqual(['hello-00002', 'hello-00001']);
  });

  it('delete: lists what goes with the service, and it keeps serving', async () => {
    const r = await run('service', 'delete', 'hello', '--dry-run');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain("Dry run: service 'hello' would be deleted in namespace 'default'");
    expect(r.stdout).toContain(
      'With it would go: configuration/hello, route/hello, revision/hello-00002, revision/hello-00001.',
    );
    expect(r.stdout).toContain('--- service/hello (current)\n+++ /dev/null\n');
    const json = await run('service', 'delete', 'hello', '--dry-run', '-o', 'json');
    expect((JSON.parse(json.stdout) as Service).metadata.name).toBe('hello');
    expect((await api.getService('hello')).metadata.deletionTimestamp).toBeUndefined();
    expect(await answer()).toBe('Hello two!\n');
  });
});

describe('revision delete --dry-run', () => {
  it('checks the delete on the server and keeps the revision', async () => {
    const r = await run('revision', 'delete', 'hello-00001', '--dry-run');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "Dry run: revision 'hello-00001' would be deleted in namespace 'default' (nothing was written).",
    );
    const json = await run('revision', 'delete', 'hello-00001', '--dry-run', '-o', 'json');
    expect((JSON.parse(json.stdout) as Revision).metadata.name).toBe('hello-00001');
    expect(await revisionNames()).toContain('hello-00001');
    // The same checks as a real delete: a routed revision is refused.
    const routed = await run('revision', 'delete', 'hello-00002', '--dry-run');
    expect(routed.exitCode).toBe(1);
    expect(routed.stderr).toMatch(/receives 100% of the traffic/);
  });
});

describe('domain create|update|delete --dry-run', () => {
  it('plans the mapping and stores nothing', async () => {
    const created = await run('domain', 'create', 'hello.example.com', '--ref', 'hello', '--dry-run');
    expect(created.exitCode, created.stderr).toBe(0);
    expect(created.stdout).toContain(
      "Dry run: domain mapping 'hello.example.com' would be created in namespace 'default' (nothing was written).",
    );
    expect(created.stdout).toContain(
      "http://hello.example.com would route to service 'hello' in namespace 'default'.",
    );
    expect(created.stdout).toMatch(/^\+ +name: hello$/m);
    const json = await run(
      'domain',
      'create',
      'hello.example.com',
      '--ref',
      'hello',
      '--dry-run',
      '-o',
      'json',
    );
    expect((JSON.parse(json.stdout) as DomainMapping).spec.ref).toEqual({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      name: 'hello',
      namespace: 'default',
    });
    expect((await api.listDomainMappings()).items).toEqual([]);

    // A real mapping to update and delete in dry runs.
    expect((await run('domain', 'create', 'hello.example.com', '--ref', 'hello')).exitCode).toBe(0);
    const before = await api.getDomainMapping('hello.example.com');
    const upd = await run('domain', 'update', 'hello.example.com', '--tls', 'cert', '--dry-run');
    expect(upd.exitCode, upd.stderr).toBe(0);
    expect(upd.stdout).toMatch(/^\+ +secretName: cert$/m);
    const del = await run('domain', 'delete', 'hello.example.com', '--dry-run');
    expect(del.exitCode, del.stderr).toBe(0);
    expect(del.stdout).toContain("Dry run: domain mapping 'hello.example.com' would be deleted");
    // The reconciler writes status meanwhile; the spec is what a dry run must leave alone.
    const after = await api.getDomainMapping('hello.example.com');
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.deletionTimestamp).toBeUndefined();
  });
});
