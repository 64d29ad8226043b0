import { describe, expect, it } from 'vitest';
import { parseConfigs } from '../../src/lib/apis/config/index.js';
import { KNLITE_INGRESS_CLASS } from '../../src/lib/apis/keys.js';
import type { ConfigMap, DomainMapping, Ingress, Route } from '../../src/lib/apis/types.js';
import { makeDomainMappingIngress } from '../../src/lib/controller/domainmapping/resources/ingress.js';
import { makeIngress } from '../../src/lib/controller/route/resources/ingress.js';
import type { RevisionTarget } from '../../src/lib/controller/route/resources/traffic.js';
import { makeIngressStatus } from '../../src/lib/dataplane/ingress-status.js';
import { isKnliteIngress, makeIngressTable } from '../../src/lib/dataplane/ingress-table.js';

const configs = (features: Record<string, string> = {}) =>
  parseConfigs(
    (name) =>
      ({
        'config-domain': { metadata: { name }, data: { localhost: '' } },
        'config-features': { metadata: { name }, data: features },
      })[name] as ConfigMap | undefined,
  );

function routeIngress(
  name: string,
  ns: string,
  targets: RevisionTarget[],
  features = {},
  created = '2026-01-01T00:00:00Z',
): Ingress {
  const r: Route = { metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` }, spec: {} };
  const ing = makeIngress(r, targets, configs(features), KNLITE_INGRESS_CLASS);
  ing.metadata.creationTimestamp = created;
  return ing;
}

function mappingIngress(host: string, ns: string, target: string): Ingress {
  const dm: DomainMapping = {
    metadata: { name: host, namespace: ns, uid: `uid-dm-${ns}` },
    spec: { ref: { name: target } },
  };
  return makeDomainMappingIngress(dm, `${target}.${ns}.svc.cluster.local`, KNLITE_INGRESS_CLASS);
}

describe('the gateway programs itself from KIngresses', () => {
  it('routes every rule host (external and the expanded cluster-local names) to the splits', () => {
    const table = makeIngressTable([
      routeIngress('echo', 'default', [{ revisionName: 'echo-00001', percent: 100 }]),
    ]);
    expect([...table.hosts.keys()].sort()).toEqual([
      'echo.default',
      'echo.default.localhost',
      'echo.default.svc',
      'echo.default.svc.cluster.local',
    ]);
    expect(table.hosts.get('echo.default.localhost')?.splits).toEqual([
      { revision: 'echo-00001', percent: 100 },
    ]);
    expect(table.outcomes.get('default/echo')).toEqual({ state: 'programmed' });
  });

  it("never lets a DomainMapping from another namespace take a Route's host", () => {
    const table = makeIngressTable([
      mappingIngress('echo.default.localhost', 'other', 'thief'),
      routeIngress('thief', 'other', [{ revisionName: 'thief-00001', percent: 100 }]),
      routeIngress('echo', 'default', [{ revisionName: 'echo-00001', percent: 100 }]),
    ]);
    expect(table.hosts.get('echo.default.localhost')?.splits).toEqual([
      { revision: 'echo-00001', percent: 100 },
    ]);
    expect(table.outcomes.get('other/echo.default.localhost')).toEqual({
      state: 'failed',
      reason: 'DomainConflict',
      message: 'host "echo.default.localhost" is already served by KIngress "default/echo"',
    });
  });

  it('routes a DomainMapping as its rewritten host, and waits while that host is not routed', () => {
    const dm = mappingIngress('www.example.com', 'default', 'hello');
    expect(makeIngressTable([dm]).outcomes.get('default/www.example.com')).toEqual({ state: 'pending' });
    const table = makeIngressTable([
      dm,
      routeIngress('hello', 'default', [{ revisionName: 'hello-00001', percent: 100 }]),
    ]);
    expect(table.hosts.get('www.example.com')).toMatchObject({
      rewriteHost: 'hello.default.svc.cluster.local',
      splits: [{ revision: 'hello-00001', percent: 100 }],
    });
    // Revisions are reachable through their Route, not twice through the mapping.
    expect(table.reachable).toEqual(new Set(['default/hello-00001']));
  });

  it('with tag-header-based-routing, the default host routes Knative-Serving-Tag to the tag', () => {
    const targets = [
      { revisionName: 'a-00001', percent: 100 },
      { revisionName: 'a-00002', percent: 0, tag: 'canary' },
    ];
    const off = makeIngressTable([routeIngress('a', 'default', targets)]);
    expect(off.hosts.get('a.default.localhost')?.byTag).toBeUndefined();
    const on = makeIngressTable([
      routeIngress('a', 'default', targets, { 'tag-header-based-routing': 'Enabled' }),
    ]);
    expect(on.hosts.get('a.default.localhost')?.byTag?.canary.splits).toEqual([
      { revision: 'a-00002', percent: 100 },
    ]);
    expect(on.hosts.get('a.default.localhost')?.splits).toEqual([{ revision: 'a-00001', percent: 100 }]);
  });

  it('implements only its own ingress class', () => {
    const ing = routeIngress('a', 'default', [{ revisionName: 'a-00001', percent: 100 }]);
    expect(isKnliteIngress(ing)).toBe(true);
    ing.metadata.annotations!['networking.knative.dev/ingress.class'] =
      'kourier.ingress.networking.knative.dev';
    expect(isKnliteIngress(ing)).toBe(false);
  });

  it('reports Ready with its load balancer for the generation it programmed', () => {
    const ing = { ...routeIngress('a', 'default', [{ revisionName: 'a-00001', percent: 100 }]) };
    ing.metadata.generation = 3;
    const lb = [{ domainInternal: 'knlite-gateway.knative-serving.svc.cluster.local' }];
    const status = makeIngressStatus(ing, { state: 'programmed' }, lb)!;
    expect(status.observedGeneration).toBe(3);
    expect(status.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      'LoadBalancerReady=True',
      'NetworkConfigured=True',
      'Ready=True',
    ]);
    expect(status.publicLoadBalancer).toEqual({ ingress: lb });
    expect(makeIngressStatus(ing, { state: 'pending' }, lb)).toBeUndefined();
  });
});

describe('TLS and redirects', () => {
  it('maps spec.tls hosts to their Secret and redirects only external hosts when httpOption is Redirected', () => {
    const ing = routeIngress('hello', 'default', [{ revisionName: 'hello-00001', percent: 100 }]);
    ing.spec.httpOption = 'Redirected';
    ing.spec.tls = [
      { hosts: ['hello.default.localhost'], secretName: 'route-uid', secretNamespace: 'default' },
      // A host this KIngress does not hold gets nothing.
      { hosts: ['elsewhere.example.com'], secretName: 'other', secretNamespace: 'default' },
    ];
    const dm: DomainMapping = {
      metadata: { name: 'www.example.com', namespace: 'default', uid: 'uid-dm' },
      spec: { ref: { name: 'hello' }, tls: { secretName: 'www-cert' } },
    };
    const mapping = makeDomainMappingIngress(dm, 'hello.default.svc.cluster.local', KNLITE_INGRESS_CLASS);
    const table = makeIngressTable([ing, mapping]);
    expect(table.tls).toEqual(
      new Map([
        ['hello.default.localhost', 'default/route-uid'],
        ['www.example.com', 'default/www-cert'],
      ]),
    );
    expect(table.hosts.get('hello.default.localhost')?.httpsRedirect).toBe(true);
    expect(table.hosts.get('hello.default.svc.cluster.local')?.httpsRedirect).toBeUndefined();
    expect(table.hosts.get('www.example.com')?.httpsRedirect).toBeUndefined();
  });
});
