/**
 * Service-account tokens and RBAC on the embedded API server: a TokenRequest returns a signed
 * JWT the server accepts for as long as the token is within its lifetime, names one of the
 * server's audiences, and its service account (and bound pod) still exist with the same uid; the
 * token's user may do only what Roles and ClusterRoles bound to it allow, with kube's 403 wording,
 * and `kubectl auth can-i --token` and the Python client see exactly that.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestApiServer, type Res, type TestServer } from '../support/apiserver.js';
import { clientEnv, kubectl, python, requireKubectl, requirePythonClient } from './clients.js';

let t: TestServer;
let home = '';
let env: NodeJS.ProcessEnv;
let now = Math.floor(Date.now() / 1000);

const NS = 'team';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'example.com/x' }] },
});

async function ok(method: string, path: string, body?: unknown): Promise<Res> {
  const res = await t.req(method, path, body);
  expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  return res;
}

async function tokenFor(sa: string, spec: Record<string, unknown> = {}, ns = NS): Promise<string> {
  const res = await ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec,
  });
  return res.body.status.token as string;
}

const as = (token: string, method: string, path: string, body?: unknown): Promise<Res> =>
  request(t.server, method, path, body, { authorization: `Bearer ${token}` });

const claims = (token: string): Record<string, any> =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

beforeAll(async () => {
  requireKubectl();
  requirePythonClient();
  home = mkdtempSync(join(tmpdir(), 'knlite-satoken-'));
  t = await startTestApiServer({ dataDir: join(home, 'data'), clock: () => now });
  const kubeconfigPath = join(home, 'kubeconfig');
  writeFileSync(kubeconfigPath, t.server.kubeconfig(), { mode: 0o600 });
  env = clientEnv(kubeconfigPath, home);
  await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await ok('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'reader' },
  });
  await ok('POST', `${RBAC}/namespaces/${NS}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'pod-reader' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
  });
  await ok('POST', `${RBAC}/namespaces/${NS}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'reader-pods' },
    subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: NS }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
  });
  await ok('POST', `/api/v1/namespaces/${NS}/pods`, pod('p1'));
});

afterAll(async () => {
  await t?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('TokenRequest', () => {
  it('issues an RS256 JWT with kube claims, signed by a key kept 0600 in the data dir', async () => {
    const res = await ok('POST', `/api/v1/namespaces/${NS}/serviceaccounts/reader/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {},
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600 },
    });
    const token = res.body.status.token as string;
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toMatchObject({
      alg: 'RS256',
    });
    const sa = (await ok('GET', `/api/v1/namespaces/${NS}/serviceaccounts/reader`)).body;
    const c = claims(token);
    expect(c).toMatchObject({
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: `system:serviceaccount:${NS}:reader`,
      aud: ['https://kubernetes.default.svc.cluster.local'],
      iat: now,
      nbf: now,
      exp: now + 3600,
      'kubernetes.io': { namespace: NS, serviceaccount: { name: 'reader', uid: sa.metadata.uid } },
    });
    expect(Date.parse(res.body.status.expirationTimestamp) / 1000).toBe(now + 3600);
    expect(statSync(join(t.dir, 'sa.key')).mode & 0o777).toBe(0o600);
  });

  it('refuses a missing service account (404) and a lifetime under 10 minutes (422)', async () => {
    const missing = await t.req('POST', `/api/v1/namespaces/${NS}/serviceaccounts/nobody/token`, {
      spec: {},
    });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('serviceaccounts "nobody" not found');
    const short = await t.req('POST', `/api/v1/namespaces/${NS}/serviceaccounts/reader/token`, {
      spec: { expirationSeconds: 500 },
    });
    expect(short.status).toBe(422);
    expect(short.body.message).toContain(
      'spec.expirationSeconds: Invalid value: 500: may not specify a duration less than 10 minutes',
    );
  });

  it('seeds the default ServiceAccount in every namespace, new ones included', async () => {
    for (const ns of ['default', 'kube-system', NS])
      expect((await t.req('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status).toBe(200);
  });

  it('binds a token to a pod and says so in the claims', async () => {
    const p = (await ok('GET', `/api/v1/namespaces/${NS}/pods/p1`)).body;
    const token = await tokenFor('reader', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1' } });
    expect(claims(token)['kubernetes.io'].pod).toEqual({ name: 'p1', uid: p.metadata.uid });
    const who = await as(token, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(who.body.status.userInfo).toMatchObject({
      username: `system:serviceaccount:${NS}:reader`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/pod-name': ['p1'] },
    });
  });
});

describe('authorization of a service-account token', () => {
  it('may list pods where its Role allows, nothing else, with kube’s 403 wording', async () => {
    const token = await tokenFor('reader');
    const pods = await as(token, 'GET', `/api/v1/namespaces/${NS}/pods`);
    expect(pods.status).toBe(200);
    expect(pods.body.items.map((p: any) => p.metadata.name)).toEqual(['p1']);
    expect((await as(token, 'GET', `/api/v1/namespaces/${NS}/pods/p1`)).status).toBe(200);

    const secrets = await as(token, 'GET', `/api/v1/namespaces/${NS}/secrets`);
    expect(secrets.status).toBe(403);
    expect(secrets.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      details: { kind: 'secrets' },
      message: `secrets is forbidden: User "system:serviceaccount:${NS}:reader" cannot list resource "secrets" in API group "" in the namespace "${NS}"`,
    });
    const other = await as(token, 'GET', '/api/v1/namespaces/default/pods');
    expect(other.status).toBe(403);
    expect(other.body.message).toBe(
      `pods is forbidden: User "system:serviceaccount:${NS}:reader" cannot list resource "pods" in API group "" in the namespace "default"`,
    );
    const del = await as(token, 'DELETE', `/api/v1/namespaces/${NS}/pods/p1`);
    expect(del.status).toBe(403);
    expect(del.body.message).toBe(
      `pods "p1" is forbidden: User "system:serviceaccount:${NS}:reader" cannot delete resource "pods" in API group "" in the namespace "${NS}"`,
    );
    const log = await as(token, 'GET', `/api/v1/namespaces/${NS}/pods/p1/log`);
    expect(log.status).toBe(403);
    expect(log.body.message).toContain('cannot get resource "pods/log" in API group ""');
    const nss = await as(token, 'GET', '/api/v1/namespaces');
    expect(nss.body.message).toBe(
      `namespaces is forbidden: User "system:serviceaccount:${NS}:reader" cannot list resource "namespaces" in API group "" at the cluster scope`,
    );
    // The pod is still there: a denied request changes nothing.
    expect((await t.req('GET', `/api/v1/namespaces/${NS}/pods/p1`)).status).toBe(200);
  });

  it('may read discovery and /version, and gets 401 without a token', async () => {
    const token = await tokenFor('default');
    for (const p of ['/api', '/api/v1', '/apis', '/apis/apps/v1', '/version', '/openapi/v3'])
      expect((await as(token, 'GET', p)).status, p).toBe(200);
    const other = await as(token, 'GET', '/metrics');
    expect(other.status).toBe(403);
    expect(other.body.message).toBe(
      `forbidden: User "system:serviceaccount:${NS}:default" cannot get path "/metrics"`,
    );
    expect(
      (await request(t.server, 'GET', '/api/v1/namespaces/team/pods', undefined, { authorization: '' }))
        .status,
    ).toBe(401);
  });

  it('follows a RoleBinding to a ClusterRole, resourceNames, subresources and ClusterRoleBinding groups', async () => {
    await ok('POST', `${RBAC}/clusterroles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'one-secret-and-logs' },
      rules: [
        { apiGroups: [''], resources: ['secrets'], resourceNames: ['s1'], verbs: ['get'] },
        { apiGroups: ['*'], resources: ['*/log'], verbs: ['get'] },
        { nonResourceURLs: ['/metrics'], verbs: ['get'] },
      ],
    });
    await ok('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'logger' },
    });
    await ok('POST', `/api/v1/namespaces/${NS}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1' },
      stringData: { a: 'b' },
    });
    await ok('POST', `${RBAC}/namespaces/${NS}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'logger' },
      subjects: [{ kind: 'ServiceAccount', name: 'logger' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'one-secret-and-logs' },
    });
    const token = await tokenFor('logger');
    expect((await as(token, 'GET', `/api/v1/namespaces/${NS}/secrets/s1`)).status).toBe(200);
    expect((await as(token, 'GET', `/api/v1/namespaces/${NS}/secrets/s2`)).status).toBe(403);
    expect((await as(token, 'GET', `/api/v1/namespaces/${NS}/secrets`)).status).toBe(403);
    // pods/log is allowed (the pod runs nowhere, so the answer is not 403), pods are not.
    expect((await as(token, 'GET', `/api/v1/namespaces/${NS}/pods/p1/log`)).status).not.toBe(403);
    expect((await as(token, 'GET', `/api/v1/namespaces/${NS}/pods/p1`)).status).toBe(403);
    // A RoleBinding grants no non-resource URLs and nothing outside its namespace.
    expect((await as(token, 'GET', '/metrics')).status).toBe(403);
    expect((await as(token, 'GET', '/api/v1/namespaces/default/secrets/s1')).status).toBe(403);

    await ok('POST', `${RBAC}/clusterrolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'all-sa-metrics' },
      subjects: [
        { kind: 'Group', name: `system:serviceaccounts:${NS}`, apiGroup: 'rbac.authorization.k8s.io' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'one-secret-and-logs' },
    });
    expect((await as(token, 'GET', '/metrics')).status).not.toBe(403);
    await ok('DELETE', `${RBAC}/clusterrolebindings/all-sa-metrics`);
    expect((await as(token, 'GET', '/metrics')).status).toBe(403);
  });

  it('kubectl auth can-i --token answers from the same rules; kubectl shows the bindings', async () => {
    const token = await tokenFor('reader');
    const yes = await kubectl(env, ['auth', 'can-i', 'list', 'pods', '-n', NS, '--token', token]);
    expect(yes.stdout.trim(), yes.stderr).toBe('yes');
    expect(yes.code).toBe(0);
    const no = await kubectl(env, ['auth', 'can-i', 'list', 'secrets', '-n', NS, '--token', token]);
    expect(no.stdout.trim()).toBe('no');
    expect(no.code).toBe(1);
    const elsewhere = await kubectl(env, ['auth', 'can-i', 'get', 'pods', '-n', 'default', '--token', token]);
    expect(elsewhere.stdout.trim()).toBe('no');
    const list = await kubectl(env, ['auth', 'can-i', '--list', '-n', NS, '--token', token]);
    expect(list.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list\]$/m);
    const get = await kubectl(env, ['get', 'pods', '-n', NS, '--token', token]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toMatch(/^p1\s/m);
    const denied = await kubectl(env, ['get', 'secrets', '-n', NS, '--token', token]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      `Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:${NS}:reader" cannot list resource "secrets" in API group "" in the namespace "${NS}"`,
    );
    const rb = await kubectl(env, ['get', 'rolebindings', '-n', NS, '-o', 'wide']);
    expect(rb.code, rb.stderr).toBe(0);
    expect(rb.stdout).toMatch(/^reader-pods\s+Role\/pod-reader\s+\S+\s+\s*team\/reader\s*$/m);
    const exec = await kubectl(env, ['exec', 'p1', '-n', NS, '--token', token, '--', 'true']);
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain(
      `pods "p1" is forbidden: User "system:serviceaccount:${NS}:reader" cannot create resource "pods/exec" in API group "" in the namespace "${NS}"`,
    );
    const created = await kubectl(env, ['create', 'token', 'reader', '-n', NS, '--duration', '20m']);
    expect(created.code, created.stderr).toBe(0);
    expect(claims(created.stdout.trim()).exp - claims(created.stdout.trim()).iat).toBe(1200);
  });

  it('the Python client lists pods with the token and gets 403 for secrets', async () => {
    const token = await tokenFor('reader');
    const script = [
      'from kubernetes import client, config',
      'from kubernetes.client.rest import ApiException',
      'config.load_kube_config()',
      'c = client.Configuration.get_default_copy()',
      `c.api_key = {"authorization": "Bearer ${token}"}`,
      'v1 = client.CoreV1Api(client.ApiClient(c))',
      `print([p.metadata.name for p in v1.list_namespaced_pod("${NS}").items])`,
      'try:',
      `    v1.list_namespaced_secret("${NS}")`,
      'except ApiException as e:',
      '    print(e.status)',
    ].join('\n');
    const out = await python(env, script);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trim().split('\n')).toEqual(["['p1']", '403']);
  });
});

