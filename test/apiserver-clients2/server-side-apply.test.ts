/**
 * `kubectl apply --server-side` against the embedded API server: managedFields, removal of fields
 * the manager stops applying, conflicts between managers, `--force-conflicts`, list-map merging of
 * containers/env, and updates taking ownership.
 */
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubectlEnv, type KubectlEnv } from '../support/apiserver.js';

let k: KubectlEnv;

beforeAll(async () => {
  k = await startKubectlEnv();
});

afterAll(async () => {
  await k?.close();
});

type Obj = Record<string, any>;

async function getYaml(kind: string, name: string): Promise<Obj> {
  const r = await k.kubectl(['get', kind, name, '-o', 'yaml', '--show-managed-fields']);
  expect(r.stderr).toBe('');
  return yaml.load(r.stdout) as Obj;
}

const configMap = (name: string, data: Record<string, string>, labels?: Record<string, string>) =>
  yaml.dump({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data });

describe('kubectl apply --server-side', () => {
  it('records an Apply managedFields entry and removes fields the manager no longer applies', async () => {
    const first = await k.kubectl(
      ['apply', '--server-side', '-f', '-'],
      configMap('ssa1', { foo: 'a', bar: 'b' }, { app: 'x' }),
    );
    expect(first.stderr).toBe('');
    expect(first.stdout.trim()).toBe('configmap/ssa1 serverside-applied');
    let cm = await getYaml('cm', 'ssa1');
    expect(cm.metadata.managedFields).toHaveLength(1);
    const entry = cm.metadata.managedFields[0];
    expect(entry).toMatchObject({
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'v1',
      fieldsType: 'FieldsV1',
    });
    expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(entry.fieldsV1).toEqual({
      'f:data': { 'f:bar': {}, 'f:foo': {} },
      'f:metadata': { 'f:labels': { 'f:app': {} } },
    });

    const second = await k.kubectl(['apply', '--server-side', '-f', '-'], configMap('ssa1', { foo: 'a' }));
    expect(second.stderr).toBe('');
    cm = await getYaml('cm', 'ssa1');
    expect(cm.data).toEqual({ foo: 'a' });
    expect(cm.metadata.labels).toBeUndefined();
    expect(cm.metadata.managedFields[0].fieldsV1).toEqual({ 'f:data': { 'f:foo': {} } });

    const plain = await k.kubectl(['get', 'cm', 'ssa1', '-o', 'yaml']);
    expect(plain.stdout).not.toContain('managedFields');
  });

  it('refuses a second manager changing an owned field with a 409 naming manager and field', async () => {
    const alice = await k.kubectl(
      ['apply', '--server-side', '--field-manager=alice', '-f', '-'],
      configMap('ssa2', { foo: 'a' }),
    );
    expect(alice.code).toBe(0);
    const bob = await k.kubectl(
      ['apply', '--server-side', '--field-manager=bob', '-f', '-'],
      configMap('ssa2', { foo: 'b' }),
    );
    expect(bob.code).not.toBe(0);
    expect(bob.stderr).toContain('Apply failed with 1 conflict: conflict with "alice": .data.foo');
    expect((await getYaml('cm', 'ssa2')).data).toEqual({ foo: 'a' });

    // Applying the same value is shared ownership, not a conflict.
    const same = await k.kubectl(
      ['apply', '--server-side', '--field-manager=bob', '-f', '-'],
      configMap('ssa2', { foo: 'a', extra: 'x' }),
    );
    expect(same.stderr).toBe('');
    const cm = await getYaml('cm', 'ssa2');
    const managers = cm.metadata.managedFields.map((e: Obj) => e.manager).sort();
    expect(managers).toEqual(['alice', 'bob']);

    const forced = await k.kubectl(
      ['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', '-'],
      configMap('ssa2', { foo: 'b', extra: 'x' }),
    );
    expect(forced.stderr).toBe('');
    const after = await getYaml('cm', 'ssa2');
    expect(after.data).toEqual({ foo: 'b', extra: 'x' });
    // alice lost .data.foo, her only field, so her entry is gone.
    expect(after.metadata.managedFields.map((e: Obj) => e.manager)).toEqual(['bob']);
  });

  it('conflicts with an Update manager (kubectl create) in kube-apiserver wording', async () => {
    expect((await k.kubectl(['create', 'cm', 'ssa3', '--from-literal=foo=a'])).code).toBe(0);
    const cm = await getYaml('cm', 'ssa3');
    expect(cm.metadata.managedFields[0]).toMatchObject({
      manager: 'kubectl-create',
      operation: 'Update',
      fieldsV1: { 'f:data': { '.': {}, 'f:foo': {} } },
    });
    const r = await k.kubectl(['apply', '--server-side', '-f', '-'], configMap('ssa3', { foo: 'b' }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.foo',
    );
  });

  it('merges containers and env by name, keeps fields other managers own, and updates take ownership', async () => {
    const deployment = (env: { name: string; value: string }[]) =>
      yaml.dump({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'ssa4' },
        spec: {
          selector: { matchLabels: { app: 'ssa4' } },
          template: {
            metadata: { labels: { app: 'ssa4' } },
            spec: { containers: [{ name: 'app', image: 'img:1', env, ports: [{ containerPort: 8080 }] }] },
          },
        },
      });
    const a = { name: 'A', value: '1' };
    const b = { name: 'B', value: '2' };
    expect((await k.kubectl(['apply', '--server-side', '-f', '-'], deployment([a, b]))).stderr).toBe('');
    // Another manager (an Update) adds an env var to the same container.
    expect((await k.kubectl(['set', 'env', 'deploy/ssa4', 'C=3'])).code).toBe(0);
    let d = await getYaml('deploy', 'ssa4');
    const set = d.metadata.managedFields.find((e: Obj) => e.manager === 'kubectl-set');
    expect(set.operation).toBe('Update');
    expect(JSON.stringify(set.fieldsV1)).toContain('k:{\\"name\\":\\"C\\"}');
    const applied = d.metadata.managedFields.find((e: Obj) => e.manager === 'kubectl');
    const container = applied.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"app"}'];
    expect(container['.']).toEqual({});
    expect(Object.keys(container['f:ports'])).toEqual(['k:{"containerPort":8080,"protocol":"TCP"}']);

    // Dropping B from the configuration removes it; C belongs to kubectl-set and stays.
    expect((await k.kubectl(['apply', '--server-side', '-f', '-'], deployment([a]))).stderr).toBe('');
    d = await getYaml('deploy', 'ssa4');
    expect(d.spec.template.spec.containers[0].env).toEqual([a, { name: 'C', value: '3' }]);
    // Defaulted fields nobody applies are still there.
    expect(d.spec.replicas).toBe(1);

    // An Update of a field the applier owns takes it over: the applier then conflicts on it.
    expect((await k.kubectl(['set', 'image', 'deploy/ssa4', 'app=img:2'])).code).toBe(0);
    const r = await k.kubectl(['apply', '--server-side', '-f', '-'], deployment([a]));
    expect(r.stderr).toContain(
      'conflict with "kubectl-set" using apps/v1: .spec.template.spec.containers[name="app"].image',
    );
  });

  it('treats a Knative Service traffic list as atomic (its CRD declares no list type)', async () => {
    const svc = (traffic: Obj[]) =>
      yaml.dump({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: { name: 'ssa5' },
        spec: {
          template: { spec: { containers: [{ image: 'img' }] } },
          traffic,
        },
      });
    expect(
      (await k.kubectl(['apply', '--server-side', '-f', '-'], svc([{ latestRevision: true, percent: 100 }])))
        .stderr,
    ).toBe('');
    const ksvc = await getYaml('ksvc', 'ssa5');
    const entry = ksvc.metadata.managedFields.find((e: Obj) => e.manager === 'kubectl');
    expect(entry.fieldsV1['f:spec']['f:traffic']).toEqual({});
    expect(entry.apiVersion).toBe('serving.knative.dev/v1');
  });
});
