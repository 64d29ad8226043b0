/**
 * Real apps run unchanged on the local cluster (API server + admission, reconciler, runtime with
 * its bubblewrap sandbox, gateway): volumes at their mount paths, env from ConfigMaps/Secrets/the
 * downward API, multi-container pods with init containers, `$(VAR)` in args, PORT = containerPort,
 * securityContext, projected service-account tokens the app calls the API server with, and the
 * refusals for what a process cannot honour.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import {
  APP,
  IMAGE,
  KSVC,
  SANDBOX,
  cond,
  getThroughGateway,
  readyHost,
  startAppCluster,
} from './app-suite.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod, Revision, Service } from '../../src/lib/apis/types.js';
import type { TestCluster } from '../support/cluster.js';
import { waitUntil } from '../support/wait.js';

let cluster: TestCluster;
let custom: CustomObjectsApi;
let core: CoreV1Api;

beforeAll(async () => {
  ({ cluster, custom, core } = await startAppCluster({
    'kubernetes.podspec-init-containers': 'enabled',
    'kubernetes.podspec-fieldref': 'enabled',
  }));
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const app = (extra: Record<string, unknown> = {}) => ({ image: IMAGE, command: ['node', APP], ...extra });

function makeService(name: string, spec: Record<string, unknown>): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { template: { spec } },
  } as unknown as Service;
}

async function create(svc: Service): Promise<void> {
  await custom.createNamespacedCustomObject({ ...KSVC, body: svc });
}

/** Creates, retrying while the admission webhook has not seen a config-features change yet. */
async function createWhenAdmitted(svc: Service): Promise<void> {
  await waitUntil(`${svc.metadata.name} admitted`, () => create(svc).then(() => true), 20_000, 200);
}

/** The admission error a create gets (the body's message). */
async function refusal(svc: Service): Promise<string> {
  try {
    await create(svc);
  } catch (err) {
    const body = (err as { body?: string }).body ?? '';
    return (JSON.parse(body) as { message: string }).message;
  }
  throw new Error(`${svc.metadata.name} was admitted`);
}

async function revision(name: string): Promise<Revision> {
  return (await custom.getNamespacedCustomObject({
    group: 'serving.knative.dev',
    version: 'v1',
    namespace: 'default',
    plural: 'revisions',
    name,
  })) as Revision;
}

const ready = (name: string): Promise<string> => readyHost(custom, name);
const get = (host: string, path: string): Promise<string> => getThroughGateway(cluster, host, path);

async function podsOf(revisionName: string): Promise<Pod[]> {
  const list = await core.listNamespacedPod({
    namespace: 'default',
    labelSelector: `serving.knative.dev/revision=${revisionName}`,
  });
  return list.items as unknown as Pod[];
}

