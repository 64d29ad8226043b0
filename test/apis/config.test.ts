import { describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/lib/apis/config-store.js';
import { parseAutoscalerConfig } from '../../src/lib/apis/config/autoscaler.js';
import { parseDefaultsConfig } from '../../src/lib/apis/config/defaults.js';
import { parseDeploymentConfig } from '../../src/lib/apis/config/deployment.js';
import { parseDomainConfig, selectDomain } from '../../src/lib/apis/config/domain.js';
import { parseFeaturesConfig } from '../../src/lib/apis/config/features.js';
import { DISABLED, parseGCConfig } from '../../src/lib/apis/config/gc.js';
import { defaultConfigs, parseConfigs } from '../../src/lib/apis/config/index.js';
import {
  domainFromTemplate,
  formatUrl,
  hostnameFromTemplate,
  parseNetworkConfig,
} from '../../src/lib/apis/config/network.js';
import { ConfigError } from '../../src/lib/apis/config/parse.js';
import { defaultConfigMaps } from '../../src/lib/apis/config/seed.js';
import { formatGoDuration, parseGoDuration } from '../../src/lib/apis/durations.js';
import { renderTemplate, TemplateError } from '../../src/lib/apis/templates.js';
import type { ConfigMap } from '../../src/lib/apis/types.js';

const cm = (data: Record<string, string>): ConfigMap => ({ metadata: { name: 'x' }, data });

describe('Go durations', () => {
  it.each([
    ['0', 0],
    ['60s', 60_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['300ms', 300],
    ['-2s', -2000],
  ])('parses %s', (s, ms) => expect(parseGoDuration(s)).toBe(ms));
  it.each(['', '10', 's', '1x', '1h 2m'])('rejects %j', (s) => expect(parseGoDuration(s)).toBeUndefined());
  it.each([
    [0, '0s'],
    [6000, '6s'],
    [3_600_000, '1h0m0s'],
    [60_000, '1m0s'],
    [1500, '1.5s'],
    [500, '500ms'],
  ])('formats %i as %s', (ms, s) => expect(formatGoDuration(ms)).toBe(s));
});

describe('templates', () => {
  const values = {
    Name: 'hello',
    Namespace: 'default',
    Domain: 'example.com',
    Tag: 'blue',
    Annotations: { sub: 'dept' },
    Labels: { app: 'a' },
  };
  it.each([
    ['{{.Name}}.{{.Namespace}}.{{.Domain}}', 'hello.default.example.com'],
    ['{{.Tag}}-{{.Name}}', 'blue-hello'],
    ['{{.Name}}-{{.Namespace}}.{{.Domain}}', 'hello-default.example.com'],
    ['{{.Name}}.{{.Annotations.sub}}.{{.Domain}}', 'hello.dept.example.com'],
    ['{{.Name}}.{{index .Annotations "sub"}}.{{.Domain}}', 'hello.dept.example.com'],
    ['{{.Name}}.{{index .Labels "app"}}.{{.Domain}}', 'hello.a.example.com'],
    ['{{index .Annotations "missing"}}x', 'x'],
    ['{{.Annotations.missing}}', '<no value>'],
    ['{{ .Name }} {{- .Tag -}} .x', 'helloblue.x'],
  ])('%s', (t, want) => expect(renderTemplate(t, values)).toBe(want));
  it.each(['{{.Bogus}}', '{{printf "%s" .Name}}', '{{.Name'])('rejects %s', (t) =>
    expect(() => renderTemplate(t, values)).toThrow(TemplateError),
  );
});

describe('config-domain', () => {
  it('defaults to svc.cluster.local when no selector-less entry exists', () => {
    expect(selectDomain(parseDomainConfig(undefined), {})).toBe('svc.cluster.local');
    expect(selectDomain(parseDomainConfig(cm({ 'prod.com': 'selector:\n  app: prod\n' })), {})).toBe(
      'svc.cluster.local',
    );
  });
  it('ignores _example', () => {
    expect(parseDomainConfig(cm({ _example: 'example.com: |\n' })).domains).toEqual({
      'svc.cluster.local': { selector: {} },
    });
  });
  const cfg = parseDomainConfig(
    cm({
      'example.com': '',
      'aaa.com': '',
      'example.org': 'selector:\n  app: nonprofit\n',
      'special.org': 'selector:\n  app: nonprofit\n  tier: gold\n',
      'svc.cluster.local': 'selector:\n  app: secret\n',
    }),
  );
  it.each([
    [{}, 'aaa.com'],
    [{ app: 'nonprofit' }, 'example.org'],
    [{ app: 'nonprofit', tier: 'gold' }, 'special.org'],
    [{ app: 'secret' }, 'svc.cluster.local'],
    [{ 'networking.knative.dev/visibility': 'cluster-local', app: 'nonprofit' }, 'svc.cluster.local'],
    [{ 'serving.knative.dev/visibility': 'cluster-local' }, 'svc.cluster.local'],
  ])('labels %j → %s', (labels, want) => expect(selectDomain(cfg, labels)).toBe(want));
  it('local cluster: localhost', () => {
    expect(selectDomain(parseDomainConfig(cm({ localhost: '' })), { app: 'x' })).toBe('localhost');
  });
});

describe('config-network', () => {
  it('has Knative defaults', () => {
    expect(parseNetworkConfig(undefined)).toMatchObject({
      domainTemplate: '{{.Name}}.{{.Namespace}}.{{.Domain}}',
      tagTemplate: '{{.Tag}}-{{.Name}}',
      defaultExternalScheme: 'http',
      autocreateClusterDomainClaims: false,
      rolloutDurationSeconds: 0,
      externalDomainTLS: false,
    });
    expect(parseNetworkConfig(undefined).localGatewayPort).toBeUndefined();
  });
  it('parses knlite and Knative keys', () => {
    const c = parseNetworkConfig(
      cm({
        'local-gateway-port': '8080',
        'autocreate-cluster-domain-claims': 'true',
        'rollout-duration': '60',
      }),
    );
    expect(c.localGatewayPort).toBe(8080);
    expect(c.autocreateClusterDomainClaims).toBe(true);
    expect(c.rolloutDurationSeconds).toBe(60);
    expect(parseNetworkConfig(cm({ 'external-domain-tls': 'Enabled' })).externalDomainTLS).toBe(true);
    expect(parseNetworkConfig(cm({ 'external-domain-tls': 'Disabled' })).externalDomainTLS).toBe(false);
  });
  it.each([
    [{ 'domain-template': '{{.Name}}/x' }, 'domain template has url path: /x'],
    [{ 'domain-template': '{{.Nope}}' }, 'domain-template: template'],
    [{ 'rollout-duration': '-1' }, 'rollout-duration must be a positive value, was: -1'],
    [{ 'local-gateway-port': '0' }, 'local-gateway-port must be in [1, 65535], was: 0'],
  ])('rejects %j', (data, msg) => expect(() => parseNetworkConfig(cm(data))).toThrow(msg));

  it('formats URLs with the gateway port unless 80', () => {
    const net = parseNetworkConfig(cm({ 'local-gateway-port': '8080' }));
    expect(formatUrl('hello.default.localhost', net)).toBe('http://hello.default.localhost:8080');
    expect(formatUrl('hello.default.localhost', parseNetworkConfig(cm({ 'local-gateway-port': '80' })))).toBe(
      'http://hello.default.localhost',
    );
    expect(formatUrl('hello.default.svc.cluster.local', net)).toBe('http://hello.default.svc.cluster.local');
    expect(formatUrl('x.example.com', parseNetworkConfig(cm({ 'default-external-scheme': 'HTTPS' })))).toBe(
      'https://x.example.com',
    );
  });

  it('renders route and tag hosts', () => {
    const net = parseNetworkConfig(cm({ 'domain-template': '{{.Name}}-{{.Namespace}}.{{.Domain}}' }));
    const host = hostnameFromTemplate(net, 'hello', 'blue');
    expect(host).toBe('blue-hello');
    expect(domainFromTemplate(net, { Name: host, Namespace: 'ns', Domain: 'example.com' })).toBe(
      'blue-hello-ns.example.com',
    );
    // Cluster-local hosts ignore custom templates.
    expect(domainFromTemplate(net, { Name: 'hello', Namespace: 'ns', Domain: 'svc.cluster.local' })).toBe(
      'hello.ns.svc.cluster.local',
    );
    expect(hostnameFromTemplate(net, 'hello', '')).toBe('hello');
  });
});

describe('config-gc', () => {
  it('defaults', () => {
    expect(parseGCConfig(undefined)).toEqual({
      retainSinceCreateTime: 48 * 3_600_000,
      retainSinceLastActiveTime: 15 * 3_600_000,
      minNonActiveRevisions: 20,
      maxNonActiveRevisions: 1000,
    });
  });
  it('disabled values', () => {
    expect(
      parseGCConfig(
        cm({
          'retain-since-create-time': 'Disabled',
          'retain-since-last-active-time': 'disabled',
          'max-non-active-revisions': 'disabled',
          'min-non-active-revisions': '0',
        }),
      ),
    ).toEqual({
      retainSinceCreateTime: DISABLED,
      retainSinceLastActiveTime: DISABLED,
      minNonActiveRevisions: 0,
      maxNonActiveRevisions: DISABLED,
    });
  });
  it.each([
    [{ 'min-non-active-revisions': '-1' }, 'min-non-active-revisions must be non-negative, was: -1'],
    [
      { 'min-non-active-revisions': '5', 'max-non-active-revisions': '2' },
      'min-non-active-revisions(5) must be <= max-non-active-revisions(2)',
    ],
    [{ 'retain-since-create-time': 'soon' }, 'failed to parse retain-since-create-time'],
  ])('rejects %j', (data, msg) => expect(() => parseGCConfig(cm(data))).toThrow(msg));
});

describe('config-autoscaler', () => {
  it('defaults', () => {
    expect(parseAutoscalerConfig(undefined)).toEqual({
      enableScaleToZero: true,
      containerConcurrencyTargetFraction: 0.7,
      containerConcurrencyTargetDefault: 100,
      rpsTargetDefault: 200,
      targetBurstCapacity: 211,
      activatorCapacity: 100,
      maxScaleUpRate: 1000,
      maxScaleDownRate: 2,
      stableWindow: 60_000,
      panicWindowPercentage: 10,
      panicThresholdPercentage: 200,
      scaleToZeroGracePeriod: 30_000,
      scaleToZeroPodRetentionPeriod: 0,
      tickInterval: 2000,
      podAutoscalerClass: 'kpa.autoscaling.knative.dev',
      allowZeroInitialScale: false,
      initialScale: 1,
      minScale: 0,
      maxScale: 0,
      maxScaleLimit: 0,
      scaleDownDelay: 0,
      frozenRetention: 0,
    });
  });
  it('frozen-retention: off by default, a duration up to 1h', () => {
    expect(parseAutoscalerConfig(cm({ 'frozen-retention': 'off' })).frozenRetention).toBe(0);
    expect(parseAutoscalerConfig(cm({ 'frozen-retention': '10m' })).frozenRetention).toBe(600_000);
  });
  it('takes small percentages as fractions', () => {
    expect(
      parseAutoscalerConfig(cm({ 'container-concurrency-target-percentage': '0.5' }))
        .containerConcurrencyTargetFraction,
    ).toBe(0.5);
  });
  it('allows initial-scale 0 only with allow-zero-initial-scale', () => {
    expect(
      parseAutoscalerConfig(cm({ 'allow-zero-initial-scale': 'true', 'initial-scale': '0' })).initialScale,
    ).toBe(0);
    expect(() => parseAutoscalerConfig(cm({ 'initial-scale': '0' }))).toThrow(
      'initial-scale = 0, must be at least 0 (or at least 1 when allow-zero-initial-scale is false)',
    );
  });
  it.each([
    [{ 'stable-window': '5s' }, 'stable-window = 5s, must be in [6s; 1h0m0s] range'],
    [{ 'stable-window': '6500ms' }, 'stable-window = 6.5s, must be specified with at most second precision'],
    [{ 'scale-to-zero-grace-period': '1s' }, 'scale-to-zero-grace-period must be at least 6s, was: 1s'],
    [{ 'max-scale-up-rate': '1' }, 'max-scale-up-rate = 1, must be greater than 1.0'],
    [
      { 'target-burst-capacity': '-2' },
      'target-burst-capacity must be either non-negative or -1 (for unlimited), was: -2',
    ],
    [{ 'min-scale': '5', 'max-scale': '2' }, 'min-scale (5) must be less than max-scale (2)'],
    [{ 'max-scale': '20', 'max-scale-limit': '10' }, 'max-scale = 20, must be in [0, max-scale-limit] range'],
    [{ 'enable-scale-to-zero': 'maybe' }, 'failed to parse "enable-scale-to-zero"'],
    [{ 'frozen-retention': 'soon' }, 'failed to parse frozen-retention: time: invalid duration "soon"'],
    [{ 'frozen-retention': '2h' }, 'frozen-retention = 2h, must be "off" or in [0s; 1h0m0s] range'],
  ])('rejects %j', (data, msg) => expect(() => parseAutoscalerConfig(cm(data))).toThrow(msg));
});

describe('config-defaults, features, deployment', () => {
  it('defaults', () => {
    expect(parseDefaultsConfig(undefined)).toEqual({
      revisionTimeoutSeconds: 300,
      maxRevisionTimeoutSeconds: 600,
      revisionResponseStartTimeoutSeconds: 300,
      revisionIdleTimeoutSeconds: 0,
      containerNameTemplate: 'user-container',
      initContainerNameTemplate: 'init-container',
      containerConcurrency: 0,
      containerConcurrencyMaxLimit: 1000,
      allowContainerConcurrencyZero: true,
      enableServiceLinks: false,
    });
    expect(parseFeaturesConfig(undefined)['multi-container']).toBe('enabled');
    expect(
      parseFeaturesConfig(cm({ 'kubernetes.podspec-affinity': 'Enabled' }))['kubernetes.podspec-affinity'],
    ).toBe('enabled');
    expect(parseDeploymentConfig(undefined)).toEqual({
      progressDeadline: 600_000,
      registriesSkippingTagResolving: ['kind.local', 'ko.local', 'dev.local'],
      digestResolutionTimeout: 10_000,
    });
  });
  it('parses configured values', () => {
    const d = parseDefaultsConfig(
      cm({
        'revision-timeout-seconds': '120',
        'revision-cpu-request': '100m',
        'enable-service-links': 'default',
      }),
    );
    expect(d.revisionTimeoutSeconds).toBe(120);
    expect(d.revisionCpuRequest).toBe('100m');
    expect(d.enableServiceLinks).toBeUndefined();
  });
  it.each([
    [
      { 'revision-timeout-seconds': '700' },
      'revision-timeout-seconds (700) cannot be greater than max-revision-timeout-seconds (600)',
    ],
    [{ 'container-concurrency': '1001' }, 'expected 0 <= 1001 <= 1000: container-concurrency'],
    [{ 'container-concurrency-max-limit': '0' }, 'container-concurrency-max-limit 0 should be at least 1'],
  ])('rejects %j', (data, msg) => expect(() => parseDefaultsConfig(cm(data))).toThrow(msg));
  it('errors are ConfigErrors', () => {
    expect(() => parseDeploymentConfig(cm({ 'progress-deadline': '0s' }))).toThrow(ConfigError);
  });
});

describe('defaultConfigMaps', () => {
  it('seeds every ConfigMap with an _example and Knative defaults', () => {
    const cms = defaultConfigMaps();
    expect(cms.map((c) => c.metadata.name).sort()).toEqual([
      'config-autoscaler',
      'config-defaults',
      'config-deployment',
      'config-domain',
      'config-features',
      'config-gc',
      'config-network',
    ]);
    for (const c of cms) {
      expect(c.metadata.namespace).toBe('knative-serving');
      expect(Object.keys(c.data!)).toEqual(['_example']);
    }
    const byName = (name: string) => cms.find((c) => c.metadata.name === name);
    expect(parseConfigs(byName)).toEqual(defaultConfigs());
  });
  it('adds the local cluster settings', () => {
    const cms = defaultConfigMaps({
      domain: 'localhost',
      gatewayPort: 8080,
      autocreateClusterDomainClaims: true,
    });
    const byName = (name: string) => cms.find((c) => c.metadata.name === name);
    const cfg = parseConfigs(byName);
    expect(selectDomain(cfg.domain, {})).toBe('localhost');
    expect(cfg.network.localGatewayPort).toBe(8080);
    expect(cfg.network.autocreateClusterDomainClaims).toBe(true);
  });
});

describe('ConfigStore (last good config per ConfigMap)', () => {
  const cm = (name: string, rv: string, data: Record<string, unknown>) =>
    ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'knative-serving', resourceVersion: rv },
      data,
    }) as never;

  it('keeps the last good config of a ConfigMap that stops parsing, and reports it once', () => {
    const reported: string[] = [];
    const store = new ConfigStore((c, err) =>
      reported.push(`${(c as { metadata: { name: string } }).metadata.name}: ${err.message}`),
    );
    const maps: Record<string, unknown> = {
      'config-autoscaler': cm('config-autoscaler', '1', { 'stable-window': '2m' }),
    };
    expect(store.reload((n) => maps[n] as never)).toBe(true);
    expect(store.get().autoscaler.stableWindow).toBe(120_000);

    maps['config-autoscaler'] = cm('config-autoscaler', '2', { 'stable-window': 60 });
    maps['config-gc'] = cm('config-gc', '3', { 'min-non-active-revisions': '7' });
    expect(store.reload((n) => maps[n] as never)).toBe(true); // config-gc changed; autoscaler kept
    expect(store.get().autoscaler.stableWindow).toBe(120_000);
    expect(store.get().gc.minNonActiveRevisions).toBe(7);
    expect(reported).toEqual([
      'config-autoscaler: failed to parse "stable-window": expected a string, got number 60',
    ]);

    // The same bad version is not re-parsed or re-reported; a fixed one applies.
    expect(store.reload((n) => maps[n] as never)).toBe(false);
    expect(reported).toHaveLength(1);
    maps['config-autoscaler'] = cm('config-autoscaler', '4', { 'stable-window': '30s' });
    expect(store.reload((n) => maps[n] as never)).toBe(true);
    expect(store.get().autoscaler.stableWindow).toBe(30_000);
  });

  it('starts from the defaults when the first version it sees is invalid', () => {
    const store = new ConfigStore();
    store.reload((n) => (n === 'config-autoscaler' ? cm(n, '1', { 'scale-down-delay': 0 }) : undefined));
    expect(store.get().autoscaler.scaleDownDelay).toBe(0);
    expect(store.get().autoscaler.stableWindow).toBe(60_000);
  });
});
