/**
 * Network features on the real local cluster (API server, reconciler, runtime, gateway), driven
 * through Knative objects and ConfigMaps: tag-header routing, then HTTPS.
 */
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as h2connect } from 'node:http2';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Certificate, DomainMapping, Route, Service } from '../../src/lib/apis/types.js';
import { issueCertificate, makeCertificateAuthority } from '../../src/lib/controller/certificate/issuer.js';
import { patchConfigData } from '../../src/lib/local/seed.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';
import { send, type Answer } from './helpers.js';

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

function condition(
  obj: { status?: { conditions?: { type: string; status: string; reason?: string }[] } },
  type: string,
) {
  return obj.status?.conditions?.find((c) => c.type === type);
}

/** One HTTPS request to the gateway's TLS port with SNI `host`, trusting `ca`. */
function sendTls(host: string, ca: string, path = '/'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: cluster.gatewayHttpsPort,
        servername: host,
        path,
        ca,
        headers: { host },
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** One HTTP/2-over-TLS (ALPN h2) request. */
function sendH2Tls(host: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${cluster.gatewayHttpsPort}`, { servername: host, ca });
    session.on('error', reject);
    const s = session.request({ ':path': '/', ':authority': host });
    let status = 0;
    let body = '';
    s.on('response', (h) => (status = Number(h[':status'])));
    s.on('data', (c: Buffer) => (body += c));
    s.on('end', () => {
      session.close();
      resolve({ status, body });
    });
    s.on('error', reject);
    s.end();
  });
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

describe('HTTPS', () => {
  it('serves a DomainMapping spec.tls.secretName certificate for the mapped host by SNI, over HTTP/1.1 and h2', async () => {
    const ca = makeCertificateAuthority('test CA');
    const leaf = issueCertificate(ca, ['secure.example.com']);
    const core = cluster.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({
      namespace: 'default',
      body: {
        metadata: { name: 'secure-cert' },
        type: 'kubernetes.io/tls',
        data: {
          'tls.crt': Buffer.from(leaf.certPem).toString('base64'),
          'tls.key': Buffer.from(leaf.keyPem).toString('base64'),
        },
      },
    });
    const dm: DomainMapping = {
      apiVersion: 'serving.knative.dev/v1beta1',
      kind: 'DomainMapping',
      metadata: { name: 'secure.example.com', namespace: 'default' },
      spec: {
        ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'tagged' },
        tls: { secretName: 'secure-cert' },
      },
    };
    await custom.createNamespacedCustomObject({ ...serving('domainmappings', 'v1beta1'), body: dm });
    const mapped = await waitUntil(
      'secure DomainMapping Ready',
      async () => {
        const d = await getObject<DomainMapping>('domainmappings', 'secure.example.com', 'v1beta1');
        return isReady(d) ? d : undefined;
      },
      60_000,
      200,
    );
    expect(mapped.status!.url).toBe(`https://secure.example.com:${cluster.gatewayHttpsPort}`);
    expect(condition(mapped, 'CertificateProvisioned')).toMatchObject({
      status: 'True',
      reason: 'CertificateExternallyProvided',
    });
    const answer = await waitUntil('https answer', async () => {
      const a = await sendTls('secure.example.com', ca.certPem).catch(() => undefined);
      return a?.status === 200 ? a : undefined;
    });
    expect(answer.body).toBe('Hello one! (tagged-00001)\n');
    expect(await sendH2Tls('secure.example.com', ca.certPem)).toEqual({
      status: 200,
      body: 'Hello one! (tagged-00001)\n',
    });
    // No certificate for a host no KIngress names: the handshake fails.
    await expect(sendTls('other.example.com', ca.certPem)).rejects.toThrow();
  }, 120_000);

  it('external-domain-tls issues Route certificates from the local CA; https URLs; http-protocol Redirected answers 301', async () => {
    await patchConfigData(cluster.client, 'config-network', {
      'external-domain-tls': 'Enabled',
      'http-protocol': 'Redirected',
    });
    await custom.createNamespacedCustomObject({
      ...serving('services'),
      body: helloService('secure', 'tls'),
    });
    const route = await waitUntil(
      'secure route Ready over https',
      async () => {
        const r = await getObject<Route>('routes', 'secure');
        return isReady(r) && r.status?.url?.startsWith('https://') ? r : undefined;
      },
      90_000,
      200,
    );
    const host = 'secure.default.localhost';
    expect(route.status!.url).toBe(`https://${host}:${cluster.gatewayHttpsPort}`);
    expect(condition(route, 'CertificateProvisioned')).toMatchObject({ status: 'True' });
    const cert = (await custom.getNamespacedCustomObject({
      group: 'networking.internal.knative.dev',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'certificates',
      name: `route-${route.metadata.uid}`,
    })) as Certificate;
    expect(cert.spec).toMatchObject({ dnsNames: [host], secretName: `route-${route.metadata.uid}` });
    expect(isReady(cert)).toBe(true);

    const ca = readFileSync(cluster.caFile, 'utf8');
    const answer = await waitUntil('https answer', async () => {
      const a = await sendTls(host, ca).catch(() => undefined);
      return a?.status === 200 ? a : undefined;
    });
    expect(answer.body).toBe('Hello tls! (secure-00001)\n');
    const plain = await send(cluster.gatewayPort!, `${host}:${cluster.gatewayPort}`, { path: '/x?y=1' });
    expect(plain.status).toBe(301);
    expect(plain.headers.location).toBe(`https://${host}:${cluster.gatewayHttpsPort}/x?y=1`);
    // Cluster-local names keep plain HTTP.
    expect((await send(cluster.gatewayPort!, 'secure.default.svc.cluster.local')).status).toBe(200);
  }, 180_000);

  it('external-domain-tls gives a DomainMapping without spec.tls a Certificate for its host; https served from it', async () => {
    // Runs after the test above: external-domain-tls Enabled, http-protocol Redirected, ksvc "secure".
    const name = 'auto.example.com';
    const dm: DomainMapping = {
      apiVersion: 'serving.knative.dev/v1beta1',
      kind: 'DomainMapping',
      metadata: { name, namespace: 'default' },
      spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'secure' } },
    };
    await custom.createNamespacedCustomObject({ ...serving('domainmappings', 'v1beta1'), body: dm });
    const mapped = await waitUntil(
      'auto DomainMapping Ready over https',
      async () => {
        const d = await getObject<DomainMapping>('domainmappings', name, 'v1beta1');
        return isReady(d) ? d : undefined;
      },
      90_000,
      200,
    );
    expect(mapped.status!.url).toBe(`https://${name}:${cluster.gatewayHttpsPort}`);
    expect(condition(mapped, 'CertificateProvisioned')).toEqual(expect.objectContaining({ status: 'True' }));
    expect(condition(mapped, 'CertificateProvisioned')?.reason).toBeUndefined();
    const cert = (await custom.getNamespacedCustomObject({
      group: 'networking.internal.knative.dev',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'certificates',
      name,
    })) as Certificate;
    expect(cert.spec).toEqual({ dnsNames: [name], domain: name, secretName: name });
    expect(cert.metadata.labels).toMatchObject({
      'serving.knative.dev/domainMappingUID': name,
      'networking.knative.dev/certificate-type': 'external-domain',
    });
    expect(cert.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'DomainMapping', name });
    expect(isReady(cert)).toBe(true);

    const ca = readFileSync(cluster.caFile, 'utf8');
    const answer = await waitUntil('https answer for the mapped host', async () => {
      const a = await sendTls(name, ca).catch(() => undefined);
      return a?.status === 200 ? a : undefined;
    });
    expect(answer.body).toBe('Hello tls! (secure-00001)\n');
  }, 180_000);
});