describe.skipIf(!SANDBOX)('volumes at their mount paths (sandbox)', () => {
  it('ConfigMap, Secret (items, modes), projected, emptyDir and optional volumes; read-only; updated like the kubelet, subPath pinned', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'app-config' }, data: { foo: 'bar', other: 'x' } },
    });
    await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'app-secret' }, stringData: { password: 's3cret', extra: 'e' } },
    });
    await create(
      makeService('vols', {
        containers: [
          app({
            volumeMounts: [
              { name: 'config', mountPath: '/etc/config', readOnly: true },
              { name: 'secret', mountPath: '/etc/secret', readOnly: true },
              { name: 'projected', mountPath: '/etc/projected', readOnly: true },
              { name: 'scratch', mountPath: '/data' },
              { name: 'optional', mountPath: '/etc/optional', readOnly: true },
              { name: 'config', mountPath: '/etc/pinned/foo', subPath: 'foo', readOnly: true },
            ],
          }),
        ],
        volumes: [
          { name: 'config', configMap: { name: 'app-config' } },
          {
            name: 'secret',
            secret: {
              secretName: 'app-secret',
              defaultMode: 0o440,
              items: [{ key: 'password', path: 'creds/pw', mode: 0o400 }],
            },
          },
          {
            name: 'projected',
            projected: {
              sources: [
                { configMap: { name: 'app-config', items: [{ key: 'foo', path: 'cm-foo' }] } },
                { secret: { name: 'app-secret', items: [{ key: 'password', path: 'sec-pw' }] } },
                { downwardAPI: { items: [{ path: 'podname', fieldRef: { fieldPath: 'metadata.name' } }] } },
              ],
            },
          },
          { name: 'scratch', emptyDir: { medium: 'Memory' } },
          { name: 'optional', configMap: { name: 'no-such-config', optional: true } },
        ],
      }),
    );
    const host = await ready('vols');
    expect(await get(host, '/read?path=/etc/config/foo')).toBe('bar');
    expect(await get(host, '/list?path=/etc/secret')).toBe('creds');
    expect(await get(host, '/read?path=/etc/secret/creds/pw')).toBe('s3cret');
    expect(await get(host, '/mode?path=/etc/secret/creds/pw')).toBe('400');
    expect(await get(host, '/mode?path=/etc/config/other')).toBe('644');
    expect(await get(host, '/read?path=/etc/projected/cm-foo')).toBe('bar');
    expect(await get(host, '/read?path=/etc/projected/sec-pw')).toBe('s3cret');
    expect(await get(host, '/read?path=/etc/projected/podname')).toMatch(/^vols-00001-deployment-/);
    expect(await get(host, '/list?path=/etc/optional')).toBe('');
    expect(await get(host, '/write?path=/etc/config/new')).toBe('EROFS');
    expect(await get(host, '/write?path=/etc/hosts-new')).toBe('EROFS');
    expect(await get(host, '/write?path=/data/x')).toBe('ok');
    expect(await get(host, '/read?path=/data/x')).toBe('x');
    expect(await get(host, '/read?path=/etc/pinned/foo')).toBe('bar');

    await core.replaceNamespacedConfigMap({
      name: 'app-config',
      namespace: 'default',
      body: { metadata: { name: 'app-config' }, data: { foo: 'baz', other: 'x' } },
    });
    await waitUntil('the new ConfigMap contents in the volume', async () =>
      (await get(host, '/read?path=/etc/config/foo')) === 'baz' ? true : undefined,
    );
    expect(await get(host, '/read?path=/etc/projected/cm-foo')).toBe('baz');
    expect(await get(host, '/read?path=/etc/pinned/foo')).toBe('bar');
  }, 120_000);

  it('a missing non-optional ConfigMap keeps the pod ContainerCreating with the kubelet mount error', async () => {
    await create(
      makeService('novol', {
        containers: [app({ volumeMounts: [{ name: 'c', mountPath: '/etc/c', readOnly: true }] })],
        volumes: [{ name: 'c', configMap: { name: 'not-there' } }],
      }),
    );
    const pod = await waitUntil('a waiting pod', async () => {
      const [p] = await podsOf('novol-00001');
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.message ? p : undefined;
    });
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting).toEqual({
      reason: 'ContainerCreating',
      message: 'MountVolume.SetUp failed for volume "c" : configmap "not-there" not found',
    });
    expect(cond((await revision('novol-00001')).status?.conditions, 'Ready')?.status).not.toBe('True');
  }, 60_000);
});

describe('environment', () => {
  it('env valueFrom ConfigMap/Secret keys and the downward API, envFrom with a prefix and optional sources', async () => {
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'env-config' }, data: { GREETING: 'hi', COLOR: 'blue' } },
    });
    await core.createNamespacedSecret({
      namespace: 'default',
      body: { metadata: { name: 'env-secret' }, stringData: { TOKEN: 't0k' } },
    });
    await createWhenAdmitted(
      makeService('envs', {
        containers: [
          app({
            resources: { limits: { memory: '64Mi' } },
            envFrom: [
              { configMapRef: { name: 'env-config' }, prefix: 'CM_' },
              { secretRef: { name: 'env-secret' } },
              { configMapRef: { name: 'absent', optional: true } },
            ],
            env: [
              { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'env-config', key: 'GREETING' } } },
              { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'TOKEN' } } },
              {
                name: 'OPT',
                valueFrom: { secretKeyRef: { name: 'env-secret', key: 'nope', optional: true } },
              },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              {
                name: 'MEM',
                valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
              },
              { name: 'MSG', value: '$(FROM_CM) from $(POD_NS)' },
            ],
          }),
        ],
      }),
    );
    const env = JSON.parse(await get(await ready('envs'), '/env')) as Record<string, string>;
    expect(env).toMatchObject({
      CM_GREETING: 'hi',
      CM_COLOR: 'blue',
      TOKEN: 't0k',
      FROM_CM: 'hi',
      FROM_SECRET: 't0k',
      POD_NS: 'default',
      POD_IP: '127.0.0.1',
      MEM: '64',
      MSG: 'hi from default',
      K_SERVICE: 'envs',
      K_REVISION: 'envs-00001',
    });
    expect(env.POD_NAME).toMatch(/^envs-00001-deployment-/);
    expect(env).not.toHaveProperty('OPT');
  }, 90_000);

  it('expands $(VAR) in args ($$ escapes, unknown refs stay) and gives PORT = containerPort 8801', async () => {
    await create(
      makeService('expand', {
        containers: [
          app({
            args: ['--port=$(PORT)', '$$(PORT)', '$(NOPE)', '$(K_REVISION)'],
            ports: [{ containerPort: 8801 }],
          }),
        ],
      }),
    );
    const host = await ready('expand');
    expect(JSON.parse(await get(host, '/argv'))).toEqual([
      '--port=8801',
      '$(PORT)',
      '$(NOPE)',
      'expand-00001',
    ]);
    expect(JSON.parse(await get(host, '/env')).PORT).toBe('8801');
  }, 90_000);
});

