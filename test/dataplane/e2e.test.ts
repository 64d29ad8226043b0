/**
 * The data plane on the real local cluster: API server, reconciler, local runtime (processes) and
 * gateway, driven through Knative objects and plain HTTP.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, DomainMapping, Route, Service } from '../../src/lib/apis/types.js';
import { patchConfigData } from '../../src/lib/local/seed.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { send, type Answer } from './helpers.js';

const HELLO = pathToFileURL(resolve('examples/hello')).href;
const AUTOSCALE = pathToFileURL(resolve('examples/autoscale')).href;
const A = 'autoscaling.knative.dev/';

let cluster: TestCluster;
let custom: CustomObjectsApi;
let apps: AppsV1Api;

beforeAll(async () => {
  cluster = await startTestCluster();
  custom = cluster.kc.makeApiClient(CustomObjectsApi);
  apps = cluster.kc.makeApiClient(AppsV1Api);
  // A short grace period so scale to zero happens within a test (windows are set per revision).
  await patchConfigData(cluster.client, 'config-autoscaler', { 'scale-to-zero-grace-period': '2s' });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

function makeService(
  name: string,
  container: Record<string, unknown>,
  extra: { annotations?: Record<string, string>; spec?: Record<string, unknown> } = {},
): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: {
      template: {
        metadata: { annotations: extra.annotations ?? {} },
        spec: { containers: [container], ...extra.spec },
      },
    },
  } as Service;
}

async function create(svc: Service): Promise<void> {
  await custom.createNamespacedCustomObject({
    group: 'serving.knative.dev',
    version: 'v1',
    namespace: 'default',
    plural: 'services',
    body: svc,
  });
}

async function getObject<T>(plural: string, name: string, version = 'v1'): Promise<T> {
  return (await custom.getNamespacedCustomObject({
    group: 'serving.knative.dev',
    version,
    namespace: 'default',
    plural,
    name,
  })) as T;
}

function isReady(obj: { status?: { conditions?: { type: string; status: string }[] } }): boolean {
  return obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Waits until the Service is Ready and returns its URL host (with port). */
async function ready(name: string): Promise<string> {
  const svc = await waitUntil(
    `service ${name} Ready`,
    async () => {
      const s = await getObject<Service>('services', name);
      return isReady(s) && s.status?.url ? s : undefined;
    },
    90_000,
    200,
  );
  return new URL(svc.status!.url!).host;
}

/** Sends through the gateway with the Host of a printed URL. */
function get(host: string, path = '/'): Promise<Answer> {
  return send(cluster.gatewayPort!, host, { path });
}

/** Polls until the gateway answers the host with 200 (routing is programmed asynchronously). */
async function answered(host: string, path = '/'): Promise<Answer> {
  return waitUntil(
    `200 from ${host}`,
    async () => {
      const a = await get(host, path);
      return a.status === 200 ? a : undefined;
    },
    60_000,
    100,
  );
}

async function deployment(rev: string): Promise<Deployment> {
  return (await apps.readNamespacedDeployment({
    name: `${rev}-deployment`,
    namespace: 'default',
  })) as unknown as Deployment;
}

