/**
 * The kubelet's token manager against a real API server: the first token is requested bound to
 * the pod, the volume waits until it is there, it is reused until 80% of its lifetime has passed
 * and then replaced (the old one served meanwhile), and a failed request is the mount error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenManager, TokenUnavailable, type TokenRequester } from '../../src/lib/kubelet/tokens.js';
import { startTestApiServer, type TestServer } from '../support/apiserver.js';
import { waitUntil } from '../support/wait.js';

let t: TestServer;
let uid = '';
let clockMs = Date.now();
const requests: unknown[] = [];
const changes: string[] = [];

const requester: TokenRequester = async (namespace, name, body) => {
  requests.push(body);
  const res = await t.req('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, body);
  if (res.status !== 201) throw new Error(res.body.message);
  return res.body;
};

beforeAll(async () => {
  t = await startTestApiServer({ clock: () => Math.floor(clockMs / 1000) });
  const pod = await t.req('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'x' }] },
  });
  uid = pod.body.metadata.uid;
});

afterAll(async () => {
  await t?.close();
});

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));

describe('TokenManager', () => {
  it('requests a bound token, reuses it, and refreshes it after 80% of its lifetime', async () => {
    const tokens = new TokenManager(
      requester,
      (u) => changes.push(u),
      () => clockMs,
    );
    const pod = { name: 'p', namespace: 'default', uid, podIP: '127.0.0.1' };
    const source = { audience: 'https://kubernetes.default.svc.cluster.local', expirationSeconds: 1000 };
    expect(() => tokens.token(pod, source)).toThrow(TokenUnavailable);
    await waitUntil('first token', () => changes.length === 1, 10_000, 10);
    expect(changes).toEqual([uid]);
    expect(requests[0]).toMatchObject({
      spec: { expirationSeconds: 1000, boundObjectRef: { kind: 'Pod', name: 'p', uid } },
    });
    const first = tokens.token(pod, source);
    expect(claims(first)).toMatchObject({
      sub: 'system:serviceaccount:default:default',
      'kubernetes.io': { pod: { name: 'p', uid } },
    });
    clockMs += 790_000;
    expect(tokens.token(pod, source)).toBe(first);
    expect(requests).toHaveLength(1);
    clockMs += 20_000;
    // Due: the old token is still served while the new one is requested.
    expect(tokens.token(pod, source)).toBe(first);
    await waitUntil('refreshed', () => changes.length === 2, 10_000, 10);
    const second = tokens.token(pod, source);
    expect(second).not.toBe(first);
    expect(claims(second).iat).toBe(Math.floor(clockMs / 1000));
    expect(requests).toHaveLength(2);
    tokens.close();
  });

  it('reports a request that fails as the mount error, for the pod’s own service account', async () => {
    const tokens = new TokenManager(
      requester,
      (u) => changes.push(u),
      () => clockMs,
    );
    const pod = { name: 'p', namespace: 'default', uid, podIP: '127.0.0.1', serviceAccountName: 'nobody' };
    const before = changes.length;
    expect(() => tokens.token(pod, {})).toThrow('waiting for a service account token');
    await waitUntil('answer', () => changes.length === before + 1, 10_000, 10);
    expect(() => tokens.token(pod, {})).toThrow('failed to fetch token: serviceaccounts "nobody" not found');
    expect(() => tokens.token({ ...pod, uid: undefined }, {})).toThrow('waiting for the pod to be created');
    tokens.close();
  });
});