describe('multi-container pods', () => {
  it.skipIf(!SANDBOX)(
    'runs the sidecar next to the serving container (localhost), init containers first and in order',
    async () => {
      await createWhenAdmitted(
        makeService('multi', {
          initContainers: [
            app({
              name: 'first',
              command: ['sh', '-c', 'printf 1 > /shared/order'],
              volumeMounts: [{ name: 'work', mountPath: '/shared' }],
            }),
            app({
              name: 'second',
              command: ['sh', '-c', 'test "$(cat /shared/order)" = 1 && printf 12 > /shared/order'],
              volumeMounts: [{ name: 'work', mountPath: '/shared' }],
            }),
          ],
          containers: [
            app({
              name: 'serving',
              ports: [{ containerPort: 8881 }],
              volumeMounts: [{ name: 'work', mountPath: '/shared', readOnly: true }],
            }),
            app({
              name: 'sidecar',
              env: [
                { name: 'PORT', value: '8882' },
                { name: 'ANSWER', value: 'Yay!! multi-container works' },
              ],
            }),
          ],
          volumes: [{ name: 'work', emptyDir: {} }],
        }),
      );
      const host = await ready('multi');
      expect(await get(host, '/fetch?port=8882')).toBe('Yay!! multi-container works');
      if (SANDBOX) expect(await get(host, '/read?path=/shared/order')).toBe('12');
      const [pod] = await podsOf('multi-00001');
      expect(pod!.status?.initContainerStatuses?.map((s) => [s.name, s.state?.terminated?.reason])).toEqual([
        ['first', 'Completed'],
        ['second', 'Completed'],
      ]);
      expect(pod!.status?.containerStatuses?.map((s) => [s.name, s.ready])).toEqual([
        ['serving', true],
        ['sidecar', true],
      ]);
    },
    90_000,
  );

  it('a failing init container keeps the pod Pending and fails the revision with Init:CrashLoopBackOff', async () => {
    await createWhenAdmitted(
      makeService('badinit', {
        initContainers: [app({ name: 'migrate', command: ['sh', '-c', 'echo migration failed; exit 3'] })],
        containers: [app()],
      }),
    );
    const rev = await waitUntil('revision failed', async () => {
      const r = await revision('badinit-00001');
      return cond(r.status?.conditions, 'Ready')?.status === 'False' ? r : undefined;
    });
    expect(cond(rev.status?.conditions, 'ContainerHealthy')).toMatchObject({
      status: 'False',
      reason: expect.stringMatching(/^Init:(CrashLoopBackOff|Error)$/),
      message: 'Init container "migrate" failed with exit code 3: migration failed',
    });
    const [pod] = await podsOf('badinit-00001');
    expect(pod!.status?.phase).toBe('Pending');
    expect(cond(pod!.status?.conditions, 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
    });
    expect(pod!.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('PodInitializing');
  }, 90_000);
});

describe.skipIf(!SANDBOX)('service-account token volumes (sandbox)', () => {
  it('an app reads its projected token and calls the API server with only its account’s rights', async () => {
    const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
    await core.createNamespacedServiceAccount({
      namespace: 'default',
      body: { metadata: { name: 'app-reader' } },
    });
    // What kube's root-CA publisher provides in every namespace, here written by the test.
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': cluster.server.caPem } },
    });
    const rbac = '/apis/rbac.authorization.k8s.io/v1/namespaces/default';
    const admin = (p: string, body: unknown) =>
      cluster.client.request('POST', p, { body }).then(() => undefined);
    await admin(`${rbac}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pod-lister' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
    });
    await admin(`${rbac}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'app-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'app-reader' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-lister' },
    });
    await create(
      makeService('satoken', {
        serviceAccountName: 'app-reader',
        containers: [app({ volumeMounts: [{ name: 'api', mountPath: SA_DIR, readOnly: true }] })],
        volumes: [
          {
            name: 'api',
            projected: {
              sources: [
                { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
                { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              ],
            },
          },
        ],
      }),
    );
    const host = await ready('satoken');
    const token = await get(host, `/read?path=${SA_DIR}/token`);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
    const [pod] = await podsOf('satoken-00001');
    expect(claims).toMatchObject({
      sub: 'system:serviceaccount:default:app-reader',
      'kubernetes.io': { namespace: 'default', pod: { name: pod!.metadata.name, uid: pod!.metadata.uid } },
    });
    expect(claims.exp - claims.iat).toBe(3600);
    const call = (p: string) =>
      get(host, `/kube?path=${encodeURIComponent(p)}&token=${SA_DIR}/token&ca=${SA_DIR}/ca.crt`);
    const pods = await call('/api/v1/namespaces/default/pods');
    expect(pods).toMatch(/^200 /);
    expect((JSON.parse(pods.slice(4)) as { items: Pod[] }).items.map((p) => p.metadata.name)).toContain(
      pod!.metadata.name,
    );
    const secrets = await call('/api/v1/namespaces/default/secrets');
    expect(secrets).toMatch(/^403 /);
    expect(JSON.parse(secrets.slice(4)).message).toBe(
      'secrets is forbidden: User "system:serviceaccount:default:app-reader" cannot list resource "secrets" in API group "" in the namespace "default"',
    );
    // The pod's environment names the API server and holds no credentials.
    const env = JSON.parse(await get(host, '/env')) as Record<string, string>;
    expect(env.KUBERNETES_SERVICE_PORT).toBe(String(cluster.server.port));
    expect(Object.values(env)).not.toContain(cluster.server.token);
  }, 90_000);
});

