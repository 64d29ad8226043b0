import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knlite } from '../support/cli.js';
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
    expect(crds).toContain('ingresses.networking.internal.knative.dev');
  });

  it('with --image adds both Deployments (non-root, probes), the gateway Service and a PDB; --no-crds drops CRDs', async () => {
    const res = await knlite([
      'reconciler',
      'manifests',
      '--image',
      'example.com/knlite:1',
      '--no-crds',
      '--gateway-service-type',
      'NodePort',
    ]);
    expect(res.exitCode, res.stderr).toBe(0);
    const docs = yaml.loadAll(res.stdout) as any[];
    const deps = Object.fromEntries(
      docs.filter((d) => d.kind === 'Deployment').map((d) => [d.metadata.name, d]),
    );
    expect(Object.keys(deps).sort()).toEqual(['knlite-gateway', 'knlite-reconciler']);
    expect(deps['knlite-reconciler'].spec.template.spec.containers[0]).toMatchObject({
      image: 'example.com/knlite:1',
      args: ['reconciler', 'run', '--health-port', '8081'],
      readinessProbe: { httpGet: { path: '/readyz', port: 8081 } },
    });
    const gw = deps['knlite-gateway'].spec.template.spec;
    expect(gw.containers[0].args.slice(0, 2)).toEqual(['gateway', 'run']);
    expect(gw.containers[0].livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 9090 } });
    expect(gw.securityContext.runAsNonRoot).toBe(true);
    expect(gw.containers[0].securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(gw.serviceAccountName).toBe('knlite-gateway');
    expect(docs.find((d) => d.kind === 'Service' && d.metadata.name === 'knlite-gateway').spec.type).toBe(
      'NodePort',
    );
    expect(docs.some((d) => d.kind === 'PodDisruptionBudget')).toBe(true);
    expect(docs.some((d) => d.kind === 'CustomResourceDefinition')).toBe(false);
  });

  it('gives the gateway only what it needs: KIngress status, endpoints, /scale, its Lease and reading TLS Secrets', async () => {
    const docs = yaml.loadAll((await knlite(['reconciler', 'manifests', '--no-crds'])).stdout) as any[];
    const role = docs.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'knlite-gateway');
    const can = (group: string, resource: string, verb: string) =>
      role.rules.some(
        (r: any) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
      );
    expect(can('networking.internal.knative.dev', 'ingresses/status', 'update')).toBe(true);
    expect(can('networking.internal.knative.dev', 'ingresses', 'update')).toBe(false);
    expect(can('apps', 'deployments/scale', 'update')).toBe(true);
    expect(can('apps', 'deployments', 'update')).toBe(false);
    expect(can('serving.knative.dev', 'revisions', 'watch')).toBe(true);
    expect(can('serving.knative.dev', 'services', 'create')).toBe(false);
    // The HTTPS port serves the Secrets KIngress spec.tls names: read, never written.
    expect(can('', 'secrets', 'watch')).toBe(true);
    expect(can('', 'secrets', 'create')).toBe(false);
    expect(can('', 'secrets', 'update')).toBe(false);
    const rec = docs.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'knlite-reconciler');
    expect(rec.rules.some((r: any) => r.resources.includes('ingresses') && r.verbs.includes('create'))).toBe(
      true,
    );
  });

  it('applies cleanly with kubectl (CRDs and ConfigMaps) to a Kubernetes API server', async () => {
    const res = await knlite(['reconciler', 'manifests', '--image', 'example.com/knlite:1']);
    // The embedded API server serves neither RBAC nor policy/v1: apply everything else here.
    const docs = (yaml.loadAll(res.stdout) as any[]).filter(
      (d) => !String(d.apiVersion).startsWith('rbac.') && !String(d.apiVersion).startsWith('policy/'),
    );
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
    expect(out.stdout).toMatch(/deployment.apps\/knlite-gateway created/);
    expect(out.stdout).toMatch(/service\/knlite-gateway created/);
  });
});
