import { describe, expect, it } from 'vitest';
import { parseDefaultsConfig } from '../../src/lib/apis/config/defaults.js';
import {
  setConfigurationDefaults,
  setDomainMappingDefaults,
  setRevisionDefaults,
  setRouteDefaults,
  setServiceDefaults,
} from '../../src/lib/apis/defaults.js';
import {
  configuration,
  domainMapping,
  revision,
  route,
  service,
  withRevisionName,
  withTraffic,
} from './fixtures.js';

describe('Service defaults', () => {
  it('fills Knative defaults on create', () => {
    const svc = service('hello');
    setServiceDefaults(svc, { username: 'alice' });
    expect(svc.metadata.annotations).toEqual({
      'serving.knative.dev/creator': 'alice',
      'serving.knative.dev/lastModifier': 'alice',
    });
    expect(svc.spec).toEqual({
      template: {
        spec: {
          containerConcurrency: 0,
          timeoutSeconds: 300,
          enableServiceLinks: false,
          containers: [
            {
              name: 'user-container',
              image: 'ghcr.io/knative/helloworld-go:latest',
              resources: {},
              readinessProbe: { tcpSocket: { port: 0 }, successThreshold: 1 },
            },
          ],
        },
      },
      traffic: [{ percent: 100, latestRevision: true }],
    });
  });

  it('is idempotent', () => {
    const svc = service('hello');
    setServiceDefaults(svc, { username: 'alice' });
    const once = structuredClone(svc);
    setServiceDefaults(svc, { username: 'alice' }, once);
    expect(svc).toEqual(once);
  });

  it('defaults each traffic target', () => {
    const svc = service(
      'hello',
      withTraffic({ revisionName: 'hello-00001', percent: 100 }, { tag: 'latest' }),
    );
    setServiceDefaults(svc);
    expect(svc.spec.traffic).toEqual([
      { revisionName: 'hello-00001', percent: 100, latestRevision: false },
      { tag: 'latest', latestRevision: true, percent: 0 },
    ]);
  });

  it('names multiple containers user-container-N and probes only the serving one', () => {
    const svc = service('hello');
    svc.spec.template.spec.containers = [
      { image: 'a:1', ports: [{ containerPort: 8080 }] },
      { image: 'b:1' },
    ];
    setServiceDefaults(svc);
    const [a, b] = svc.spec.template.spec.containers;
    expect([a.name, b.name]).toEqual(['user-container-0', 'user-container-1']);
    expect(a.readinessProbe).toEqual({ tcpSocket: { port: 0 }, successThreshold: 1 });
    expect(b.readinessProbe).toBeUndefined();
  });

  it('generated names skip user-supplied ones', () => {
    const svc = service('hello');
    svc.spec.template.spec.containers = [
      { name: 'user-container-0', image: 'a:1', ports: [{ containerPort: 8080 }] },
      { image: 'b:1' },
      { image: 'c:1', readinessProbe: { exec: { command: ['true'] } } },
    ];
    setServiceDefaults(svc);
    const cs = svc.spec.template.spec.containers;
    expect(cs.map((c) => c.name)).toEqual(['user-container-0', 'user-container-1', 'user-container-2']);
    // Sidecars keep their own probes, with the thresholds defaulted.
    expect(cs[2].readinessProbe).toEqual({ exec: { command: ['true'] }, successThreshold: 1 });
  });

  it('keeps user probes and fills thresholds when periodSeconds is set', () => {
    const svc = service('hello');
    svc.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: '/healthz' }, periodSeconds: 5 };
    setServiceDefaults(svc);
    expect(svc.spec.template.spec.containers[0].readinessProbe).toEqual({
      httpGet: { path: '/healthz' },
      periodSeconds: 5,
      successThreshold: 1,
      failureThreshold: 3,
      timeoutSeconds: 1,
    });
  });

  it('uses config-defaults', () => {
    const defaults = parseDefaultsConfig({
      metadata: {},
      data: {
        'revision-timeout-seconds': '120',
        'container-concurrency': '10',
        'revision-cpu-request': '100m',
      },
    });
    const svc = service('hello');
    setServiceDefaults(svc, { defaults });
    const spec = svc.spec.template.spec;
    expect([spec.timeoutSeconds, spec.containerConcurrency]).toEqual([120, 10]);
    expect(spec.containers[0].resources).toEqual({ requests: { cpu: '100m' } });
    // 300s response-start default is not shorter than... it is longer than 120: left unset.
    expect(spec.responseStartTimeoutSeconds).toBeUndefined();
  });

  it('renders container-name-template against the parent', () => {
    const defaults = parseDefaultsConfig({ metadata: {}, data: { 'container-name-template': '{{.Name}}' } });
    const svc = service('hello');
    setServiceDefaults(svc, { defaults });
    expect(svc.spec.template.spec.containers[0].name).toBe('hello');
  });

  it('sets responseStartTimeoutSeconds only when shorter than the timeout', () => {
    const svc = service('hello');
    svc.spec.template.spec.timeoutSeconds = 600;
    setServiceDefaults(svc);
    expect(svc.spec.template.spec.responseStartTimeoutSeconds).toBe(300);
  });

  it('marks config mounts read-only', () => {
    const svc = service('hello');
    svc.spec.template.spec.volumes = [
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'tmp', emptyDir: {} },
    ];
    svc.spec.template.spec.containers[0].volumeMounts = [
      { name: 'cfg', mountPath: '/etc/cfg' },
      { name: 'tmp', mountPath: '/tmp' },
    ];
    setServiceDefaults(svc);
    expect(svc.spec.template.spec.containers[0].volumeMounts).toEqual([
      { name: 'cfg', mountPath: '/etc/cfg', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
  });

  it('lastModifier changes only when the spec changes; creator never', () => {
    const old = service('hello');
    setServiceDefaults(old, { username: 'alice' });
    const same = structuredClone(old);
    setServiceDefaults(same, { username: 'bob' }, old);
    expect(same.metadata.annotations).toEqual(old.metadata.annotations);
    const changed = structuredClone(old);
    changed.spec.template.spec.containers[0].image = 'x:2';
    setServiceDefaults(changed, { username: 'bob' }, old);
    expect(changed.metadata.annotations).toEqual({
      'serving.knative.dev/creator': 'alice',
      'serving.knative.dev/lastModifier': 'bob',
    });
  });

  it('skips template defaults on an update that keeps the BYO revision name', () => {
    const old = service('hello', withRevisionName('hello-v1'));
    setServiceDefaults(old);
    const next = structuredClone(old);
    delete next.spec.template.spec.timeoutSeconds;
    setServiceDefaults(next, {}, old);
    expect(next.spec.template.spec.timeoutSeconds).toBeUndefined();
    next.spec.template.metadata!.name = 'hello-v2';
    setServiceDefaults(next, {}, old);
    expect(next.spec.template.spec.timeoutSeconds).toBe(300);
  });

  it('does not add enableServiceLinks on update', () => {
    const old = service('hello');
    setServiceDefaults(old);
    const next = structuredClone(old);
    delete next.spec.template.spec.enableServiceLinks;
    setServiceDefaults(next, {}, old);
    expect(next.spec.template.spec.enableServiceLinks).toBeUndefined();
  });
});

