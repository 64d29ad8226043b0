/**
 * Network features on the real local cluster (API server, reconciler, runtime, gateway), driven
 * through Knative objects and ConfigMaps: tag-header routing, then HTTPS.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Route, Service } from '../../src/lib/apis/types.js';
import { patchConfigData } from '../../src/lib/local/seed.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { send } from './helpers.js';

const HELLO = pathToFileURL(resolve('examples/hello')).href;

let cluster: TestCluster;
let custom: CustomObjectsApi;

beforeAll(async () => {
  cluster = await startTestCluster();
  custom = cluster.kc.makeApiClient(CustomObjectsApi);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const serving = (plural: string, version = 'v1') => ({
  group: 'serving.knative.dev',
  version,
  namespace: 'default',
  plural,
});

async function getObject<T>(plural: string, name: string, version = 'v1'): Promise<T> {
  return (await custom.getNamespacedCustomObject({ ...serving(plural, version), name })) as T;
}

function isReady(obj: { status?: { conditions?: { type: string; status: string }[] } }): boolean {
  return obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function helloService(name: string, target: string): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: {
      template: { spec: { containers: [{ image: HELLO, env: [{ name: 'TARGET', value: target }] }] } },
    },
  } as Service;
}

describe('tag-header-based-routing', () => {
  it('Knative-Serving-Tag on the default host reaches that tag; an unknown tag gets the default split', async () => {
    await patchConfigData(cluster.client, 'config-features', { 'tag-header-based-routing': 'Enabled' });
    await custom.createNamespacedCustomObject({
      ...serving('services'),
      body: helloService('tagged', 'one'),
    });
    await waitUntil(
      'tagged-00001 Ready',
      async () => isReady(await getObject('services', 'tagged')),
      90_000,
      200,
    );
    const svc = await getObject<Service>('services', 'tagged');
    svc.spec.template.spec.containers[0].env = [{ name: 'TARGET', value: 'two' }];
    svc.spec.traffic = [
      { revisionName: 'tagged-00001', percent: 100, tag: 'old' },
      { latestRevision: true, percent: 0, tag: 'new' },
    ];
    await custom.replaceNamespacedCustomObject({ ...serving('services'), name: 'tagged', body: svc });
    const route = await waitUntil(
      'route with tag new on tagged-00002',
      async () => {
        const r = await getObject<Route>('routes', 'tagged');
        const next = r.status?.traffic?.find((t) => t.tag === 'new');
        return isReady(r) && next?.revisionName === 'tagged-00002' ? r : undefined;
      },
      90_000,
      200,
    );
    const host = new URL(route.status!.url!).host;
    const get = async (tag?: string) =>
      (await send(cluster.gatewayPort!, host, { headers: tag ? { 'Knative-Serving-Tag': tag } : {} })).body;
    // The gateway is programmed from the KIngress shortly after the Route reports it.
    await waitUntil('tag header routed', async () => (await get('new')) === 'Hello two! (tagged-00002)\n');
    for (let i = 0; i < 10; i++) {
      expect(await get()).toBe('Hello one! (tagged-00001)\n');
      expect(await get('new')).toBe('Hello two! (tagged-00002)\n');
      expect(await get('old')).toBe('Hello one! (tagged-00001)\n');
      expect(await get('nope')).toBe('Hello one! (tagged-00001)\n');
    }
  }, 180_000);
});