describe('authentication of a service-account token', () => {
  it('rejects another audience, an expired token, a deleted account and a deleted bound pod (401)', async () => {
    const foreign = await tokenFor('reader', { audiences: ['https://vault.example.com'] });
    expect(claims(foreign).aud).toEqual(['https://vault.example.com']);
    expect((await as(foreign, 'GET', `/api/v1/namespaces/${NS}/pods`)).status).toBe(401);

    const token = await tokenFor('reader', { expirationSeconds: 600 });
    expect((await as(token, 'GET', `/api/v1/namespaces/${NS}/pods`)).status).toBe(200);
    now += 600;
    const expired = await as(token, 'GET', `/api/v1/namespaces/${NS}/pods`);
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });

    await ok('POST', `/api/v1/namespaces/${NS}/pods`, pod('p2'));
    const bound = await tokenFor('reader', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p2' } });
    expect((await as(bound, 'GET', `/api/v1/namespaces/${NS}/pods`)).status).toBe(200);
    await ok('DELETE', `/api/v1/namespaces/${NS}/pods/p2?gracePeriodSeconds=0`);
    await ok('POST', `/api/v1/namespaces/${NS}/pods`, pod('p2'));
    // A new pod of the same name has another uid: the token stays invalid.
    expect((await as(bound, 'GET', `/api/v1/namespaces/${NS}/pods`)).status).toBe(401);

    const plain = await tokenFor('reader');
    await ok('DELETE', `/api/v1/namespaces/${NS}/serviceaccounts/reader`);
    expect((await as(plain, 'GET', `/api/v1/namespaces/${NS}/pods`)).status).toBe(401);
    await ok('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'reader' },
    });
    expect((await as(plain, 'GET', `/api/v1/namespaces/${NS}/pods`)).status).toBe(401);
    // A token is never the admin token's equal, and a tampered one is refused.
    const [h, , s] = plain.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims(plain), sub: 'knlite-admin' })).toString('base64url')}.${s}`;
    expect((await as(forged, 'GET', '/api/v1/namespaces')).status).toBe(401);
  });

  it('keeps accepting its tokens after a restart: the signing key is kept in the data dir', async () => {
    const token = await tokenFor('reader');
    const dataDir = t.dir;
    await t.server.close();
    t = await startTestApiServer({ dataDir, clock: () => now });
    writeFileSync(env.KUBECONFIG!, t.server.kubeconfig(), { mode: 0o600 });
    expect((await as(token, 'GET', `/api/v1/namespaces/${NS}/pods`)).status).toBe(200);
  });

  it('kubectl create role/rolebinding/clusterrolebinding grant through the bootstrap cluster-admin too', async () => {
    const k = async (args: string[]) => {
      const out = await kubectl(env, args);
      expect(out.code, `${args.join(' ')}: ${out.stderr}`).toBe(0);
      return out.stdout;
    };
    expect(await k(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'wide'])).toMatch(
      /^cluster-admin\s+ClusterRole\/cluster-admin\s+\S+\s+system:masters\s*$/m,
    );
    await k(['create', 'namespace', 'ops']);
    await k(['create', 'serviceaccount', 'deployer', '-n', 'ops']);
    await k(['create', 'role', 'cm-writer', '-n', 'ops', '--verb=create,get', '--resource=configmaps']);
    await k([
      'create',
      'rolebinding',
      'deployer-cm',
      '-n',
      'ops',
      '--role=cm-writer',
      '--serviceaccount=ops:deployer',
    ]);
    const token = await tokenFor('deployer', {}, 'ops');
    const can = (args: string[]) => kubectl(env, ['auth', 'can-i', ...args, '--token', token]);
    expect((await can(['create', 'configmaps', '-n', 'ops'])).stdout.trim()).toBe('yes');
    expect((await can(['delete', 'configmaps', '-n', 'ops'])).stdout.trim()).toBe('no');
    expect((await can(['list', 'secrets', '-n', 'ops'])).stdout.trim()).toBe('no');
    await k([
      'create',
      'rolebinding',
      'deployer-admin',
      '-n',
      'ops',
      '--clusterrole=cluster-admin',
      '--serviceaccount=ops:deployer',
    ]);
    expect((await can(['list', 'secrets', '-n', 'ops'])).stdout.trim()).toBe('yes');
    expect((await can(['list', 'secrets', '-n', 'default'])).stdout.trim()).toBe('no');
    await k([
      'create',
      'clusterrolebinding',
      'deployer-everywhere',
      '--clusterrole=cluster-admin',
      '--serviceaccount=ops:deployer',
    ]);
    expect((await can(['list', 'secrets', '-n', 'default'])).stdout.trim()).toBe('yes');
    expect((await can(['get', '/metrics'])).stdout.trim()).toBe('yes');
  });

  it('validates RBAC objects as kube does, and a binding’s roleRef never changes', async () => {
    const role = await t.req('POST', `${RBAC}/namespaces/${NS}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'bad' },
      rules: [
        { verbs: ['get'], nonResourceURLs: ['/healthz'] },
        { apiGroups: [''], resources: ['pods'] },
      ],
    });
    expect(role.status).toBe(422);
    expect(role.body.message).toBe(
      'Role.rbac.authorization.k8s.io "bad" is invalid: [rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs, rules[1].verbs: Required value: verbs must contain at least one value]',
    );
    const binding = await t.req('POST', `${RBAC}/clusterrolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'bad' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [
        { kind: 'ServiceAccount', name: 'reader' },
        { kind: 'Robot', name: 'r2' },
      ],
    });
    expect(binding.status).toBe(422);
    expect(binding.body.message).toBe(
      'ClusterRoleBinding.rbac.authorization.k8s.io "bad" is invalid: [roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole", subjects[0].namespace: Required value, subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"]',
    );
    const patched = await t.req(
      'PATCH',
      `${RBAC}/namespaces/${NS}/rolebindings/reader-pods`,
      { roleRef: { name: 'cluster-admin', kind: 'ClusterRole' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.status).toBe(422);
    expect(patched.body.message).toBe(
      'RoleBinding.rbac.authorization.k8s.io "reader-pods" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"cluster-admin"}: cannot change roleRef',
    );
    const labelled = await t.req(
      'PATCH',
      `${RBAC}/namespaces/${NS}/rolebindings/reader-pods`,
      { metadata: { labels: { team: 'a' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(labelled.status).toBe(200);
  });
});
