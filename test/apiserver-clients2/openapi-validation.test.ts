/**
 * Complete OpenAPI and strict decoding, through real kubectl: `kubectl explain` of core and
 * Knative kinds, /openapi/v2 paths, and `kubectl apply --validate=strict|warn|ignore` refusing,
 * warning about or silently dropping unknown fields of a Deployment, as kube-apiserver does.
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

/** The field names `kubectl explain` lists under FIELDS. */
function explainedFields(out: string): string[] {
  const fields = out.slice(out.indexOf('FIELDS:'));
  return [...fields.matchAll(/^ {2}(\w+)\t/gm)].map((m) => m[1]);
}

const deployment = (name: string, extra: Record<string, unknown>) =>
  yaml.dump({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'img', ...extra }] },
      },
    },
  });

describe('OpenAPI served to kubectl', () => {
  it('explains pod.spec.containers with every Container field and its description', async () => {
    const r = await k.kubectl(['explain', 'pod.spec.containers']);
    expect(r.stderr).toBe('');
    const fields = explainedFields(r.stdout);
    expect(fields.length).toBeGreaterThan(20);
    for (const f of ['livenessProbe', 'resources', 'securityContext', 'volumeMounts', 'env', 'ports'])
      expect(fields).toContain(f);
    expect(r.stdout).toContain('A single application container that you want to run within a pod.');
    expect(r.stdout).toMatch(/name\t<string> -required-/);
  });

  it('explains nested apps/v1 and coordination fields', async () => {
    const ready = await k.kubectl(['explain', 'deployment.spec.minReadySeconds']);
    expect(ready.stderr).toBe('');
    expect(ready.stdout).toContain('FIELD: minReadySeconds <integer>');
    expect(ready.stdout).toContain('Minimum number of seconds for which a newly created pod should be ready');
    const surge = await k.kubectl(['explain', 'deployment.spec.strategy.rollingUpdate']);
    expect(explainedFields(surge.stdout)).toEqual(['maxSurge', 'maxUnavailable']);
    const lease = await k.kubectl(['explain', 'lease.spec']);
    expect(explainedFields(lease.stdout)).toContain('holderIdentity');
  });

  it('explains Knative kinds from their CRD schemas', async () => {
    const r = await k.kubectl(['explain', 'ksvc.spec.traffic']);
    expect(r.stderr).toBe('');
    expect(explainedFields(r.stdout)).toEqual(expect.arrayContaining(['latestRevision', 'percent', 'tag']));
  });

  it('serves swagger 2.0 paths for every kind at /openapi/v2', async () => {
    const r = await k.kubectl(['get', '--raw', '/openapi/v2']);
    const doc = JSON.parse(r.stdout) as { paths: Record<string, Record<string, any>> };
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    expect(item.patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    expect(item.put.parameters.find((p: any) => p.in === 'body').schema.$ref).toBe(
      '#/definitions/io.k8s.api.apps.v1.Deployment',
    );
    expect(doc.paths['/apis/serving.knative.dev/v1/namespaces/{namespace}/services']).toBeDefined();
    expect(doc.paths['/api/v1/namespaces']).toBeDefined();
  });
});

describe('strict decoding of built-in kinds', () => {
  it('refuses an unknown Deployment field under kubectl’s default (Strict) validation', async () => {
    const r = await k.kubectl(['apply', '-f', '-'], deployment('strict1', { bogus: 1 }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].bogus"',
    );
    expect((await k.kubectl(['get', 'deploy', 'strict1'])).code).not.toBe(0);
  });

  it('warns with --validate=warn and drops the field', async () => {
    const r = await k.kubectl(['apply', '--validate=warn', '-f', '-'], deployment('strict2', { bogus: 1 }));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Warning: unknown field "spec.template.spec.containers[0].bogus"');
    const got = await k.kubectl(['get', 'deploy', 'strict2', '-o', 'json']);
    expect(JSON.parse(got.stdout).spec.template.spec.containers[0]).not.toHaveProperty('bogus');
  });

  it('says nothing with --validate=ignore', async () => {
    const r = await k.kubectl(['apply', '--validate=ignore', '-f', '-'], deployment('strict3', { bogus: 1 }));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('refuses an unknown metadata field of a ConfigMap', async () => {
    const r = await k.kubectl(
      ['apply', '-f', '-'],
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict4\n  colour: red\ndata: {a: b}\n',
    );
    expect(r.stderr).toContain('strict decoding error: unknown field "metadata.colour"');
  });
});
