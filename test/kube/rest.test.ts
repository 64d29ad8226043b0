import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Deployment } from '../../src/lib/apis/types.js';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../src/lib/kube/errors.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { inClusterConfig } from '../../src/lib/kube/kubeconfig.js';
import { RestClient } from '../../src/lib/kube/rest.js';

let dir: string;
let server: ApiServer;
let rest: RestClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'knlite-kube-rest-'));
  server = (await startTestApiServer({ dataDir: join(dir, 'api'), port: 0 })).server;
  rest = RestClient.fromKubeconfig(server.kubeconfig());
});
afterAll(async () => {
  rest.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const cm = (name: string, data: Record<string, string> = {}): ConfigMap => ({
  metadata: { name, namespace: 'default', labels: { app: 'kube-test' } },
  data,
});

describe('RestClient', () => {
  it('creates, reads, pages, patches and deletes with the error predicates', async () => {
    await rest.create(Kinds.configMap, cm('a', { k: '1' }));
    await rest.create(Kinds.configMap, cm('b'));
    await expect(rest.create(Kinds.configMap, cm('a'))).rejects.toSatisfy(isAlreadyExists);
    const all = await rest.listAll<ConfigMap>(Kinds.configMap, {
      namespace: 'default',
      labelSelector: 'app=kube-test',
      pageSize: 1,
    });
    expect(all.items.map((c) => c.metadata.name).sort()).toEqual(['a', 'b']);

    const a = await rest.get<ConfigMap>(Kinds.configMap, 'default', 'a');
    const stale = { ...a, metadata: { ...a.metadata, resourceVersion: '1' } };
    await expect(rest.replace(Kinds.configMap, stale)).rejects.toSatisfy(isConflict);

    await rest.patch(Kinds.configMap, 'default', 'a', { data: { m: '2' } });
    await rest.patch(Kinds.configMap, 'default', 'a', [{ op: 'add', path: '/data/j', value: '3' }], 'json');
    expect((await rest.get<ConfigMap>(Kinds.configMap, 'default', 'a')).data).toEqual({
      k: '1',
      m: '2',
      j: '3',
    });

    await rest.delete(Kinds.configMap, 'default', 'b');
    await expect(rest.get(Kinds.configMap, 'default', 'b')).rejects.toSatisfy(isNotFound);
  });

  it('dry-runs writes without persisting them', async () => {
    await rest.create(Kinds.configMap, cm('dry'), { dryRun: true });
    await expect(rest.get(Kinds.configMap, 'default', 'dry')).rejects.toSatisfy(isNotFound);
  });

  it('writes replicas through the scale subresource', async () => {
    const labels = { app: 'scaled' };
    const d: Deployment = {
      metadata: { name: 'scaled', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      },
    };
    await rest.create(Kinds.deployment, d);
    await rest.updateScale(Kinds.deployment, 'default', 'scaled', 3);
    expect((await rest.get<Deployment>(Kinds.deployment, 'default', 'scaled')).spec.replicas).toBe(3);
  });
});

describe('inClusterConfig', () => {
  it("reads the service account's token, CA and namespace, and KUBERNETES_SERVICE_HOST/PORT", () => {
    const sa = mkdtempSync(join(tmpdir(), 'knlite-sa-'));
    try {
      writeFileSync(join(sa, 'token'), 'tok\n');
      writeFileSync(join(sa, 'ca.crt'), 'CA');
      writeFileSync(join(sa, 'namespace'), 'knative-serving');
      expect(inClusterConfig({}, sa)).toBeUndefined();
      const conf = inClusterConfig(
        { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
        sa,
      )!;
      expect(conf.server).toBe('https://[fd00::1]:443');
      expect(conf.namespace).toBe('knative-serving');
      expect(conf.tokenFile).toBe(join(sa, 'token'));
      expect(conf.ca?.toString()).toBe('CA');
    } finally {
      rmSync(sa, { recursive: true, force: true });
    }
  });
});
