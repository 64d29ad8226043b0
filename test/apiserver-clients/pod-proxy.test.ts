/**
 * kube's `pods/<name>[:<port>]/proxy` connect subresource on the embedded API server with the local
 * runtime, driven by kubectl: GET and POST reach the pod's app (headers minus the caller's
 * Authorization, the body streamed), an unknown pod is 404, and a frozen pod (scaled to zero with
 * `autoscaling.knlite.dev/frozen-retention`) is thawed by the connection and answers, then frozen
 * again once nothing holds it awake, while its Deployment stays at 0.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, Pod } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { clientEnv, kubectl, requireKubectl } from './clients.js';

let cluster: TestCluster;
let env: NodeJS.ProcessEnv;
let pod = '';

// Answers every request with what it received, as JSON.
const ECHO = `
const http = require('node:http');
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Echo', 'yes');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
  });
}).listen(Number(process.env.PORT));
`;

const frozen = (p: Pod | undefined) =>
  p?.status?.conditions?.find((c) => c.type === 'knlite.dev/Frozen')?.status === 'True';

async function thePod(): Promise<Pod | undefined> {
  const pods = await cluster.client.list<Pod>(Kinds.pod, { namespace: 'default', labelSelector: 'app=echo' });
  return pods.items[0];
}

beforeAll(async () => {
  requireKubectl();
  cluster = await startTestCluster({ reconciler: false, runtime: true, dataplane: false });
  env = clientEnv(cluster.kubeconfigPath, cluster.home);
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'echo',
      namespace: 'default',
      annotations: { 'autoscaling.knlite.dev/frozen-retention': '10m' },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'echo' } },
      template: {
        metadata: { labels: { app: 'echo' } },
        spec: {
          containers: [
            {
              name: 'main',
              image: 'echo',
              command: [process.execPath, '-e', ECHO],
              ports: [{ containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/', port: 8080 } },
            },
          ],
        },
      },
    },
  } as unknown as Deployment;
  await cluster.client.create(Kinds.deployment, deployment);
  pod = await waitUntil(
    'the echo pod ready',
    async () => {
      const p = await thePod();
      return p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
        ? p.metadata.name!
        : undefined;
    },
    30_000,
    100,
  );
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('pods/proxy', () => {
  it("kubectl get --raw returns the app's answer, without the caller's credentials", async () => {
    const out = await kubectl(env, [
      'get',
      '--raw',
      `/api/v1/namespaces/default/pods/${pod}/proxy/hello?x=1&y=a%20b`,
    ]);
    expect(out.code, out.stderr).toBe(0);
    const echo = JSON.parse(out.stdout) as { method: string; url: string; headers: Record<string, string> };
    expect(echo.method).toBe('GET');
    // kubectl adds its own timeout parameter and re-encodes the query; the pod gets all of it.
    const url = new URL(echo.url, 'http://pod');
    expect(url.pathname).toBe('/hello');
    expect([url.searchParams.get('x'), url.searchParams.get('y')]).toEqual(['1', 'a b']);
    expect(echo.headers.authorization).toBeUndefined();
    expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
    // Without a path after proxy (and with the port named), the pod is asked for /.
    const root = await kubectl(env, ['get', '--raw', `/api/v1/namespaces/default/pods/${pod}:8080/proxy`]);
    expect(root.code, root.stderr).toBe(0);
    expect((JSON.parse(root.stdout) as { url: string }).url).toMatch(/^\/(\?|$)/);
  });

  it('forwards a POST with its body', async () => {
    const file = join(cluster.home, 'body.json');
    writeFileSync(file, JSON.stringify({ greeting: 'hi there' }));
    const out = await kubectl(env, [
      'create',
      '--raw',
      `/api/v1/namespaces/default/pods/${pod}/proxy/submit`,
      '-f',
      file,
    ]);
    expect(out.code, out.stderr).toBe(0);
    const echo = JSON.parse(out.stdout) as { method: string; url: string; body: string };
    expect(echo.method).toBe('POST');
    expect(echo.url).toMatch(/^\/submit(\?|$)/);
    expect(JSON.parse(echo.body)).toEqual({ greeting: 'hi there' });
  });

  it('answers an unknown pod with 404 NotFound', async () => {
    const out = await kubectl(env, ['get', '--raw', '/api/v1/namespaces/default/pods/nope/proxy/']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/pods "nope" not found/);
  });

  it('answers a port nothing listens on with 503 error trying to reach service', async () => {
    const out = await kubectl(env, ['get', '--raw', `/api/v1/namespaces/default/pods/${pod}:1/proxy/`]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/error trying to reach service: .*ECONNREFUSED/);
  });

  it('thaws a frozen pod, which answers and is frozen again while its Deployment stays at 0', async () => {
    await cluster.client.request('PATCH', `/apis/apps/v1/namespaces/default/deployments/echo/scale`, {
      body: { spec: { replicas: 0 } },
      contentType: 'application/merge-patch+json',
    });
    await waitUntil('the echo pod frozen', async () => frozen(await thePod()) || undefined, 30_000, 100);
    expect((await thePod())?.metadata.name).toBe(pod);

    const out = await kubectl(env, ['get', '--raw', `/api/v1/namespaces/default/pods/${pod}/proxy/wake`]);
    expect(out.code, out.stderr).toBe(0);
    expect((JSON.parse(out.stdout) as { url: string }).url).toMatch(/^\/wake(\?|$)/);
    // The same pod answered (no new one), and nothing scaled the Deployment up.
    const after = await thePod();
    expect(after?.metadata.name).toBe(pod);
    const d = await cluster.client.get<Deployment>(Kinds.deployment, 'default', 'echo');
    expect(d.spec.replicas).toBe(0);
    // Reported thawed (ready, no Frozen condition) while the connection's hold lasts...
    await waitUntil(
      'the echo pod reported thawed',
      async () => {
        const p = await thePod();
        return !frozen(p) && p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      },
      30_000,
      50,
    );
    // ...and with nothing holding it awake afterwards, at 0 replicas it is frozen again, the same pod.
    await waitUntil(
      'the echo pod frozen again',
      async () => {
        const p = await thePod();
        return p?.metadata.name === pod && frozen(p) ? true : undefined;
      },
      30_000,
      100,
    );
  }, 60_000);
});