describe('local cluster data plane', () => {
  it('curl <printed URL> answers from examples/hello; unknown hosts get 404', async () => {
    await create(makeService('hello', { image: HELLO, env: [{ name: 'TARGET', value: 'e2e' }] }));
    const host = await ready('hello');
    expect(host).toBe(`hello.default.localhost:${cluster.gatewayPort}`);
    expect((await answered(host)).body).toBe('Hello e2e! (hello-00001)\n');
    const unknown = await get(`nope.default.localhost:${cluster.gatewayPort}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('nope.default.localhost');
  }, 120_000);

  it('splits 50/50 between two revisions (35–65% of 200 requests each) while each tag URL gets 100%', async () => {
    const host = await ready('hello');
    const svc = await getObject<Service>('services', 'hello');
    svc.spec.template.spec.containers[0].env = [{ name: 'TARGET', value: 'two' }];
    svc.spec.traffic = [
      { revisionName: 'hello-00001', percent: 50, tag: 'one' },
      { latestRevision: true, percent: 50, tag: 'two' },
    ];
    await custom.replaceNamespacedCustomObject({
      group: 'serving.knative.dev',
      version: 'v1',
      namespace: 'default',
      plural: 'services',
      name: 'hello',
      body: svc,
    });
    const route = await waitUntil(
      'route with two tagged targets',
      async () => {
        const r = await getObject<Route>('routes', 'hello');
        const traffic = r.status?.traffic ?? [];
        const two = traffic.find((t) => t.tag === 'two');
        return isReady(r) && traffic.length === 2 && two?.revisionName === 'hello-00002' && two.url
          ? r
          : undefined;
      },
      90_000,
      200,
    );
    const urls = Object.fromEntries(route.status!.traffic!.map((t) => [t.tag, new URL(t.url!).host]));
    // The gateway's informers see the new Route status shortly after the API does.
    await waitUntil(
      'tag two served by hello-00002',
      async () => (await get(urls.two)).body === 'Hello two! (hello-00002)\n',
    );

    const counts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const a = await get(host);
      expect(a.status).toBe(200);
      counts.set(a.body, (counts.get(a.body) ?? 0) + 1);
    }
    for (const body of ['Hello e2e! (hello-00001)\n', 'Hello two! (hello-00002)\n']) {
      expect(counts.get(body) ?? 0).toBeGreaterThanOrEqual(70);
      expect(counts.get(body) ?? 0).toBeLessThanOrEqual(130);
    }
    for (let i = 0; i < 20; i++) {
      expect((await get(urls.one)).body).toBe('Hello e2e! (hello-00001)\n');
      expect((await get(urls.two)).body).toBe('Hello two! (hello-00002)\n');
    }
  }, 180_000);

  it('serves a DomainMapping host from its target service', async () => {
    await ready('hello');
    const dm: DomainMapping = {
      apiVersion: 'serving.knative.dev/v1beta1',
      kind: 'DomainMapping',
      metadata: { name: 'hello.example.com', namespace: 'default' },
      spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello' } },
    };
    await custom.createNamespacedCustomObject({
      group: 'serving.knative.dev',
      version: 'v1beta1',
      namespace: 'default',
      plural: 'domainmappings',
      body: dm,
    });
    const mapped = await waitUntil(
      'domain mapping Ready',
      async () => {
        const d = await getObject<DomainMapping>('domainmappings', 'hello.example.com', 'v1beta1');
        return isReady(d) && d.status?.url ? d : undefined;
      },
      90_000,
      200,
    );
    const answer = await answered(new URL(mapped.status!.url!).host);
    expect(answer.body).toMatch(/^Hello (e2e|two)! \(hello-0000[12]\)\n$/);
  }, 120_000);

  it('an idle revision with min-scale 0 reaches zero instances, and the next request is answered after a cold start', async () => {
    await create(
      makeService(
        'sleepy',
        { image: HELLO, env: [{ name: 'TARGET', value: 'sleepy' }] },
        { annotations: { [`${A}window`]: '6s' } },
      ),
    );
    const host = await ready('sleepy');
    expect((await answered(host)).body).toBe('Hello sleepy! (sleepy-00001)\n');
    await waitUntil(
      'sleepy scaled to zero',
      async () => {
        const d = await deployment('sleepy-00001');
        return d.spec.replicas === 0 && !d.status?.readyReplicas;
      },
      90_000,
      250,
    );
    const cold = await get(host);
    expect(cold).toMatchObject({ status: 200, body: 'Hello sleepy! (sleepy-00001)\n' });
    expect((await deployment('sleepy-00001')).spec.replicas).toBeGreaterThanOrEqual(1);
  }, 150_000);

  it('with containerConcurrency 1 and 5 parallel clients no instance sees two requests at once; all 200', async () => {
    // The app answers 500 if it ever has two requests in flight (like Knative's conformance image).
    const script = [
      "let n=0;require('http').createServer((q,s)=>{n++;const bad=n>1;",
      "setTimeout(()=>{n--;s.writeHead(bad?500:200);s.end(bad?'concurrent':'ok')},20)})",
      '.listen(process.env.PORT)',
    ].join('');
    await create(
      makeService(
        'single',
        { image: HELLO, command: ['node', '-e', script] },
        {
          annotations: { [`${A}max-scale`]: '2' },
          spec: { containerConcurrency: 1 },
        },
      ),
    );
    const host = await ready('single');
    await answered(host);
    const client = async (): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await get(host)).status);
      return statuses;
    };
    const statuses = (await Promise.all(Array.from({ length: 5 }, client))).flat();
    expect(statuses).toEqual(Array(100).fill(200));
  }, 150_000);

  it('a sustained load on examples/autoscale scales out above one instance and back in afterwards', async () => {
    await create(
      makeService(
        'autoscale',
        { image: AUTOSCALE },
        {
          annotations: {
            [`${A}window`]: '6s',
            [`${A}target`]: '2',
            [`${A}max-scale`]: '3',
            [`${A}min-scale`]: '1',
          },
        },
      ),
    );
    const host = await ready('autoscale');
    await answered(host);
    let loading = true;
    const worker = async (): Promise<void> => {
      while (loading) await get(host, '/?sleep=200');
    };
    const workers = Array.from({ length: 8 }, worker);
    try {
      await waitUntil(
        'more than one ready instance',
        async () => ((await deployment('autoscale-00001')).status?.readyReplicas ?? 0) > 1,
        90_000,
        250,
      );
    } finally {
      loading = false;
      await Promise.all(workers);
    }
    await waitUntil(
      'scaled back in to one instance',
      async () => {
        const d = await deployment('autoscale-00001');
        return d.spec.replicas === 1 && (d.status?.readyReplicas ?? 0) <= 1;
      },
      120_000,
      500,
    );
  }, 240_000);

  it('a slow response past timeoutSeconds gets 504', async () => {
    await create(makeService('slow', { image: AUTOSCALE }, { spec: { timeoutSeconds: 1 } }));
    const host = await ready('slow');
    await answered(host);
    expect(await get(host, '/?sleep=3000')).toMatchObject({ status: 504, body: 'request timeout\n' });
  }, 120_000);

  it('a crashing instance gives 502/503, never a hang', async () => {
    const script =
      "require('http').createServer((q,s)=>{if(q.url==='/crash')process.exit(1);s.end('up')}).listen(process.env.PORT)";
    await create(makeService('crashy', { image: HELLO, command: ['node', '-e', script] }));
    const host = await ready('crashy');
    await answered(host);
    const crashed = await get(host, '/crash');
    expect([502, 503]).toContain(crashed.status);
  }, 120_000);

  it('class hpa with the cpu metric scales out on measured CPU', async () => {
    await create(
      makeService(
        'cpu',
        { image: AUTOSCALE },
        {
          annotations: {
            [`${A}class`]: 'hpa.autoscaling.knative.dev',
            [`${A}metric`]: 'cpu',
            [`${A}target`]: '10',
            [`${A}max-scale`]: '3',
          },
        },
      ),
    );
    const host = await ready('cpu');
    await answered(host);
    let loading = true;
    const worker = async (): Promise<void> => {
      while (loading) await get(host, '/?prime=100000000000000');
    };
    const workers = Array.from({ length: 3 }, worker);
    try {
      await waitUntil(
        'hpa scaled out',
        async () => ((await deployment('cpu-00001')).spec.replicas ?? 0) > 1,
        90_000,
        250,
      );
    } finally {
      loading = false;
      await Promise.all(workers);
    }
  }, 150_000);
});
