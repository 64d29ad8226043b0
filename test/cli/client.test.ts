/**
 * The client layer: kubeconfig resolution (merge order, relative file references, context and
 * namespace selection), error translation, and ServingClient against a real API server — conflict
 * retries that let concurrent updates all land, and the watch-based wait.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../src/lib/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';
import { KnError, toKnError } from '../../src/lib/client/errors.js';
import { ApiError } from '../../src/lib/kube/errors.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import type { RestClient } from '../../src/lib/kube/rest.js';
import { kubeconfigPaths, loadKubeconfig, resolveKubeconfig } from '../../src/lib/kube/kubeconfig.js';
import { ServingClient } from '../../src/lib/client/serving-client.js';
import type { Service } from '../../src/lib/apis/types.js';
import { makeService } from '../../src/lib/cli/service-edit.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'knlite-cli-client-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeKc(name: string, doc: object): string {
  const p = join(tmp, name);
  writeFileSync(p, yaml.dump(doc));
  return p;
}

describe('kubeconfig', () => {
  it('merges $KUBECONFIG files first-wins and resolves relative paths against their file', () => {
    mkdirSync(join(tmp, 'sub'), { recursive: true });
    writeFileSync(join(tmp, 'sub', 'ca.pem'), 'CA');
    writeFileSync(join(tmp, 'sub', 'token'), 'from-file\n');
    const a = writeKc('sub/a.yaml', {
      'current-context': 'one',
      clusters: [{ name: 'c1', cluster: { server: 'https://one:6443/', 'certificate-authority': 'ca.pem' } }],
      users: [{ name: 'u1', user: { tokenFile: 'token' } }],
      contexts: [{ name: 'one', context: { cluster: 'c1', user: 'u1', namespace: 'team' } }],
    });
    const b = writeKc('b.yaml', {
      'current-context': 'two',
      clusters: [
        { name: 'c1', cluster: { server: 'https://shadowed' } },
        {
          name: 'c2',
          cluster: {
            server: 'https://two',
            'insecure-skip-tls-verify': true,
            'certificate-authority-data': Buffer.from('CA2').toString('base64'),
          },
        },
      ],
      users: [
        {
          name: 'u2',
          user: {
            token: 'tok',
            'client-certificate-data': Buffer.from('CERT').toString('base64'),
            'client-key-data': Buffer.from('KEY').toString('base64'),
          },
        },
      ],
      contexts: [
        { name: 'two', context: { cluster: 'c2', user: 'u2' } },
        { name: 'exec', context: { cluster: 'c2', user: 'e' } },
      ],
    });
    const env = { KUBECONFIG: [a, join(tmp, 'absent.yaml'), b].join(':') };
    expect(kubeconfigPaths({ env })).toEqual([a, b]);
    const one = resolveKubeconfig([a, b]);
    expect(one).toMatchObject({
      contextName: 'one',
      server: 'https://one:6443',
      namespace: 'team',
      tokenFile: join(tmp, 'sub', 'token'),
      insecureSkipTlsVerify: false,
    });
    expect(one.ca?.toString()).toBe('CA');
    const two = resolveKubeconfig([a, b], 'two');
    expect(two).toMatchObject({
      server: 'https://two',
      namespace: 'default',
      token: 'tok',
      insecureSkipTlsVerify: true,
      needsClientNode: false,
    });
    expect([two.ca?.toString(), two.cert?.toString(), two.key?.toString()]).toEqual(['CA2', 'CERT', 'KEY']);
    expect(() => resolveKubeconfig([a, b], 'nope')).toThrow(
      "context 'nope' not found in the kubeconfig (known contexts: one, two, exec)",
    );
  });

  it('flags exec and auth-provider users for client-node', () => {
    const p = writeKc('exec.yaml', {
      'current-context': 'x',
      clusters: [{ name: 'c', cluster: { server: 'https://x' } }],
      users: [
        {
          name: 'u',
          user: { exec: { command: 'get-token', apiVersion: 'client.authentication.k8s.io/v1' } },
        },
      ],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    });
    expect(resolveKubeconfig([p]).needsClientNode).toBe(true);
  });

  it('explains missing files and contexts', async () => {
    await expect(loadKubeconfig({ env: { KUBECONFIG: join(tmp, 'none.yaml') } })).rejects.toThrow(
      'none of the files in $KUBECONFIG exist',
    );
    const p = writeKc('nocurrent.yaml', { clusters: [], contexts: [] });
    expect(() => resolveKubeconfig([p])).toThrow('has no current-context: pass --context');
  });
});

describe('toKnError', () => {
  const ctx = { kind: 'service', name: 'x', namespace: 'y', server: 'https://k:6443', context: 'dev' };
  it.each<[unknown, string, string]>([
    [
      new ApiError(
        404,
        { reason: 'NotFound', details: { name: 'x', kind: 'services' } },
        'GET',
        '/apis/serving.knative.dev/v1/namespaces/y/services/x',
      ),
      'NotFound',
      "service 'x' not found in namespace 'y'",
    ],
    [
      new ApiError(
        404,
        { message: '404 page not found' },
        'GET',
        '/apis/serving.knative.dev/v1/namespaces/y/services',
      ),
      'ServingNotInstalled',
      'does not serve serving.knative.dev/v1',
    ],
    [
      new ApiError(401, { reason: 'Unauthorized' }, 'GET', '/'),
      'Unauthorized',
      "the API server rejected the credentials (expired token?) for context 'dev' at https://k:6443",
    ],
    [
      new ApiError(
        400,
        {
          reason: 'BadRequest',
          message: 'admission webhook "validation.webhook.serving.knative.dev" denied the request: x',
        },
        'POST',
        '/',
      ),
      'AdmissionDenied',
      'admission webhook "validation.webhook.serving.knative.dev" denied the request: x',
    ],
    [
      new ApiError(409, { reason: 'AlreadyExists', details: { name: 'x' } }, 'POST', '/'),
      'AlreadyExists',
      "service 'x' already exists in namespace 'y'",
    ],
    [
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'Unreachable',
      'cannot reach the Kubernetes API at https://k:6443: is the cluster running? (knlite cluster start)',
    ],
    [
      Object.assign(new Error('self signed'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      'TlsError',
      'cannot verify the TLS certificate of https://k:6443',
    ],
  ])('%s → %s', (err, name, message) => {
    const kn = toKnError(err, ctx);
    expect(kn).toBeInstanceOf(KnError);
    expect(kn.name).toBe(name);
    expect(kn.message).toContain(message);
    expect(kn.exitCode).toBe(1);
  });
});

describe('ServingClient against the API server', () => {
  let server: ApiServer;
  let client: ServingClient;
  beforeAll(async () => {
    server = (await startTestApiServer({ dataDir: join(tmp, 'data'), port: 0 })).server;
    client = await ServingClient.connect({
      kubeconfig: writeKc('server.yaml', yaml.load(server.kubeconfig()) as object),
      namespace: 'default',
    });
  }, 60_000);
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  const base = (name: string): Service => {
    const s = makeService(name, 'default');
    s.spec.template.spec.containers[0].image = 'img';
    return s;
  };

  it('authenticates exec-plugin users through client-node, loaded on demand', async () => {
    const doc = yaml.load(server.kubeconfig()) as { users: { user: Record<string, unknown> }[] };
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: { token: server.token },
    });
    doc.users[0].user = {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`],
        interactiveMode: 'Never',
      },
    };
    const execClient = await ServingClient.connect({ kubeconfig: writeKc('exec-user.yaml', doc) });
    try {
      expect((await execClient.listServices()).kind).toBe('ServiceList');
    } finally {
      execClient.close();
    }
  });

  it('lands concurrent read-modify-write updates by retrying on 409', async () => {
    await client.createService(base('race'));
    const writers = ['A', 'B', 'C', 'D'].map((name) =>
      client.updateServiceWithRetry('race', (svc) => {
        const c = svc.spec.template.spec.containers[0];
        c.env = [...(c.env ?? []), { name, value: '1' }];
      }),
    );
    await Promise.all(writers);
    const env = (await client.getService('race')).spec.template.spec.containers[0]
      .env!.map((e) => e.name)
      .sort();
    expect(env).toEqual(['A', 'B', 'C', 'D']);
  });

  it('waits by watching until Ready is True or False for the generation, and times out clearly', async () => {
    const created = await client.createService(base('waiter'));
    const messages: string[] = [];
    const waiting = client.waitForService('waiter', {
      generation: 1,
      timeoutMs: 20_000,
      windowMs: 0,
      onProgress: (m) => messages.push(m),
    });
    // Play reconciler: an intermediate Unknown, then Ready=True, written through /status.
    const setStatus = async (status: Service['status']) => {
      const latest = await client.getService('waiter');
      await (client as unknown as { rest: RestClient }).rest.replaceStatus(Kinds.service, {
        ...latest,
        status,
      });
    };
    await setStatus({
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'Unknown', message: 'working' }],
    });
    await setStatus({
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'True' }],
      latestReadyRevisionName: 'waiter-00001',
    });
    const result = await waiting;
    expect(result.ready).toBe(true);
    expect(messages).toContain('working');
    expect(messages.at(-1)).toBe('Ready to serve.');
    expect(created.metadata.generation).toBe(1);

    // Already ready: returns at once (no event needed).
    expect((await client.waitForService('waiter', { generation: 1, timeoutMs: 5_000 })).ready).toBe(true);
    // Failed: returns not ready with reason and message.
    await setStatus({
      observedGeneration: 1,
      conditions: [{ type: 'Ready', status: 'False', reason: 'RevisionFailed', message: 'boom' }],
    });
    expect(
      await client.waitForService('waiter', { generation: 1, timeoutMs: 5_000, windowMs: 0 }),
    ).toMatchObject({ ready: false, reason: 'RevisionFailed', message: 'boom' });
    // A generation nobody reconciles: timeout with kn's message.
    await expect(client.waitForService('waiter', { generation: 2, timeoutMs: 300 })).rejects.toThrow(
      "timeout: service 'waiter' not ready after 0 seconds",
    );
    await expect(client.waitForService('nope', { generation: 1, timeoutMs: 1000 })).rejects.toThrow(
      "service 'nope' not found in namespace 'default'",
    );
  });
});
