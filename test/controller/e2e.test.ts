import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCondition } from '../../src/lib/apis/conditions.js';
import type { Revision, Route, Service } from '../../src/lib/apis/types.js';
import { Kinds } from '../../src/lib/controller/runtime/kinds.js';
import { reportDeployment, startEnv, type Env } from './cluster.js';

const ready = (o: {
  status?: { conditions?: { type: string; status: string }[]; observedGeneration?: number };
  metadata: { generation?: number };
}) =>
  getCondition(o.status as never, 'Ready')?.status === 'True' &&
  o.status?.observedGeneration === o.metadata.generation;

describe('reconciler end to end', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('creates a Service and makes it Ready', async () => {
    const svc: Service = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'hello', namespace: 'default' },
      spec: { template: { spec: { containers: [{ image: 'file:///tmp/hello' }] } } },
    };
    await env.api.create(Kinds.service, svc);
    await reportDeployment(env, 'default', 'hello-00001', 1);
    const rev = await env.waitFor<Revision>(
      'revision ready',
      Kinds.revision,
      'default',
      'hello-00001',
      ready,
    );
    expect(rev.metadata.labels?.['serving.knative.dev/service']).toBe('hello');
    const route = await env.waitFor<Route>('route ready', Kinds.route, 'default', 'hello', ready);
    expect(route.status?.traffic).toEqual([
      { revisionName: 'hello-00001', latestRevision: true, percent: 100 },
    ]);
    const done = await env.waitFor<Service>('service ready', Kinds.service, 'default', 'hello', ready);
    expect(done.status?.observedGeneration).toBe(1);
    expect(done.status?.url).toBe('http://hello.default.svc.cluster.local');
  });
});
