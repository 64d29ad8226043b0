/**
 * Cluster problems become one sentence naming the problem and the fix: unreachable API server,
 * rejected token, a cluster without the Knative CRDs, bad kubeconfig selections.
 */
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import type { Kind } from '../../src/lib/kube/kinds.js';
import { waitUntil } from '../support/wait.js';
import { runInProcess } from '../support/cli.js';

let server: ApiServer;
let tmp: string;
let good: string;

const CRD: Kind = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  noun: 'custom resource definition',
  namespaced: false,
};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'knlite-cli-errors-'));
  // A bare API server (no reconciler): enough to talk to, and ours to break.
  server = (await startTestApiServer({ dataDir: join(tmp, 'data'), port: 0 })).server;
  good = join(tmp, 'good.yaml');
  writeFileSync(good, server.kubeconfig());
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function kn(kubeconfig: string, ...argv: string[]) {
  return runInProcess([...argv, '--kubeconfig', kubeconfig]);
}

function withKubeconfig(name: string, edit: (doc: Record<string, any>) => void): string {
  const doc = yaml.load(server.kubeconfig()) as Record<string, any>;
  edit(doc);
  const path = join(tmp, name);
  writeFileSync(path, yaml.dump(doc));
  return path;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('cluster problems', () => {
  it('names an unreachable API server', async () => {
    const port = await closedPort();
    const kc = withKubeconfig(
      'down.yaml',
      (d) => (d.clusters[0].cluster.server = `https://127.0.0.1:${port}`),
    );
    const r = await kn(kc, 'service', 'list');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `Error: cannot reach the Kubernetes API at https://127.0.0.1:${port}: is the cluster running? (knlite cluster start)\n`,
    );
  });

  it('names rejected credentials and the context', async () => {
    const kc = withKubeconfig('badtoken.yaml', (d) => (d.users[0].user = { token: 'expired' }));
    const context = (yaml.load(server.kubeconfig()) as { 'current-context': string })['current-context'];
    const r = await kn(kc, 'service', 'describe', 'x');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `Error: the API server rejected the credentials (expired token?) for context '${context}' at ${server.url}\n`,
    );
  });

  it('names an unknown context and a missing kubeconfig', async () => {
    let r = await kn(good, 'service', 'list', '--context', 'nope');
    expect(r.stderr).toMatch(/^Error: context 'nope' not found in the kubeconfig \(known contexts: .+\)\n$/);
    r = await runInProcess(['service', 'list'], { env: { KUBECONFIG: join(tmp, 'missing-a') } });
    expect(r.stderr).toContain('none of the files in $KUBECONFIG exist');
    r = await kn(join(tmp, 'missing-b'), 'service', 'list');
    expect(r.stderr).toContain(
      `the kubeconfig file ${join(tmp, 'missing-b')} given with --kubeconfig does not exist`,
    );
    const broken = join(tmp, 'broken.yaml');
    writeFileSync(broken, 'clusters: [oops\n');
    r = await kn(broken, 'service', 'list');
    expect(r.stderr).toContain(`cannot read kubeconfig ${broken}`);
    expect(r.exitCode).toBe(1);
  });

  it('names a cluster without the Knative CRDs (last: it deletes them)', async () => {
    let r = await kn(good, 'service', 'list');
    expect(r.stdout).toBe('No services found.\n');
    const client = await ServingClient.connect({ kubeconfig: good });
    try {
      for (const name of ['services', 'revisions', 'routes', 'configurations'])
        await client.deleteObject(CRD, `${name}.serving.knative.dev`, '');
      await waitUntil(
        'the services CRD to be gone',
        async () => (await client.servingVersions()).length === 0 || !(await served(client)),
      );
    } finally {
      client.close();
    }
    r = await kn(good, 'service', 'list');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `Error: the cluster at ${server.url} does not serve serving.knative.dev/v1: install Knative Serving or run \`knlite reconciler manifests | kubectl apply -f -\`\n`,
    );
    r = await kn(good, 'service', 'create', 'x', '--image', 'i', '--no-wait');
    expect(r.stderr).toContain('does not serve serving.knative.dev/v1');
  });
});

async function served(client: ServingClient): Promise<boolean> {
  try {
    await client.listServices();
    return true;
  } catch {
    return false;
  }
}
