/**
 * The reconciler against the real in-process API server (with Knative admission). The runtime is
 * not running: tests report Deployment/Pod status through the API the way it would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCondition } from '../../src/lib/apis/conditions.js';
import type {
  ClusterDomainClaim,
  ConfigMap,
  Configuration,
  Deployment,
  DomainMapping,
  KnStatus,
  KubeObject,
  KubeService,
  Revision,
  Route,
  Service,
} from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/kube/kinds.js';
import { ApiError } from '../../src/lib/kube/errors.js';
import { waitUntil } from '../support/wait.js';
import { reportCrashingPod, reportDeployment, startEnv, type Env } from './cluster.js';

type Obj = KubeObject & { status?: KnStatus };
const cond = (o: Obj | undefined, t = 'Ready') => getCondition(o?.status, t);
const observed = (o: Obj) => o.status?.observedGeneration === o.metadata.generation;
const ready = (o: Obj) => observed(o) && cond(o)?.status === 'True';
const failed = (o: Obj) => observed(o) && cond(o)?.status === 'False';

const ksvc = (
  name: string,
  image: string,
  extra: Partial<Service['spec']> = {},
  meta: Partial<Service['metadata']> = {},
  ns = 'default',
): Service => ({
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name, namespace: ns, ...meta },
  spec: { template: { spec: { containers: [{ image }] } }, ...extra },
});

describe('reconciler end to end', () => {
  let env: Env;

  /** Read-modify-write a Service (retrying on conflicts, like kn). */
  async function updateService(name: string, mutate: (s: Service) => void, ns = 'default'): Promise<Service> {
    for (let attempt = 0; ; attempt++) {
      const s = (await env.get<Service>(Kinds.service, ns, name))!;
      mutate(s);
      try {
        return await env.api.replace(Kinds.service, s);
      } catch (err) {
        // Only a stale read is retried; admission rejections surface to the test.
        if (!(err instanceof ApiError && err.statusCode === 409) || attempt > 10) throw err;
      }
    }
  }

  async function serviceReady(name: string, rev: string, ns = 'default'): Promise<Service> {
    await reportDeployment(env, ns, rev, 1);
    return env.waitFor<Service>(
      `service ${name} ready on ${rev}`,
      Kinds.service,
      ns,
      name,
      (s) =>
        ready(s) &&
        s.status?.latestReadyRevisionName === rev &&
        s.status?.traffic !== undefined &&
        !cond(s, 'RoutesReady')?.reason,
    );
  }

  const cm = (name: string, data: Record<string, string>): ConfigMap => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'knative-serving' },
    data,
  });
  async function putConfigMap(c: ConfigMap): Promise<void> {
    const have = await env.get<ConfigMap>(Kinds.configMap, 'knative-serving', c.metadata.name!);
    if (have) await env.api.replace(Kinds.configMap, { ...have, data: c.data });
    else await env.api.create(Kinds.configMap, c);
  }

  beforeAll(async () => {
    env = await startEnv({ reconciler: false });
    // The local cluster's settings: a browser-resolvable domain, the gateway port, auto-claims.
    await putConfigMap(cm('config-domain', { localhost: '' }));
    await putConfigMap(
      cm('config-network', { 'local-gateway-port': '8080', 'autocreate-cluster-domain-claims': 'true' }),
    );
    await env.api
      .create(Kinds.namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } })
      .catch(() => undefined);
    await env.startReconciler();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('creates a Service: Ready at observedGeneration 1, revision -00001, Route 100% to it, URL set', async () => {
    await env.api.create(
      Kinds.service,
      ksvc('hello', 'file:///apps/hello', {}, { labels: { team: 'blue' }, annotations: { owner: 'me' } }),
    );
    const svc = await serviceReady('hello', 'hello-00001');
    expect(svc.status?.observedGeneration).toBe(1);
    expect(svc.metadata.generation).toBe(1);
    expect(svc.status?.url).toBe('http://hello.default.localhost:8080');
    expect(svc.status?.address).toEqual({ url: 'http://hello.default.svc.cluster.local' });
    expect(svc.status?.traffic).toEqual([
      { revisionName: 'hello-00001', latestRevision: true, percent: 100 },
    ]);
    expect(svc.status?.latestCreatedRevisionName).toBe('hello-00001');

    const rev = (await env.get<Revision>(Kinds.revision, 'default', 'hello-00001'))!;
    expect(ready(rev)).toBe(true);
    expect(cond(rev, 'Active')?.status).toBe('True');
    const route = (await env.get<Route>(Kinds.route, 'default', 'hello'))!;
    expect(route.status?.traffic).toEqual(svc.status?.traffic);
    const k8s = (await env.get<KubeService>(Kinds.kubeService, 'default', 'hello-00001'))!;
    expect(k8s.spec.selector).toEqual({ 'serving.knative.dev/revision': 'hello-00001' });
    const d = (await env.get<Deployment>(Kinds.deployment, 'default', 'hello-00001-deployment'))!;
    expect(d.spec.template.spec.containers[0].env?.map((e) => e.name)).toEqual([
      'PORT',
      'K_REVISION',
      'K_CONFIGURATION',
      'K_SERVICE',
    ]);
  });

  it('propagates labels and annotations to Configuration, Route and Revision', async () => {
    const cfg = (await env.get<Configuration>(Kinds.configuration, 'default', 'hello'))!;
    expect(cfg.metadata.labels).toMatchObject({ team: 'blue', 'serving.knative.dev/service': 'hello' });
    expect(cfg.metadata.annotations).toMatchObject({ owner: 'me', 'serving.knative.dev/routes': 'hello' });
    expect(cfg.metadata.annotations?.['serving.knative.dev/creator']).toBeTruthy();
    const route = (await env.get<Route>(Kinds.route, 'default', 'hello'))!;
    expect(route.metadata.labels).toMatchObject({ team: 'blue', 'serving.knative.dev/service': 'hello' });
    expect(route.metadata.finalizers).toEqual(['routes.serving.knative.dev']);
    const rev = (await env.get<Revision>(Kinds.revision, 'default', 'hello-00001'))!;
    // Revisions take their labels from the template (Knative's MakeRevision), plus the owner labels.
    expect(rev.metadata.labels).toMatchObject({
      'serving.knative.dev/service': 'hello',
      'serving.knative.dev/configuration': 'hello',
      'serving.knative.dev/routingState': 'active',
    });
    expect(rev.metadata.annotations?.['serving.knative.dev/routes']).toBe('hello');

    // A metadata-only change flows to the children without a new revision.
    await updateService('hello', (s) => (s.metadata.labels = { ...s.metadata.labels, team: 'green' }));
    await env.waitFor<Route>(
      'route relabelled',
      Kinds.route,
      'default',
      'hello',
      (r) => r.metadata.labels?.team === 'green',
    );
    const cfg2 = await env.waitFor<Configuration>(
      'configuration relabelled',
      Kinds.configuration,
      'default',
      'hello',
      (c) => c.metadata.labels?.team === 'green',
    );
    expect(cfg2.metadata.generation).toBe(1);
  });

  it('an update stamps -00002 and traffic follows latest', async () => {
    await updateService(
      'hello',
      (s) => (s.spec.template.spec.containers[0].env = [{ name: 'TARGET', value: 'v2' }]),
    );
    const svc = await serviceReady('hello', 'hello-00002');
    expect(svc.status?.traffic).toEqual([
      { revisionName: 'hello-00002', latestRevision: true, percent: 100 },
    ]);
    expect(svc.status?.observedGeneration).toBe(svc.metadata.generation);
    // The labeler moves the revision that lost its traffic to reserve once the route settled.
    await env.waitFor<Revision>(
      'old revision reserve',
      Kinds.revision,
      'default',
      'hello-00001',
      (r) => r.metadata.labels?.['serving.knative.dev/routingState'] === 'reserve',
    );
  });

  it('splits traffic with tags: status.traffic and tag URLs', async () => {
    await updateService('hello', (s) => {
      s.spec.traffic = [
        { tag: 'blue', revisionName: 'hello-00001', percent: 50 },
        { tag: 'green', latestRevision: true, percent: 50 },
      ];
    });
    const svc = await env.waitFor<Service>(
      'split',
      Kinds.service,
      'default',
      'hello',
      (s) => ready(s) && s.status?.traffic?.length === 2,
    );
    expect(svc.status?.traffic).toEqual([
      {
        tag: 'blue',
        revisionName: 'hello-00001',
        latestRevision: false,
        percent: 50,
        url: 'http://blue-hello.default.localhost:8080',
      },
      {
        tag: 'green',
        revisionName: 'hello-00002',
        latestRevision: true,
        percent: 50,
        url: 'http://green-hello.default.localhost:8080',
      },
    ]);
    await env.waitFor<Revision>(
      'pinned revision active again',
      Kinds.revision,
      'default',
      'hello-00001',
      (r) => r.metadata.labels?.['serving.knative.dev/routingState'] === 'active',
    );
  });

  it('pinned traffic stays while latest moves', async () => {
    await updateService('hello', (s) => {
      s.spec.traffic = [
        { revisionName: 'hello-00002', percent: 100 },
        { tag: 'latest', latestRevision: true, percent: 0 },
      ];
      s.spec.template.spec.containers[0].env = [{ name: 'TARGET', value: 'v3' }];
    });
    await reportDeployment(env, 'default', 'hello-00003', 1);
    const svc = await env.waitFor<Service>(
      'pinned',
      Kinds.service,
      'default',
      'hello',
      (s) => ready(s) && s.status?.latestReadyRevisionName === 'hello-00003',
    );
    expect(svc.status?.traffic).toEqual([
      { revisionName: 'hello-00002', latestRevision: false, percent: 100 },
      {
        tag: 'latest',
        revisionName: 'hello-00003',
        latestRevision: true,
        percent: 0,
        url: 'http://latest-hello.default.localhost:8080',
      },
    ]);
  });

  it('a crashing revision fails Revision, Configuration and Service while traffic stays on the last good one', async () => {
    await env.api.create(Kinds.service, ksvc('crash', 'file:///apps/ok'));
    await serviceReady('crash', 'crash-00001');
    await updateService('crash', (s) => (s.spec.template.spec.containers[0].image = 'file:///apps/broken'));
    await env.waitFor<Deployment>(
      'deployment',
      Kinds.deployment,
      'default',
      'crash-00002-deployment',
      () => true,
    );
    await reportCrashingPod(env, 'default', 'crash-00002', 1, 'boom: cannot start');
    await reportDeployment(env, 'default', 'crash-00002', 0);

    const rev = await env.waitFor<Revision>(
      'revision failed',
      Kinds.revision,
      'default',
      'crash-00002',
      failed,
    );
    expect(cond(rev)).toMatchObject({
      status: 'False',
      reason: 'ExitCode1',
      message: 'Container failed with: boom: cannot start',
    });
    expect(cond(rev, 'ContainerHealthy')).toMatchObject({ status: 'False', reason: 'ExitCode1' });
    const cfg = await env.waitFor<Configuration>(
      'configuration failed',
      Kinds.configuration,
      'default',
      'crash',
      failed,
    );
    expect(cond(cfg)).toMatchObject({
      reason: 'RevisionFailed',
      message: 'Revision "crash-00002" failed with message: Container failed with: boom: cannot start.',
    });
    expect(cfg.status?.latestReadyRevisionName).toBe('crash-00001');
    const svc = await env.waitFor<Service>('service failed', Kinds.service, 'default', 'crash', failed);
    expect(cond(svc)).toMatchObject({ reason: 'RevisionFailed' });
    expect(svc.status?.traffic).toEqual([
      { revisionName: 'crash-00001', latestRevision: true, percent: 100 },
    ]);
  });

  it('BYO revision names: accepted, then an update that keeps the name is rejected', async () => {
    await env.api.create(Kinds.service, ksvc('byo', 'file:///apps/a', {}, {}));
    await updateService('byo', (s) => (s.spec.template.metadata = { name: 'byo-one' }));
    await reportDeployment(env, 'default', 'byo-00001', 1);
    await serviceReady('byo', 'byo-one');
    await expect(
      updateService('byo', (s) => (s.spec.template.spec.containers[0].image = 'file:///apps/b')),
    ).rejects.toThrow(/Saw the following changes without a name change/);
    await updateService('byo', (s) => {
      s.spec.template.metadata = { name: 'byo-two' };
      s.spec.template.spec.containers[0].image = 'file:///apps/b';
    });
    const svc = await serviceReady('byo', 'byo-two');
    expect(svc.status?.traffic).toEqual([{ revisionName: 'byo-two', latestRevision: true, percent: 100 }]);
  });

  it('standalone Configuration + Route, and a bad target keeps the previous routing', async () => {
    await env.api.create(Kinds.configuration, {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Configuration',
      metadata: { name: 'solo', namespace: 'default' },
      spec: { template: { spec: { containers: [{ image: 'file:///apps/solo' }] } } },
    } as Configuration);
    await env.api.create(Kinds.route, {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Route',
      metadata: { name: 'solo', namespace: 'default' },
      spec: { traffic: [{ configurationName: 'solo', percent: 100 }] },
    } as Route);
    await reportDeployment(env, 'default', 'solo-00001', 1);
    const route = await env.waitFor<Route>('route ready', Kinds.route, 'default', 'solo', ready);
    expect(route.status?.traffic).toEqual([
      { revisionName: 'solo-00001', latestRevision: true, percent: 100 },
    ]);
    expect(route.status?.url).toBe('http://solo.default.localhost:8080');
    const rev = (await env.get<Revision>(Kinds.revision, 'default', 'solo-00001'))!;
    const k = rev.metadata.labels?.['serving.knative.dev/service'];
    expect(k).toBeUndefined();

    const current = (await env.get<Route>(Kinds.route, 'default', 'solo'))!;
    current.spec.traffic = [
      { configurationName: 'solo', percent: 50 },
      { revisionName: 'solo-nope', percent: 50 },
    ];
    await env.api.replace(Kinds.route, current);
    const bad = await env.waitFor<Route>('route failed', Kinds.route, 'default', 'solo', failed);
    expect(cond(bad, 'AllTrafficAssigned')).toMatchObject({
      status: 'False',
      reason: 'RevisionMissing',
      message: 'Revision "solo-nope" referenced in traffic not found.',
    });
    expect(bad.status?.traffic).toEqual([{ revisionName: 'solo-00001', latestRevision: true, percent: 100 }]);
  });

  it('DomainMapping: a second claim in another namespace fails, and takes over when the first is deleted', async () => {
    const dm = (ns: string): DomainMapping => ({
      apiVersion: 'serving.knative.dev/v1beta1',
      kind: 'DomainMapping',
      metadata: { name: 'app.example.com', namespace: ns },
      spec: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello' } },
    });
    await env.api.create(Kinds.domainMapping, dm('default'));
    const first = await env.waitFor<DomainMapping>(
      'first mapping ready',
      Kinds.domainMapping,
      'default',
      'app.example.com',
      ready,
    );
    expect(first.status?.url).toBe('http://app.example.com:8080');
    const claim = (await env.get<ClusterDomainClaim>(
      Kinds.clusterDomainClaim,
      undefined,
      'app.example.com',
    ))!;
    expect(claim.spec.namespace).toBe('default');

    await env.api.create(Kinds.service, ksvc('hello', 'file:///apps/hello', {}, {}, 'other'));
    await serviceReady('hello', 'hello-00001', 'other');
    await env.api.create(Kinds.domainMapping, dm('other'));
    const second = await env.waitFor<DomainMapping>(
      'second mapping refused',
      Kinds.domainMapping,
      'other',
      'app.example.com',
      failed,
    );
    expect(cond(second, 'DomainClaimed')).toMatchObject({
      status: 'False',
      reason: 'DomainAlreadyClaimed',
      message: 'The domain name is already in use by another DomainMapping',
    });

    await env.api.delete(Kinds.domainMapping, 'default', 'app.example.com');
    await env.waitFor<DomainMapping>(
      'second mapping takes over',
      Kinds.domainMapping,
      'other',
      'app.example.com',
      ready,
    );
    await env.waitFor<ClusterDomainClaim>(
      'claim moved',
      Kinds.clusterDomainClaim,
      undefined,
      'app.example.com',
      (c) => c.spec.namespace === 'other',
    );
  });

  it('deleting a Service removes every child', async () => {
    await env.api.delete(Kinds.service, 'default', 'crash');
    await waitUntil('children gone', async () => {
      const left = await Promise.all([
        env.get(Kinds.configuration, 'default', 'crash'),
        env.get(Kinds.route, 'default', 'crash'),
        env.get(Kinds.revision, 'default', 'crash-00001'),
        env.get(Kinds.revision, 'default', 'crash-00002'),
        env.get(Kinds.deployment, 'default', 'crash-00001-deployment'),
        env.get(Kinds.kubeService, 'default', 'crash-00001'),
      ]);
      return left.every((o) => o === undefined);
    });
  });

  it('restarting the reconciler converges on changes made while it was down', async () => {
    await env.stopReconciler();
    await updateService(
      'hello',
      (s) => (s.spec.template.spec.containers[0].env = [{ name: 'TARGET', value: 'v4' }]),
      'other',
    );
    await env.startReconciler();
    const svc = await serviceReady('hello', 'hello-00002', 'other');
    expect(svc.status?.traffic).toEqual([
      { revisionName: 'hello-00002', latestRevision: true, percent: 100 },
    ]);
  });

  it('GC collects non-active revisions as config-gc says (never active or latest ready)', async () => {
    // hello in default: -00001 pinned? no: traffic is -00002 (pinned) and -00003 (latest tag) → -00001 is reserve.
    await env.waitFor<Revision>(
      'reserve',
      Kinds.revision,
      'default',
      'hello-00001',
      (r) => r.metadata.labels?.['serving.knative.dev/routingState'] === 'reserve',
    );
    await putConfigMap(
      cm('config-gc', {
        'min-non-active-revisions': '0',
        'max-non-active-revisions': '0',
        'retain-since-create-time': 'disabled',
        'retain-since-last-active-time': 'disabled',
      }),
    );
    await waitUntil(
      'hello-00001 collected',
      async () => (await env.get(Kinds.revision, 'default', 'hello-00001')) === undefined,
    );
    expect(await env.get(Kinds.revision, 'default', 'hello-00002')).toBeDefined();
    expect(await env.get(Kinds.revision, 'default', 'hello-00003')).toBeDefined();
    await putConfigMap(cm('config-gc', {}));
  });

  it('a config-domain change re-reconciles routes: URLs move to the new domain', async () => {
    await putConfigMap(cm('config-domain', { 'example.com': '' }));
    const svc = await env.waitFor<Service>(
      'new URL',
      Kinds.service,
      'default',
      'hello',
      (s) => s.status?.url === 'http://hello.default.example.com:8080',
    );
    expect(svc.status?.traffic?.find((t) => t.tag === 'latest')?.url).toBe(
      'http://latest-hello.default.example.com:8080',
    );
    await putConfigMap(cm('config-domain', { localhost: '' }));
  });
});