describe('images and security contexts', () => {
  it('a local image directory that does not exist fails the revision with ContainerMissing', async () => {
    await create(makeService('missing', { containers: [{ image: 'file:///no/such/app' }] }));
    const rev = await waitUntil('revision failed', async () => {
      const r = await revision('missing-00001');
      return cond(r.status?.conditions, 'Ready')?.status === 'False' ? r : undefined;
    });
    expect(cond(rev.status?.conditions, 'ContainerHealthy')).toMatchObject({
      status: 'False',
      reason: 'ContainerMissing',
      message:
        'Unable to fetch image "file:///no/such/app": failed to resolve image to digest: /no/such/app: no such directory',
    });
    expect(cond(rev.status?.conditions, 'Ready')?.reason).toBe('ContainerMissing');
  }, 60_000);

  it.skipIf(!SANDBOX)(
    'runs as securityContext.runAsUser in the sandbox, with runAsNonRoot and a read-only root',
    async () => {
      await create(
        makeService('runas', {
          containers: [
            app({
              securityContext: {
                runAsUser: 1000,
                runAsGroup: 3000,
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
            }),
          ],
        }),
      );
      const host = await ready('runas');
      expect(await get(host, '/id')).toBe('1000 3000');
      expect(await get(host, '/write?path=/etc/x')).toBe('EROFS');
    },
    60_000,
  );

  it('refuses at admission what Knative refuses and what a process cannot honour', async () => {
    const path = 'spec.template.spec';
    expect(
      await refusal(makeService('neg', { containers: [app({ securityContext: { runAsUser: -10 } })] })),
    ).toContain(`expected 0 <= -10 <= 2147483647: ${path}.containers[0].securityContext.runAsUser`);
    expect(
      await refusal(
        makeService('proc', { containers: [app({ securityContext: { procMount: 'Unmasked' } })] }),
      ),
    ).toContain(`must not set the field(s): ${path}.containers[0].securityContext.procMount`);
    expect(
      await refusal(
        makeService('items', {
          containers: [app({ volumeMounts: [{ name: 'c', mountPath: '/c', readOnly: true }] })],
          volumes: [{ name: 'c', configMap: { name: 'x', items: [{ key: 'k' }] } }],
        }),
      ),
    ).toContain(`${path}.volumes[0].configMap.items[0].path: Required value`);
    expect(
      await refusal(
        makeService('pvc', {
          containers: [app({ volumeMounts: [{ name: 'p', mountPath: '/p', readOnly: true }] })],
          volumes: [{ name: 'p', persistentVolumeClaim: { claimName: 'data', readOnly: true } }],
        }),
      ),
    ).toContain('Persistent volume claim support is disabled, but found persistent volume claim data');
  }, 30_000);
});
