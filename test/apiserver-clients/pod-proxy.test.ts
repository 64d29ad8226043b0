/**
 * kube's `pods/<name>[:<port>]/proxy` connect subresource on the embedded API server with the local
 * runtime, driven by kubectl: GET and POST reach the pod's app (headers minus the caller's
 * Authorization, the body streamed), an unknown pod is 404, and a frozen pod (scaled to zero with
 * `autoscaling.knlite.dev/frozen-retention`) is thawed by the connection and answers, then frozen
 * again once nothing holds it awake, while its Deployment stays at 0. And `pods/<name>/portforward`
 * over WebSocket, driven by the Python client and client-node: the bytes reach the pod's port and
 * come back, a refused dial is reported on the error channel, bad requests are refused before the
 * upgrade, and kubectl's SPDY port-forward is refused with a Status.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { PortForward } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, Pod } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { clientEnv, kubectl, python, requireKubectl, requirePythonClient } from './clients.js';

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
  requirePythonClient();
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

/** Reads a whole HTTP/1.1 answer of the echo pod sent over a port-forward (`Connection: close`). */
const ECHO_REQUEST = 'GET /forwarded HTTP/1.1\r\nHost: pod\r\nConnection: close\r\n\r\n';

/** Opens a WebSocket to the pod's portforward as client-node would, resolving how the server answered. */
async function portForwardUpgrade(
  query: string,
  protocols: string[],
): Promise<{ status: number; body: string } | { protocol: string }> {
  const opts: WebSocket.ClientOptions = {};
  await cluster.kc.applyToHTTPSOptions(opts);
  const server = cluster.kc.getCurrentCluster()!.server.replace(/^http/, 'ws');
  const ws = new WebSocket(
    `${server}/api/v1/namespaces/default/pods/${pod}/portforward${query}`,
    protocols,
    opts,
  );
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('open', () => {
      resolve({ protocol: ws.protocol });
      ws.close();
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('pods/portforward', () => {
  it("carries the Python client's connection to the pod's port (v4.channel.k8s.io)", async () => {
    const out = await python(
      env,
      [
        'from kubernetes import client, config',
        'from kubernetes.stream import portforward',
        'config.load_kube_config()',
        'v1 = client.CoreV1Api()',
        `pf = portforward(v1.connect_get_namespaced_pod_portforward, ${JSON.stringify(pod)}, "default", ports="8080")`,
        's = pf.socket(8080)',
        `s.sendall(${JSON.stringify(ECHO_REQUEST)}.encode())`,
        'data = b""',
        'while True:',
        '    d = s.recv(65536)',
        '    if not d: break',
        '    data += d',
        'print(data.decode())',
        'print("error:", repr(pf.error(8080)))',
      ].join('\n'),
    );
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^HTTP\/1\.1 200 OK\r?$/m);
    expect(out.stdout).toMatch(/^x-echo: yes\r?$/im);
    expect(out.stdout).toContain('"url":"/forwarded"');
    expect(out.stdout).toContain('error: None');
  });

  it("carries client-node's PortForward, and the WebSocket closes when the pod's side does", async () => {
    const output = new PassThrough();
    let answer = '';
    output.on('data', (c: Buffer) => (answer += c.toString()));
    const input = new PassThrough();
    const ws = (await new PortForward(cluster.kc).portForward(
      'default',
      pod,
      [8080],
      output,
      null,
      input,
    )) as WebSocket;
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    input.write(ECHO_REQUEST);
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toContain('"url":"/forwarded"');
  });

  it('reports a port nothing listens on on its error channel, in the kubelet words', async () => {
    const out = await python(
      env,
      [
        'from kubernetes import client, config',
        'from kubernetes.stream import portforward',
        'import time',
        'config.load_kube_config()',
        'v1 = client.CoreV1Api()',
        `pf = portforward(v1.connect_get_namespaced_pod_portforward, ${JSON.stringify(pod)}, "default", ports="1")`,
        'while pf.connected: time.sleep(0.05)',
        'print(pf.error(1))',
      ].join('\n'),
    );
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(
      new RegExp(
        `^an error occurred forwarding 1 -> 1: error forwarding port 1 to pod ${pod}, uid \\S+: .*ECONNREFUSED`,
      ),
    );
  });

  it('refuses a request without ports, a bad port, another subprotocol and a plain GET before upgrading', async () => {
    const none = await portForwardUpgrade('', ['v4.channel.k8s.io']);
    expect(none).toMatchObject({ status: 400 });
    expect(JSON.parse((none as { body: string }).body)).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: 'query parameter "port" is required',
    });
    const bad = await portForwardUpgrade('?ports=80,x', ['v4.channel.k8s.io']);
    expect(JSON.parse((bad as { body: string }).body).message).toBe('unable to parse "x" as a port');
    const zero = await portForwardUpgrade('?ports=0', []);
    expect(JSON.parse((zero as { body: string }).body).message).toBe('port "0" must be > 0');
    const other = await portForwardUpgrade('?ports=8080', ['v5.channel.k8s.io']);
    expect(other).toMatchObject({ status: 501 });
    expect((other as { body: string }).body).toContain('not the subprotocols [v5.channel.k8s.io]');
    // Offering no subprotocol is the kubelet's binary protocol too; v4 is chosen when offered.
    expect(await portForwardUpgrade('?ports=8080', [])).toEqual({ protocol: '' });
    expect(await portForwardUpgrade('?ports=8080', ['v5.channel.k8s.io', 'v4.channel.k8s.io'])).toEqual({
      protocol: 'v4.channel.k8s.io',
    });
    const plain = await kubectl(env, [
      'get',
      '--raw',
      `/api/v1/namespaces/default/pods/${pod}/portforward?ports=8080`,
    ]);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toContain('Upgrade request required');
  });

  it('refuses kubectl port-forward (SPDY) with a Status that says what is spoken, not a hang', async () => {
    const out = await kubectl(env, ['port-forward', `pod/${pod}`, '0:8080']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('kubectl port-forward speaks SPDY, which this API server does not');
  });
});

describe("the kube layer's dialPod (what the gateway wakes a frozen instance with)", () => {
  it('has the runtime dial a frozen pod, which thaws; a missing pod is a refusal, not an error', async () => {
    await waitUntil('the echo pod frozen', async () => frozen(await thePod()) || undefined, 30_000, 100);
    expect(await cluster.client.dialPod('default', pod, 8080)).toBe(true);
    await waitUntil(
      'the echo pod reported thawed',
      async () => !frozen(await thePod()) || undefined,
      30_000,
      50,
    );
    expect(await cluster.client.dialPod('default', 'nope', 8080)).toBe(false);
  }, 60_000);
});
