import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knlite } from '../cli2/run.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

describe('knlite reconciler manifests', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ reconciler: false, runtime: false, dataplane: false });
  });
  afterAll(async () => cluster?.stop());

  it('prints the CRDs, Knative ConfigMaps and reconciler RBAC as one YAML stream', async () => {
    const res = await knlite(['reconciler', 'manifests']);
    expect(res.exitCode).toBe(0);
    const docs = yaml.loadAll(res.stdout) as any[];
    const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition').map((d) => d.metadata.name);
    expect(crds).toEqual(
      expect.arrayContaining([
        'services.serving.knative.dev',
        'configurations.serving.knative.dev',
        'revisions.serving.knative.dev',
        'routes.serving.knative.dev',
        'domainmappings.serving.knative.dev',
      ]),
    );
    const cms = docs.filter((d) => d.kind === 'ConfigMap').map((d) => d.metadata.name);
    expect(cms).toEqual(
      expect.arrayContaining(['config-domain', 'config-network', 'config-gc', 'config-autoscaler']),
    );
    const role = docs.find((d) => d.kind === 'ClusterRole');
    expect(role.rules.map((r: any) => r.apiGroups[0])).toContain('serving.knative.dev');
    expect(docs.some((d) => d.kind === 'Deployment')).toBe(false);
  });

  it('adds the in-cluster Deployment only with --image, and drops CRDs with --no-crds', async () => {
    const res = await knlite(['reconciler', 'manifests', '--image', 'example.com/knlite:1', '--no-crds']);
    const docs = yaml.loadAll(res.stdout) as any[];
    const dep = docs.find((d) => d.kind === 'Deployment');
    expect(dep.spec.template.spec.containers[0]).toMatchObject({
      image: 'example.com/knlite:1',
      args: ['reconciler', 'run'],
    });
    expect(docs.some((d) => d.kind === 'CustomResourceDefinition')).toBe(false);
  });

  it('applies cleanly with kubectl (CRDs and ConfigMaps) to a Kubernetes API server', async () => {
    const res = await knlite(['reconciler', 'manifests']);
    // The embedded API server does not serve RBAC, so apply everything except RBAC kinds here.
    const docs = (yaml.loadAll(res.stdout) as any[]).filter((d) => !String(d.apiVersion).startsWith('rbac.'));
    const file = join(cluster.home, 'install.yaml');
    writeFileSync(file, docs.map((d) => yaml.dump(d)).join('---\n'));
    // Asynchronous on purpose: the API server runs in this process and must keep answering.
    const out = await promisify(execFile)('kubectl', ['apply', '-f', file, '--request-timeout=30s'], {
      env: cluster.env,
      encoding: 'utf8',
    });
    // kubectl warns (as on any cluster) that pre-installed objects lack last-applied annotations.
    expect(out.stderr).not.toMatch(/error/i);
    expect(out.stdout).toMatch(
      /customresourcedefinition.apiextensions.k8s.io\/services.serving.knative.dev (unchanged|configured)/,
    );
    expect(out.stdout).toMatch(/configmap\/config-gc (unchanged|configured)/);
  });
});
