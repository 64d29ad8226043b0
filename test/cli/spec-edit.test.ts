/**
 * Table tests for every flag → spec edit: key/value grammar, env (and ConfigMap/Secret forms),
 * ports, resources, scale, probes, volumes and mounts, revision names, images, labels/annotations,
 * and the whole applyServiceFlags on a service.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Container, RevisionSpec, RevisionTemplateSpec, Service } from '../../src/lib/apis/types.js';
import { parseKeyValues, applyMapEdits } from '../../src/lib/cli/kv.js';
import {
  applyProbeOptions,
  editEnv,
  editEnvFrom,
  editEnvValueFrom,
  editMounts,
  editResources,
  editVolumes,
  generateVolumeName,
  parsePort,
  parseProbe,
  parsePullPolicy,
  readEnvFile,
} from '../../src/lib/cli/podspec-edit.js';
import { editScale, parseScale, type ScaleFlagValues } from '../../src/lib/cli/scale.js';
import {
  applyServiceFlags,
  checkServiceName,
  expandRevisionName,
  makeService,
  resolveImage,
  templateChanged,
  validateServiceLocally,
} from '../../src/lib/cli/service-edit.js';
import { KnError } from '../../src/lib/client/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'knlite-cli-edit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function errorOf(fn: () => unknown): KnError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KnError);
    return e as KnError;
  }
  throw new Error('expected an error');
}

describe('key=value grammar', () => {
  it.each([
    [
      ['A=1', 'B=x=y', 'C='],
      {
        set: [
          ['A', '1'],
          ['B', 'x=y'],
          ['C', ''],
        ],
        remove: [],
      },
    ],
    [['A-', 'B=2'], { set: [['B', '2']], remove: ['A'] }],
  ])('%j', (values, want) => expect(parseKeyValues(values, 'env')).toEqual(want));
  it.each([
    ['FOO', "invalid --label 'FOO': expected KEY=value, or KEY- to remove"],
    ['=x', "invalid --label '=x': the key before '=' is empty"],
  ])('%s is refused', (v, msg) => expect(() => parseKeyValues([v], 'label')).toThrow(msg));
  it('applies edits to maps', () => {
    expect(applyMapEdits({ a: '1', b: '2' }, { set: [['c', '3']], remove: ['a'] })).toEqual({
      b: '2',
      c: '3',
    });
    expect(applyMapEdits({ a: '1' }, { set: [], remove: ['a'] })).toBeUndefined();
  });
});

describe('env', () => {
  it.each<[Container['env'], string[], Container['env']]>([
    [
      undefined,
      ['A=1', 'B=2'],
      [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    ],
    [
      [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
      ['A=9', 'C=3'],
      [
        { name: 'A', value: '9' },
        { name: 'B', value: '2' },
        { name: 'C', value: '3' },
      ],
    ],
    [
      [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
      ['A-'],
      [{ name: 'B', value: '2' }],
    ],
    [[{ name: 'A', value: '1' }], ['A-'], undefined],
  ])('%j + %j', (before, values, want) => {
    const c: Container = { env: before };
    editEnv(c, values);
    expect(c.env).toEqual(want);
  });
  it('refuses bad names and values', () => {
    expect(errorOf(() => editEnv({}, ['1A=x'])).message).toContain("invalid --env name '1A'");
    expect(errorOf(() => editEnv({}, ['NOVALUE'])).message).toBe(
      "invalid --env 'NOVALUE': expected NAME=value, or NAME- to remove",
    );
  });
  it('reads env files (blank lines and comments skipped)', () => {
    const f = join(tmp, 'env');
    writeFileSync(f, 'A=1\n\n# comment\nB=two words\n');
    expect(readEnvFile(f)).toEqual(['A=1', 'B=two words']);
    expect(errorOf(() => readEnvFile(join(tmp, 'missing'))).message).toContain('cannot read --env-file');
  });
  it('sets values from ConfigMaps and Secrets', () => {
    const c: Container = {};
    editEnvValueFrom(c, ['A=cm:cfg:key', 'B=config-map:cfg:k2', 'C=secret:s:pw', 'D=sc:s:pw2']);
    expect(c.env).toEqual([
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'key' } } },
      { name: 'B', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k2' } } },
      { name: 'C', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
      { name: 'D', valueFrom: { secretKeyRef: { name: 's', key: 'pw2' } } },
    ]);
    editEnvValueFrom(c, ['A-']);
    expect(c.env!.map((e) => e.name)).toEqual(['B', 'C', 'D']);
    expect(errorOf(() => editEnvValueFrom({}, ['A=cm:only'])).message).toContain(
      "invalid --env-value-from 'A=cm:only'",
    );
  });
  it('adds and removes envFrom sources', () => {
    const c: Container = {};
    editEnvFrom(c, ['cm:a', 'config-map:b', 'secret:c', 'sc:d']);
    expect(c.envFrom).toEqual([
      { configMapRef: { name: 'a' } },
      { configMapRef: { name: 'b' } },
      { secretRef: { name: 'c' } },
      { secretRef: { name: 'd' } },
    ]);
    editEnvFrom(c, ['cm:a-', 'secret:c-']);
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'b' } }, { secretRef: { name: 'd' } }]);
    expect(errorOf(() => editEnvFrom({}, ['vault:x'])).message).toContain("invalid --env-from 'vault:x'");
  });
});

describe('ports, resources, pull policy', () => {
  it.each([
    ['8080', { containerPort: 8080 }],
    ['h2c:8080', { name: 'h2c', containerPort: 8080 }],
  ])('--port %s', (v, want) => expect(parsePort(v)).toEqual(want));
  it.each(['abc', '0', '70000', 'h2c:', ':80', 'a:b:80'])("--port %s is refused with kn's message", (v) => {
    expect(() => parsePort(v)).toThrow(
      `the port specification '${v}' is not valid. Please provide in the format 'NAME:PORT', where 'NAME' is optional.`,
    );
  });
  it('edits requests and limits', () => {
    const c: Container = {};
    editResources(c, 'requests', ['cpu=100m', 'memory=256Mi']);
    editResources(c, 'limits', ['nvidia.com/gpu=1']);
    expect(c.resources).toEqual({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { 'nvidia.com/gpu': '1' },
    });
    editResources(c, 'requests', ['cpu-']);
    editResources(c, 'limits', ['nvidia.com/gpu-']);
    expect(c.resources).toEqual({ requests: { memory: '256Mi' } });
    expect(errorOf(() => editResources({}, 'requests', ['cpu=lots'])).message).toContain(
      "invalid --request 'cpu=lots'",
    );
  });
  it('normalises pull policies', () => {
    expect(parsePullPolicy('ifnotpresent')).toBe('IfNotPresent');
    expect(() => parsePullPolicy('sometimes')).toThrow(
      'invalid --pull-policy sometimes. Valid arguments (case insensitive): Always | Never | IfNotPresent',
    );
  });
});

describe('scale', () => {
  it.each([
    ['5', { min: 5, max: 5 }],
    ['1..5', { min: 1, max: 5 }],
    ['1..', { min: 1 }],
    ['..5', { max: 5 }],
    ['0..0', { min: 0, max: 0 }],
  ])('--scale %s', (v, want) => expect(parseScale(v)).toEqual(want));
  it.each(['x', '1..2..3', '..', '-1', '1.5', '5..1'])('--scale %s is refused', (v) =>
    expect(() => parseScale(v)).toThrow(),
  );

  const template = (): RevisionTemplateSpec => ({ spec: { containers: [{}] } });
  it.each<[ScaleFlagValues, Record<string, string>]>([
    [
      { scale: '2..4' },
      { 'autoscaling.knative.dev/min-scale': '2', 'autoscaling.knative.dev/max-scale': '4' },
    ],
    [
      { 'scale-min': 1, 'scale-max': 3, 'scale-init': 0, 'scale-activation': 2 },
      {
        'autoscaling.knative.dev/min-scale': '1',
        'autoscaling.knative.dev/max-scale': '3',
        'autoscaling.knative.dev/initial-scale': '0',
        'autoscaling.knative.dev/activation-scale': '2',
      },
    ],
    [
      { 'scale-target': 10, 'scale-metric': 'rps', 'scale-utilization': 80, 'scale-window': '30s' },
      {
        'autoscaling.knative.dev/target': '10',
        'autoscaling.knative.dev/metric': 'rps',
        'autoscaling.knative.dev/target-utilization-percentage': '80',
        'autoscaling.knative.dev/window': '30s',
      },
    ],
  ])('%j → template annotations', (flags, want) => {
    const t = template();
    editScale(t, flags);
    expect(t.metadata?.annotations).toEqual(want);
  });
  it('sets containerConcurrency and timeoutSeconds', () => {
    const t = template();
    editScale(t, { 'concurrency-limit': 10, timeout: 30 });
    expect(t.spec).toMatchObject({ containerConcurrency: 10, timeoutSeconds: 30 });
  });
  it.each<[ScaleFlagValues, string, number]>([
    [{ scale: '1', 'scale-max': 2 }, 'only --scale or --scale-max can be specified', 2],
    [{ scale: '1', 'scale-min': 2 }, 'only --scale or --scale-min can be specified', 2],
    [
      { 'scale-init': 1, annotation: ['autoscaling.knative.dev/initial-scale=2'] },
      'only one of the --scale-init or --annotation autoscaling.knative.dev/initial-scale can be specified',
      2,
    ],
    [{ 'scale-min': -1 }, 'expected 0 <= -1 <= 2147483647: autoscaling.knative.dev/min-scale', 1],
    [{ 'scale-target': 0 }, 'should be at least 0.01', 1],
    [{ 'scale-utilization': 101 }, 'expected 1 <= 101 <= 100', 1],
    [{ 'scale-window': 'soon' }, "invalid --scale-window 'soon'", 1],
    [{ 'scale-window': '2s' }, 'must be between 6s and 1h', 1],
    [{ 'scale-metric': 'vibes' }, "invalid --scale-metric 'vibes'", 1],
    [{ 'scale-min': 5, 'scale-max': 2 }, 'min-scale 5 is greater than max-scale 2', 1],
    [{ 'concurrency-limit': -1 }, 'invalid concurrency-limit -1 (must not be less than 0)', 1],
  ])('%j is refused', (flags, msg, exitCode) => {
    const e = errorOf(() => editScale(template(), flags));
    expect(e.message).toContain(msg);
    expect(e.exitCode).toBe(exitCode);
  });
  it('--scale-window takes Go durations with a unit', () => {
    const t = template();
    editScale(t, { 'scale-window': '1m30s' });
    expect(t.metadata?.annotations).toEqual({ 'autoscaling.knative.dev/window': '1m30s' });
    expect(errorOf(() => editScale(template(), { 'scale-window': '10' })).message).toBe(
      "invalid --scale-window '10': expected a duration such as 10s or 1m",
    );
  });
});

describe('probes', () => {
  it.each([
    ['http::8080:/healthz', { httpGet: { port: 8080, path: '/healthz' } }],
    ['https:example.com::/', { httpGet: { host: 'example.com', path: '/', scheme: 'HTTPS' } }],
    ['http:::', { httpGet: { path: '/' } }],
    ['tcp::8080', { tcpSocket: { port: 8080 } }],
    ['exec:cat,/tmp/ready', { exec: { command: ['cat', '/tmp/ready'] } }],
  ])('%s', (v, want) => expect(parseProbe(v, 'probe-readiness')).toEqual(want));
  it.each(['http:8080', 'tcp:host', 'exec:', 'grpc::8080'])('%s is refused', (v) =>
    expect(() => parseProbe(v, 'probe-liveness')).toThrow('invalid --probe-liveness'),
  );
  it('applies options', () => {
    expect(
      applyProbeOptions({ tcpSocket: { port: 1 } }, 'InitialDelaySeconds=5,failureThreshold=3', 'x'),
    ).toEqual({
      tcpSocket: { port: 1 },
      initialDelaySeconds: 5,
      failureThreshold: 3,
    });
    expect(() => applyProbeOptions({}, 'Foo=1', 'probe-readiness-opts')).toThrow(
      "invalid --probe-readiness-opts 'Foo=1'",
    );
  });
});

describe('volumes and mounts', () => {
  it('defines and removes volumes', () => {
    const spec: RevisionSpec = { containers: [{}] };
    editVolumes(spec, [
      'cfg=cm:app-config',
      'creds=secret:db',
      'scratch=ed',
      'mem=emptyDir:mem:type=Memory,size=1Gi',
      'data=pvc:claim',
    ]);
    expect(spec.volumes).toEqual([
      { name: 'cfg', configMap: { name: 'app-config' } },
      { name: 'creds', secret: { secretName: 'db' } },
      { name: 'scratch', emptyDir: {} },
      { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'claim' } },
    ]);
    editVolumes(spec, ['cfg-', 'creds-', 'scratch-', 'mem-', 'data-']);
    expect(spec.volumes).toBeUndefined();
    expect(() => editVolumes(spec, ['x=nfs:server'])).toThrow("invalid --volume 'x=nfs:server'");
  });
  it('mounts ConfigMaps, Secrets, emptyDirs and existing volumes, and unmounts', () => {
    const spec: RevisionSpec = { containers: [{}] };
    const c = spec.containers[0];
    editVolumes(spec, ['shared=ed']);
    editMounts(spec, c, [
      '/etc/config=cm:app-config',
      '/etc/secret=sc:db/sub/path',
      '/tmp/cache=ed:cache',
      '/shared=shared',
    ]);
    const cmVol = generateVolumeName('/etc/config');
    const scVol = generateVolumeName('/etc/secret');
    expect(c.volumeMounts).toEqual([
      { name: cmVol, mountPath: '/etc/config', readOnly: true },
      { name: scVol, mountPath: '/etc/secret', readOnly: true, subPath: 'sub/path' },
      { name: 'cache', mountPath: '/tmp/cache' },
      { name: 'shared', mountPath: '/shared' },
    ]);
    expect(spec.volumes).toEqual([
      { name: 'shared', emptyDir: {} },
      { name: cmVol, configMap: { name: 'app-config' } },
      { name: scVol, secret: { secretName: 'db' } },
      { name: 'cache', emptyDir: {} },
    ]);
    editMounts(spec, c, ['/etc/config-']);
    expect(c.volumeMounts!.map((m) => m.mountPath)).toEqual(['/etc/secret', '/tmp/cache', '/shared']);
    expect(spec.volumes!.map((v) => v.name)).not.toContain(cmVol);
  });
  it.each([
    ['relative=cm:x', "the mount path 'relative' must be absolute"],
    ['/x=nfs:server', "unknown volume type 'nfs:'"],
    ['/x=nosuchvolume', "there is no volume named 'nosuchvolume'"],
    ['/x', 'expected /path=cm:CONFIGMAP'],
  ])('--mount %s is refused', (v, msg) => {
    const spec: RevisionSpec = { containers: [{}] };
    expect(() => editMounts(spec, spec.containers[0], [v])).toThrow(msg);
  });
  it('generates DNS-safe volume names', () => {
    expect(generateVolumeName('/etc/Config_dir')).toMatch(/^etc-config-dir-[0-9a-f]{6}$/);
  });
});

describe('names and images', () => {
  it.each([
    ['v1', 'hello-v1'],
    ['hello-v1', 'hello-v1'],
    ['{{.Service}}-{{.Generation}}', 'hello-3'],
    ['{{.Service}}-{{.Random 5}}', 'hello-aaaaa'],
  ])('--revision-name %s', (tpl, want) =>
    expect(expandRevisionName(tpl, 'hello', 3, (n) => 'a'.repeat(n))).toBe(want),
  );
  it.each(['{{.Unknown}}', 'Upper', 'x'.repeat(70)])('--revision-name %s is refused', (tpl) =>
    expect(() => expandRevisionName(tpl, 'hello', 1)).toThrow('--revision-name'),
  );
  it.each(['Hello', '1abc', 'a_b', 'x'.repeat(64), 'end-'])('service name %s is refused', (n) =>
    expect(() => checkServiceName(n)).toThrow(`invalid service name '${n}'`),
  );
  it('turns local directories into file:// images', () => {
    mkdirSync(join(tmp, 'app'), { recursive: true });
    expect(resolveImage('./app', tmp)).toBe(`file://${join(tmp, 'app')}`);
    expect(resolveImage(join(tmp, 'app'))).toBe(`file://${join(tmp, 'app')}`);
    expect(resolveImage('file:///x')).toBe('file:///x');
    expect(resolveImage('ghcr.io/knative/helloworld-go:latest', tmp)).toBe(
      'ghcr.io/knative/helloworld-go:latest',
    );
    expect(() => resolveImage('./missing', tmp)).toThrow('--image ./missing looks like a local directory');
  });
});

describe('applyServiceFlags', () => {
  it('lands every flag family in the spec', () => {
    const svc = makeService('hello', 'default');
    applyServiceFlags(
      svc,
      {
        image: 'ghcr.io/knative/helloworld-go',
        env: ['TARGET=knlite'],
        'env-from': ['cm:shared'],
        'env-value-from': ['PW=secret:db:password'],
        port: 'h2c:8080',
        cmd: ['node'],
        arg: ['server.js', '--verbose'],
        request: ['cpu=100m'],
        limit: ['memory=1Gi'],
        scale: '1..3',
        'concurrency-limit': 5,
        timeout: 60,
        'revision-name': '{{.Service}}-v{{.Generation}}',
        label: ['team=a'],
        'label-service': ['tier=web'],
        'label-revision': ['canary=yes'],
        annotation: ['note=x', 'autoscaling.knative.dev/class=kpa.autoscaling.knative.dev'],
        'annotation-service': ['owner=me'],
        'annotation-revision': ['rev=1'],
        'cluster-local': true,
        'service-account': 'runner',
        'pull-secret': 'regcred',
        'pull-policy': 'always',
        user: 1001,
        'probe-readiness': 'http::8080:/ready',
        'probe-readiness-opts': 'PeriodSeconds=5',
        'probe-liveness': 'tcp::8080',
        volume: ['cache=ed'],
        mount: ['/cache=cache'],
      },
      { random: () => 'x' },
    );
    expect(svc.metadata.labels).toEqual({
      team: 'a',
      tier: 'web',
      'networking.knative.dev/visibility': 'cluster-local',
    });
    expect(svc.metadata.annotations).toEqual({ note: 'x', owner: 'me' });
    const t = svc.spec.template;
    expect(t.metadata).toMatchObject({
      name: 'hello-v1',
      labels: { team: 'a', canary: 'yes' },
      annotations: {
        note: 'x',
        rev: '1',
        'autoscaling.knative.dev/class': 'kpa.autoscaling.knative.dev',
        'autoscaling.knative.dev/min-scale': '1',
        'autoscaling.knative.dev/max-scale': '3',
        'client.knative.dev/user-image': 'ghcr.io/knative/helloworld-go',
      },
    });
    expect(t.spec).toMatchObject({
      containerConcurrency: 5,
      timeoutSeconds: 60,
      serviceAccountName: 'runner',
      imagePullSecrets: [{ name: 'regcred' }],
      volumes: [{ name: 'cache', emptyDir: {} }],
    });
    expect(t.spec.containers[0]).toEqual({
      image: 'ghcr.io/knative/helloworld-go',
      env: [
        { name: 'TARGET', value: 'knlite' },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      ],
      envFrom: [{ configMapRef: { name: 'shared' } }],
      ports: [{ name: 'h2c', containerPort: 8080 }],
      command: ['node'],
      args: ['server.js', '--verbose'],
      resources: { requests: { cpu: '100m' }, limits: { memory: '1Gi' } },
      imagePullPolicy: 'Always',
      securityContext: { runAsUser: 1001 },
      readinessProbe: { httpGet: { port: 8080, path: '/ready' }, periodSeconds: 5 },
      livenessProbe: { tcpSocket: { port: 8080 } },
      volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
    });
    expect(() => validateServiceLocally(svc)).not.toThrow();
  });

  it('removes with NAME- forms and clears with empty values', () => {
    const svc = makeService('hello', 'default');
    applyServiceFlags(svc, {
      image: 'x',
      env: ['A=1'],
      label: ['a=1'],
      annotation: ['b=2'],
      'service-account': 'sa',
      'pull-secret': 'ps',
      'cluster-local': true,
    });
    const before = structuredClone(svc);
    applyServiceFlags(svc, {
      env: ['A-'],
      label: ['a-'],
      annotation: ['b-'],
      'service-account': '',
      'pull-secret': '',
      'cluster-local': false,
    });
    expect(svc.metadata.labels).toBeUndefined();
    expect(svc.metadata.annotations).toBeUndefined();
    expect(svc.spec.template.spec.containers[0].env).toBeUndefined();
    expect(svc.spec.template.spec.serviceAccountName).toBeUndefined();
    expect(svc.spec.template.spec.imagePullSecrets).toBeUndefined();
    expect(templateChanged(before, svc)).toBe(true);
  });

  it('keeps autoscaling annotations off the service', () => {
    const svc = makeService('hello', 'default');
    expect(() =>
      applyServiceFlags(svc, { 'annotation-service': ['autoscaling.knative.dev/min-scale=1'] }),
    ).toThrow(
      "service can not have auto-scaling related annotation: autoscaling.knative.dev/min-scale , please update using '--annotation-revision'",
    );
  });

  it('--rollout-duration sets the service annotation (the legacy spelling goes), never the template', () => {
    const svc = makeService('hello', 'default');
    svc.metadata.annotations = { 'serving.knative.dev/rolloutDuration': '1m' };
    applyServiceFlags(svc, { 'rollout-duration': '90s' });
    expect(svc.metadata.annotations).toEqual({ 'serving.knative.dev/rollout-duration': '90s' });
    expect(svc.spec.template.metadata?.annotations).toBeUndefined();
    applyServiceFlags(svc, { 'rollout-duration': '0' });
    expect(svc.metadata.annotations).toEqual({ 'serving.knative.dev/rollout-duration': '0' });
  });

  it.each(['90', 'soon', '1.5s', '-5s', ''])('--rollout-duration %j is refused', (value) => {
    const e = errorOf(() =>
      applyServiceFlags(makeService('hello', 'default'), { 'rollout-duration': value }),
    );
    expect(e.message).toBe(
      `invalid --rollout-duration '${value}': expected a whole number of seconds with a unit, such as 90s, 5m or 0`,
    );
    expect(e.exitCode).toBe(1);
  });

  it("refuses what Knative's webhook would refuse, before sending", () => {
    const svc: Service = makeService('hello', 'default');
    applyServiceFlags(svc, { image: 'x', 'concurrency-limit': 5000 });
    expect(() => validateServiceLocally(svc)).toThrow('validation failed');
    const noImage = makeService('hello', 'default');
    expect(() => validateServiceLocally(noImage)).toThrow(
      "service 'hello' has no image: provide one with --image",
    );
  });
});
