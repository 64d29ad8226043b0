import { describe, expect, it } from 'vitest';
import { parseAutoscalerConfig } from '../../src/lib/apis/config/autoscaler.js';
import { setServiceDefaults } from '../../src/lib/apis/defaults.js';
import {
  FieldError,
  validateConfiguration,
  validateDomainMapping,
  validateRevision,
  validateRoute,
  validateService,
  validationFailedMessage,
} from '../../src/lib/apis/validation.js';
import type { Service } from '../../src/lib/apis/types.js';
import {
  configuration,
  domainMapping,
  revision,
  route,
  service,
  withAnnotations,
  withContainer,
  withLabels,
  withRevisionName,
  withTemplateAnnotations,
  withTemplateSpec,
  withTraffic,
} from './fixtures.js';

const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Validates a defaulted Service, as admission does. */
function check(svc: Service, old?: Service): string | undefined {
  setServiceDefaults(svc);
  return validateService(svc, old)?.message;
}

describe('FieldError rendering', () => {
  it('merges identical messages, sorts paths and errors, appends details', () => {
    const err = new FieldError([
      { message: 'zeta', paths: ['b'] },
      { message: 'alpha', paths: ['y'], details: 'why' },
      { message: 'zeta', paths: ['a'] },
    ]).viaField('spec');
    expect(err.message).toBe('alpha: spec.y\nwhy\nzeta: spec.a, spec.b');
    expect(validationFailedMessage(err)).toBe('validation failed: alpha: spec.y\nwhy\nzeta: spec.a, spec.b');
  });
  it('glues indices to fields', () => {
    expect(FieldError.of('x', ['name']).viaIndex(0).viaField('containers').viaField('spec').message).toBe(
      'x: spec.containers[0].name',
    );
  });
});