describe('other kinds', () => {
  it('Configuration: user info only without owners', () => {
    const owned = configuration('hello');
    owned.metadata.ownerReferences = [
      { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', uid: 'u' },
    ];
    setConfigurationDefaults(owned, { username: 'controller' });
    expect(owned.metadata.annotations).toBeUndefined();
    expect(owned.spec.template.spec.timeoutSeconds).toBe(300);
    const mine = configuration('hello');
    setConfigurationDefaults(mine, { username: 'alice' });
    expect(mine.metadata.annotations?.['serving.knative.dev/creator']).toBe('alice');
  });

  it('Route: no default traffic for standalone routes; per-target defaults', () => {
    const empty = route('r', []);
    setRouteDefaults(empty);
    expect(empty.spec.traffic).toEqual([]);
    const r = route('r', [{ configurationName: 'c', percent: 100 }, { revisionName: 'c-00001' }]);
    setRouteDefaults(r);
    expect(r.spec.traffic).toEqual([
      { configurationName: 'c', percent: 100, latestRevision: true },
      { revisionName: 'c-00001', latestRevision: false, percent: 0 },
    ]);
  });

  it('Revision: defaults on create only', () => {
    const rev = revision('hello-00001');
    setRevisionDefaults(rev);
    expect(rev.spec.containers[0].name).toBe('user-container');
    const next = structuredClone(rev);
    delete next.spec.timeoutSeconds;
    setRevisionDefaults(next, {}, rev);
    expect(next.spec.timeoutSeconds).toBeUndefined();
  });

  it('DomainMapping: ref namespace and user info', () => {
    const dm = domainMapping('hello.example.com');
    setDomainMappingDefaults(dm, { username: 'alice' });
    expect(dm.spec.ref.namespace).toBe('default');
    expect(dm.metadata.annotations?.['serving.knative.dev/lastModifier']).toBe('alice');
  });
});