describe('Service validation', () => {
  it('accepts a defaulted minimal Service', () => {
    expect(check(service('hello'))).toBeUndefined();
  });

  const cases: [string, Service, string][] = [
    [
      'traffic sum',
      service('hello', withTraffic({ latestRevision: true, percent: 90 })),
      'Traffic targets sum to 90, want 100: spec.traffic',
    ],
    [
      'percent out of range',
      service('hello', withTraffic({ latestRevision: true, percent: 101 })),
      'Traffic targets sum to 101, want 100: spec.traffic\nexpected 0 <= 101 <= 100: spec.traffic[0].percent',
    ],
    [
      'negative percent',
      service(
        'hello',
        withTraffic({ latestRevision: true, percent: -5 }, { revisionName: 'hello-00001', percent: 105 }),
      ),
      'expected 0 <= -5 <= 100: spec.traffic[0].percent\nexpected 0 <= 105 <= 100: spec.traffic[1].percent',
    ],
    [
      'duplicate tag',
      service(
        'hello',
        withTraffic(
          { tag: 'foo', latestRevision: true, percent: 50 },
          { tag: 'foo', revisionName: 'hello-00001', percent: 50 },
        ),
      ),
      'Multiple definitions for "foo": spec.traffic[0].tag, spec.traffic[1].tag',
    ],
    [
      'invalid tag',
      service('hello', withTraffic({ tag: 'Foo', latestRevision: true, percent: 100 })),
      `invalid value: not a DNS 1035 label: [${DNS1035}]: spec.traffic.tag[0]`,
    ],
    [
      'configurationName in a Service',
      service('hello', withTraffic({ configurationName: 'hello', percent: 100 })),
      'must not set the field(s): spec.traffic[0].configurationName',
    ],
    [
      'revisionName with latestRevision true',
      service('hello', withTraffic({ revisionName: 'bar', latestRevision: true, percent: 100 })),
      'may not set revisionName "bar" when latestRevision is true: spec.traffic[0].latestRevision',
    ],
    [
      'latestRevision false without revisionName',
      service('hello', withTraffic({ latestRevision: false, percent: 100 })),
      'may not set revisionName "" when latestRevision is false: spec.traffic[0].latestRevision',
    ],
    [
      'url in spec',
      service('hello', withTraffic({ latestRevision: true, percent: 100, url: 'http://x' })),
      'must not set the field(s): spec.traffic[0].url',
    ],
    [
      'name too long',
      service('a'.repeat(64)),
      `not a DNS 1035 label: [must be no more than 63 characters]: metadata.name`,
    ],
    ['name not DNS-1035', service('1hello'), `not a DNS 1035 label: [${DNS1035}]: metadata.name`],
    [
      'BYO name without prefix',
      service('hello', withRevisionName('foo')),
      'invalid value: "foo" must have prefix "hello-": spec.template.metadata.name',
    ],
    [
      'BYO name not DNS-1035',
      service('hello', withRevisionName('hello-Foo')),
      `invalid value: not a DNS 1035 label: [${DNS1035}]: spec.template.metadata.name`,
    ],
    [
      'reserved env var',
      service(
        'hello',
        withContainer((c) => (c.env = [{ name: 'K_SERVICE', value: 'x' }])),
      ),
      '"K_SERVICE" is a reserved environment variable: spec.template.spec.containers[0].env[0].name',
    ],
    [
      'PORT env var',
      service(
        'hello',
        withContainer(
          (c) =>
            (c.env = [
              { name: 'OK', value: '1' },
              { name: 'PORT', value: '1' },
            ]),
        ),
      ),
      '"PORT" is a reserved environment variable: spec.template.spec.containers[0].env[1].name',
    ],
    [
      'reserved port',
      service(
        'hello',
        withContainer((c) => (c.ports = [{ containerPort: 8012 }])),
      ),
      'invalid value: 8012 is a reserved port: spec.template.spec.containers[0].ports.containerPort\n8012 is a reserved port, please use a different value',
    ],
    [
      'two ports',
      service(
        'hello',
        withContainer((c) => (c.ports = [{ containerPort: 8080 }, { containerPort: 8081 }])),
      ),
      'more than one container port is set: spec.template.spec.containers[*].ports\nOnly a single port is allowed across all containers',
    ],
    [
      'bad port name',
      service(
        'hello',
        withContainer((c) => (c.ports = [{ name: 'grpc', containerPort: 8080 }])),
      ),
      "Port name grpc is not allowed: spec.template.spec.containers[0].ports\nName must be empty, or one of: 'h2c', 'http1'",
    ],
    [
      'timeout too long',
      service(
        'hello',
        withTemplateSpec((s) => (s.timeoutSeconds = 601)),
      ),
      'expected 0 <= 601 <= 600: spec.template.spec.timeoutSeconds',
    ],
    [
      'containerConcurrency too high',
      service(
        'hello',
        withTemplateSpec((s) => (s.containerConcurrency = 1001)),
      ),
      'expected 0 <= 1001 <= 1000: spec.template.spec.containerConcurrency',
    ],
    [
      'missing image',
      service(
        'hello',
        withContainer((c) => delete c.image),
      ),
      'missing field(s): spec.template.spec.containers[0].image',
    ],
    [
      'unparseable image',
      service(
        'hello',
        withContainer((c) => (c.image = 'UPPER CASE')),
      ),
      'Failed to parse image reference: spec.template.spec.containers[0].image\nimage: "UPPER CASE", error: could not parse reference: UPPER CASE',
    ],
    [
      'disallowed container field',
      service(
        'hello',
        withContainer((c) => (c.stdin = true)),
      ),
      'must not set the field(s): spec.template.spec.containers[0].stdin',
    ],
    [
      'disallowed pod field',
      service(
        'hello',
        withTemplateSpec((s) => (s.nodeSelector = { a: 'b' })),
      ),
      'must not set the field(s): spec.template.spec.nodeSelector',
    ],
    [
      'queue-proxy container name',
      service(
        'hello',
        withContainer((c) => (c.name = 'queue-proxy')),
      ),
      '"queue-proxy" is a reserved container name: spec.template.spec.containers[0].name',
    ],
    [
      'service account',
      service(
        'hello',
        withTemplateSpec((s) => (s.serviceAccountName = 'foo@bar.baz')),
      ),
      "invalid value: foo@bar.baz: spec.template.spec.serviceAccountName\na lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
    [
      'autoscaling annotation on Service metadata',
      service('hello', withAnnotations({ 'autoscaling.knative.dev/min-scale': '1' })),
      'invalid key name "autoscaling.knative.dev/min-scale": metadata.annotations\nautoscaling annotations must be put under "spec.template.metadata.annotations" to work',
    ],
    [
      'min-scale > max-scale',
      service(
        'hello',
        withTemplateAnnotations({
          'autoscaling.knative.dev/min-scale': '5',
          'autoscaling.knative.dev/max-scale': '2',
        }),
      ),
      'max-scale=2 is less than min-scale=5: spec.template.metadata.annotations.autoscaling.knative.dev/max-scale, spec.template.metadata.annotations.autoscaling.knative.dev/min-scale',
    ],
    [
      'negative min-scale',
      service('hello', withTemplateAnnotations({ 'autoscaling.knative.dev/min-scale': '-1' })),
      'expected 0 <= -1 <= 2147483647: spec.template.metadata.annotations.autoscaling.knative.dev/min-scale',
    ],
    [
      'target too small',
      service('hello', withTemplateAnnotations({ 'autoscaling.knative.dev/target': '0.001' })),
      'target 0.001 should be at least 0.01: spec.template.metadata.annotations.autoscaling.knative.dev/target',
    ],
    [
      'window out of range',
      service('hello', withTemplateAnnotations({ 'autoscaling.knative.dev/window': '5s' })),
      'expected 6s <= 5s <= 1h0m0s: spec.template.metadata.annotations.autoscaling.knative.dev/window',
    ],
    [
      'window precision',
      service('hello', withTemplateAnnotations({ 'autoscaling.knative.dev/window': '7500ms' })),
      'must be specified with at most second precision: spec.template.metadata.annotations.autoscaling.knative.dev/window',
    ],
    [
      'bad KPA metric',
      service('hello', withTemplateAnnotations({ 'autoscaling.knative.dev/metric': 'cpu' })),
      'invalid value: cpu: spec.template.metadata.annotations.autoscaling.knative.dev/metric',
    ],
    [
      'bad class',
      service(
        'hello',
        withTemplateAnnotations({ 'autoscaling.knative.dev/class': 'foo.autoscaling.knative.dev' }),
      ),
      'invalid value: foo.autoscaling.knative.dev: spec.template.metadata.annotations.autoscaling.knative.dev/class',
    ],
    [
      'initial-scale 0 not allowed',
      service('hello', withTemplateAnnotations({ 'autoscaling.knative.dev/initial-scale': '0' })),
      'invalid value: 0: spec.template.metadata.annotations.autoscaling.knative.dev/initial-scale=0 not allowed by cluster',
    ],
    [
      'panic threshold',
      service(
        'hello',
        withTemplateAnnotations({ 'autoscaling.knative.dev/panic-threshold-percentage': '100' }),
      ),
      'expected 110 <= 100 <= 1000: spec.template.metadata.annotations.autoscaling.knative.dev/panic-threshold-percentage',
    ],
    [
      'target utilization',
      service(
        'hello',
        withTemplateAnnotations({ 'autoscaling.knative.dev/target-utilization-percentage': '0' }),
      ),
      'expected 1 <= 0 <= 100: spec.template.metadata.annotations.autoscaling.knative.dev/target-utilization-percentage',
    ],
    [
      'scale-down-delay',
      service('hello', withTemplateAnnotations({ 'autoscaling.knative.dev/scale-down-delay': '2h' })),
      'expected 0s <= 2h <= 1h0m0s: spec.template.metadata.annotations.autoscaling.knative.dev/scale-down-delay',
    ],
    [
      'rollout-duration',
      service('hello', withAnnotations({ 'serving.knative.dev/rollout-duration': '1.5s' })),
      'rollout-duration=1.5s is not at second precision: metadata.annotations.serving.knative.dev/rollout-duration',
    ],
    [
      'progress-deadline',
      service('hello', withTemplateAnnotations({ 'serving.knative.dev/progress-deadline': 'soon' })),
      'invalid value: soon: spec.template.metadata.annotations.serving.knative.dev/progress-deadline',
    ],
    [
      'visibility label',
      service('hello', withLabels({ 'networking.knative.dev/visibility': 'public' })),
      'invalid value: public: metadata.labels.networking.knative.dev/visibility',
    ],
    [
      'readiness probe knobs without periodSeconds',
      service(
        'hello',
        withContainer((c) => (c.readinessProbe = { httpGet: {}, failureThreshold: 3 })),
      ),
      'failureThreshold is disallowed when periodSeconds is zero: spec.template.spec.containers[0].readinessProbe.failureThreshold',
    ],
    [
      'probe with two handlers',
      service(
        'hello',
        withContainer((c) => (c.readinessProbe = { httpGet: {}, tcpSocket: {} })),
      ),
      'expected exactly one, got both: spec.template.spec.containers[0].readinessProbe.httpGet, spec.template.spec.containers[0].readinessProbe.tcpSocket',
    ],
    [
      'volume not mounted',
      service(
        'hello',
        withTemplateSpec((s) => (s.volumes = [{ name: 'cfg', configMap: { name: 'cfg' } }])),
      ),
      'volume with name "cfg" not mounted: spec.template.spec.volumes[0].name',
    ],
    [
      'reserved mount path',
      service(
        'hello',
        withTemplateSpec((s) => (s.volumes = [{ name: 'cfg', configMap: { name: 'cfg' } }])),
        withContainer((c) => (c.volumeMounts = [{ name: 'cfg', mountPath: '/dev/' }])),
      ),
      'mountPath "/dev" is a reserved path: spec.template.spec.containers[0].volumeMounts[0].mountPath',
    ],
  ];
  it.each(cases)('%s', (_name, svc, message) => {
    expect(check(svc)).toBe(message);
  });

  it('accepts file:// images, tags, split traffic and autoscaling annotations', () => {
    const svc = service(
      'hello',
      withContainer((c) => {
        c.image = 'file:///work/examples/hello';
        c.ports = [{ containerPort: 8080, name: 'http1' }];
        c.env = [{ name: 'TARGET', value: 'x' }];
      }),
      withTemplateAnnotations({
        'autoscaling.knative.dev/min-scale': '1',
        'autoscaling.knative.dev/max-scale': '3',
        'autoscaling.knative.dev/target': '10',
        'autoscaling.knative.dev/window': '10s',
      }),
      withTraffic(
        { tag: 'blue', revisionName: 'hello-00001', percent: 20 },
        { tag: 'green', latestRevision: true, percent: 80 },
      ),
    );
    expect(check(svc)).toBeUndefined();
  });

  it('allows other serving.knative.dev labels, as current Knative does', () => {
    expect(check(service('hello', withLabels({ 'serving.knative.dev/foo': 'x' })))).toBeUndefined();
  });

  it('initial-scale 0 is allowed when config-autoscaler allows it', () => {
    const svc = service('hello', withTemplateAnnotations({ 'autoscaling.knative.dev/initial-scale': '0' }));
    setServiceDefaults(svc);
    const autoscaler = parseAutoscalerConfig({ metadata: {}, data: { 'allow-zero-initial-scale': 'true' } });
    expect(validateService(svc, undefined, { autoscaler })).toBeUndefined();
  });

  it('rejects an update that keeps a BYO name but changes the template', () => {
    const old = service('hello', withRevisionName('hello-v1'));
    setServiceDefaults(old, { username: 'alice' });
    const next = structuredClone(old);
    next.spec.template.spec.containers[0].image = 'ghcr.io/knative/helloworld-go:v2';
    setServiceDefaults(next, { username: 'alice' }, old);
    const msg = validateService(next, old)?.message;
    expect(msg).toBe(
      'Saw the following changes without a name change (-old +new): spec.template.metadata.name\n' +
        '{*v1.RevisionTemplateSpec}.Spec.PodSpec.Containers[0].Image:\n\t-: "ghcr.io/knative/helloworld-go:latest"\n\t+: "ghcr.io/knative/helloworld-go:v2"\n',
    );
    next.spec.template.metadata!.name = 'hello-v2';
    expect(validateService(next, old)).toBeUndefined();
  });

  it('creator is immutable and lastModifier only changes with the spec', () => {
    const old = service(
      'hello',
      withAnnotations({
        'serving.knative.dev/creator': 'alice',
        'serving.knative.dev/lastModifier': 'alice',
      }),
    );
    setServiceDefaults(old);
    const next = structuredClone(old);
    next.metadata.annotations!['serving.knative.dev/creator'] = 'mallory';
    next.metadata.annotations!['serving.knative.dev/lastModifier'] = 'mallory';
    expect(validateService(next, old)?.message).toBe(
      'annotation value is immutable: metadata.annotations.serving.knative.dev/creator, metadata.annotations.serving.knative.dev/lastModifier',
    );
  });
});

describe('Configuration validation', () => {
  it('requires an owner for the service label', () => {
    const cfg = configuration('hello', withLabels({ 'serving.knative.dev/service': 'hello' }));
    expect(validateConfiguration(cfg)?.message).toBe(
      'missing field(s): metadata.labels.serving.knative.dev/service',
    );
    cfg.metadata.ownerReferences = [
      { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'hello', uid: 'u' },
    ];
    expect(validateConfiguration(cfg)).toBeUndefined();
  });
  it('BYO name disallowed with generateName', () => {
    const cfg = configuration('', withRevisionName('hello-v1'));
    cfg.metadata = { generateName: 'hello-', namespace: 'default' };
    expect(validateConfiguration(cfg)?.message).toBe(
      'must not set the field(s): spec.template.metadata.name',
    );
  });
  it('requires a name', () => {
    const cfg = configuration('');
    expect(validateConfiguration(cfg)?.message).toBe('name or generateName is required: metadata.name');
  });
});

describe('Route validation', () => {
  it.each([
    [
      'both names',
      [{ revisionName: 'a-1', configurationName: 'a', percent: 100 }],
      'expected exactly one, got both: spec.traffic[0].configurationName, spec.traffic[0].revisionName',
    ],
    [
      'neither name',
      [{ percent: 100 }],
      'expected exactly one, got neither: spec.traffic[0].configurationName, spec.traffic[0].revisionName',
    ],
    ['empty', [], 'Traffic targets sum to 0, want 100: spec.traffic'],
    [
      'invalid revision name',
      [{ revisionName: 'a b', percent: 100 }],
      `invalid key name "a b": spec.traffic[0].revisionName\nname part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
  ])('%s', (_n, traffic, msg) => {
    expect(validateRoute(route('r', traffic))?.message).toBe(msg);
  });
  it('accepts a configuration target', () => {
    expect(validateRoute(route('r', [{ configurationName: 'hello', percent: 100 }]))).toBeUndefined();
  });
});

describe('Revision validation', () => {
  it('spec is immutable', () => {
    const old = revision('hello-00001');
    const next = structuredClone(old);
    next.spec.containers[0].image = 'other:latest';
    expect(validateRevision(next, old)?.message).toBe(
      'Immutable fields changed (-old +new): spec\n{v1.RevisionSpec}.PodSpec.Containers[0].Image:\n\t-: "ghcr.io/knative/helloworld-go:latest"\n\t+: "other:latest"\n',
    );
  });
  it('the configuration label needs a Configuration owner', () => {
    const rev = revision('hello-00001', withLabels({ 'serving.knative.dev/configuration': 'hello' }));
    expect(validateRevision(rev)?.message).toBe(
      'missing field(s): metadata.labels.serving.knative.dev/configuration',
    );
    rev.metadata.ownerReferences = [
      { apiVersion: 'serving.knative.dev/v1', kind: 'Configuration', name: 'hello', uid: 'u' },
    ];
    expect(validateRevision(rev)).toBeUndefined();
  });
  it('metadata-only updates are fine; autoscaling annotations are validated on Revisions', () => {
    const old = revision('hello-00001');
    const next = structuredClone(old);
    next.metadata.labels = { 'serving.knative.dev/routingState': 'active' };
    expect(validateRevision(next, old)).toBeUndefined();
    const bad = revision('hello-00001', withAnnotations({ 'autoscaling.knative.dev/max-scale': 'x' }));
    expect(validateRevision(bad)?.message).toBe(
      'invalid value: x: metadata.annotations.autoscaling.knative.dev/max-scale',
    );
  });
});

describe('DomainMapping validation', () => {
  it('accepts a domain name', () => {
    expect(validateDomainMapping(domainMapping('hello.example.com'))).toBeUndefined();
  });
  it.each([
    [
      'single label',
      domainMapping('localhost'),
      'invalid name "localhost": name: Invalid value: "localhost": should be a domain with at least two segments separated by dots: metadata.name',
    ],
    [
      'wildcard',
      domainMapping('*.example.com'),
      `invalid name "*.example.com": name: Invalid value: "*.example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'): metadata.name`,
    ],
    [
      'cluster local',
      domainMapping('hello.default.svc.cluster.local'),
      'invalid name "hello.default.svc.cluster.local": must not be a subdomain of cluster local domain "cluster.local": metadata.name',
    ],
    [
      'other namespace',
      domainMapping('hello.example.com', (d) => (d.spec.ref.namespace = 'other')),
      'mismatched namespaces: spec.ref.namespace\nparent namespace: "default" does not match ref: "other"',
    ],
    [
      'missing ref fields',
      domainMapping('hello.example.com', (d) => (d.spec.ref = { name: '' })),
      'missing field(s): spec.ref.apiVersion, spec.ref.kind, spec.ref.name',
    ],
  ])('%s', (_n, dm, msg) => {
    expect(validateDomainMapping(dm)?.message).toBe(msg);
  });
});
