/**
 * Knative Serving's ConfigMaps (namespace knative-serving) parsed into typed configs with Knative's
 * shipped defaults: config-domain, config-network (plus knlite's `local-gateway-port`), config-gc,
 * config-autoscaler, config-defaults, config-features and config-deployment.
 *
 * Parsers are pure: `parseXConfig(cm | undefined)` returns the config or throws ConfigError with a
 * message shaped like Knative's. Durations are milliseconds; `DISABLED` (-1) marks GC settings
 * that were set to "disabled".
 */
import yaml from 'js-yaml';
import { formatGoDuration, parseGoDuration } from './durations.js';
import {
  AutoscalingClass,
  ConfigMaps,
  KNLITE_CERTIFICATE_CLASS,
  KNLITE_INGRESS_CLASS,
  Labels,
  SYSTEM_NAMESPACE,
  VISIBILITY_CLUSTER_LOCAL,
} from './keys.js';
import { parseTemplate, type TemplateValues } from './templates.js';
import type { ConfigMap } from './types.js';

/** The key every Knative ConfigMap uses for its documented example block. */
export const EXAMPLE_KEY = '_example';

/** A ConfigMap value Knative refuses; the message reads like Knative's. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the data of a ConfigMap, ignoring the `_example` block. The API server only stores strings,
 * but a parser must never trust that: a value of another type is a ConfigError, not a crash.
 */
function dataOf(cm: ConfigMap | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const data: unknown = cm?.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`data must be a map of strings, got ${describeJson(data)}`);
  }
  for (const [k, v] of Object.entries(data)) {
    if (k === EXAMPLE_KEY) continue;
    if (typeof v !== 'string')
      throw new ConfigError(`failed to parse "${k}": expected a string, got ${describeJson(v)}`);
    out[k] = v;
  }
  return out;
}

/** A JSON value's type and text for error messages: `number 60`, `array [1]`. */
function describeJson(v: unknown): string {
  const type = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  const text = JSON.stringify(v) ?? String(v);
  return `${type} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

// --- small typed readers (knative.dev/pkg/configmap's AsX) ------------------------------------

function asInt(data: Record<string, string>, key: string, def: number): number {
  const v = data[key];
  if (v === undefined || v === '') return def;
  if (!/^[-+]?\d+$/.test(v.trim())) throw new ConfigError(`failed to parse "${key}": invalid integer "${v}"`);
  return parseInt(v, 10);
}

function asFloat(data: Record<string, string>, key: string, def: number): number {
  const v = data[key];
  if (v === undefined || v === '') return def;
  const n = Number(v.trim());
  if (!Number.isFinite(n)) throw new ConfigError(`failed to parse "${key}": invalid float "${v}"`);
  return n;
}

/** Go's strconv.ParseBool. */
function asBool(data: Record<string, string>, key: string, def: boolean): boolean {
  const v = data[key];
  if (v === undefined || v === '') return def;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new ConfigError(`failed to parse "${key}": invalid boolean "${v}"`);
}

function asDuration(data: Record<string, string>, key: string, def: number): number {
  const v = data[key];
  if (v === undefined || v === '') return def;
  const d = parseGoDuration(v.trim());
  if (d === undefined) throw new ConfigError(`failed to parse "${key}": time: invalid duration "${v}"`);
  return d;
}

// --- config-domain -----------------------------------------------------------------------------

/** The domain Knative uses when config-domain has no selector-less entry (cluster-local). */
export const DEFAULT_DOMAIN = 'svc.cluster.local';
/** The cluster's DNS domain. */
export const CLUSTER_DOMAIN = 'cluster.local';

/** config-domain: each domain with the label selector a Route must match to get it. */
export interface DomainConfig {
  domains: Record<string, { selector: Record<string, string> }>;
}

/** Parses config-domain (`<domain>: ""` is a default; `<domain>: "selector:\n  app: x"` is selective). */
export function parseDomainConfig(cm: ConfigMap | undefined): DomainConfig {
  const domains: DomainConfig['domains'] = {};
  let hasDefault = false;
  for (const [domain, value] of Object.entries(dataOf(cm))) {
    let parsed: unknown;
    try {
      parsed = value.trim() ? yaml.load(value) : {};
    } catch (e) {
      throw new ConfigError(`failed to parse config-domain entry "${domain}": ${(e as Error).message}`);
    }
    const sel = (parsed as { selector?: Record<string, unknown> } | null)?.selector ?? {};
    const selector: Record<string, string> = {};
    for (const [k, v] of Object.entries(sel)) selector[k] = String(v);
    if (Object.keys(selector).length === 0) hasDefault = true;
    domains[domain] = { selector };
  }
  // Without a selector-less entry, routes fall back to the cluster-local domain.
  if (!hasDefault) domains[DEFAULT_DOMAIN] = { selector: {} };
  return { domains };
}

/** Whether a Route's labels ask for cluster-local visibility. */
export function isClusterLocal(labels: Record<string, string> | undefined): boolean {
  return (
    labels?.[Labels.visibility] === VISIBILITY_CLUSTER_LOCAL ||
    labels?.[Labels.visibilityLegacy] === VISIBILITY_CLUSTER_LOCAL
  );
}

/**
 * Knative's LookupDomainForLabels: cluster-local routes get `svc.cluster.local`; otherwise the
 * matching selector with the most labels wins, ties broken by the lexicographically smallest domain.
 */
export function selectDomain(cfg: DomainConfig, routeLabels: Record<string, string> | undefined): string {
  const labels = routeLabels ?? {};
  if (isClusterLocal(labels)) return DEFAULT_DOMAIN;
  let domain = '';
  let specificity = -1;
  for (const [name, { selector }] of Object.entries(cfg.domains)) {
    const keys = Object.keys(selector);
    if (!keys.every((k) => labels[k] === selector[k])) continue;
    if (keys.length < specificity) continue;
    if (keys.length > specificity || name < domain) {
      domain = name;
      specificity = keys.length;
    }
  }
  return domain;
}

// --- config-network ----------------------------------------------------------------------------

/** Default `domain-template`. */
export const DEFAULT_DOMAIN_TEMPLATE = '{{.Name}}.{{.Namespace}}.{{.Domain}}';
/** Default `tag-template`. */
export const DEFAULT_TAG_TEMPLATE = '{{.Tag}}-{{.Name}}';

/** config-network, the keys knlite honours. */
export interface NetworkConfig {
  domainTemplate: string;
  tagTemplate: string;
  defaultExternalScheme: string;
  autocreateClusterDomainClaims: boolean;
  ingressClass: string;
  externalDomainTLS: boolean;
  clusterLocalDomainTLS: string;
  httpProtocol: string;
  /** Gradual rollout duration in seconds (`rollout-duration`). */
  rolloutDurationSeconds: number;
  /** knlite extension: the local gateway's port; URLs carry `:port` when set and not 80. */
  localGatewayPort?: number;
  /** knlite extension: the local gateway's HTTPS port; https URLs carry `:port` when set and not 443. */
  localGatewayHttpsPort?: number;
  /** `certificate-class`: which implementation issues the Certificates of Routes. */
  certificateClass: string;
}

/** Parses config-network with Knative's defaults and template checks. */
export function parseNetworkConfig(cm: ConfigMap | undefined): NetworkConfig {
  const data = dataOf(cm);
  const cfg: NetworkConfig = {
    domainTemplate: data['domain-template'] || DEFAULT_DOMAIN_TEMPLATE,
    tagTemplate: data['tag-template'] || DEFAULT_TAG_TEMPLATE,
    defaultExternalScheme: (data['default-external-scheme'] || 'http').toLowerCase(),
    autocreateClusterDomainClaims: asBool(data, 'autocreate-cluster-domain-claims', false),
    ingressClass: data['ingress-class'] || data['ingress.class'] || KNLITE_INGRESS_CLASS,
    externalDomainTLS: enabledFlag(data['external-domain-tls'] ?? data['auto-tls']),
    clusterLocalDomainTLS: (data['cluster-local-domain-tls'] || 'disabled').toLowerCase(),
    httpProtocol: (data['http-protocol'] || 'enabled').toLowerCase(),
    rolloutDurationSeconds: asInt(data, 'rollout-duration', 0),
    certificateClass: data['certificate-class'] || data['certificate.class'] || KNLITE_CERTIFICATE_CLASS,
  };
  if (cfg.rolloutDurationSeconds < 0) {
    throw new ConfigError(`rollout-duration must be a positive value, was: ${cfg.rolloutDurationSeconds}`);
  }
  for (const [key, field] of [
    ['local-gateway-port', 'localGatewayPort'],
    ['local-gateway-https-port', 'localGatewayHttpsPort'],
  ] as const) {
    const port = data[key];
    if (port === undefined || port === '') continue;
    const n = asInt(data, key, 0);
    if (n < 1 || n > 65535) throw new ConfigError(`${key} must be in [1, 65535], was: ${port}`);
    cfg[field] = n;
  }
  checkDomainTemplate(cfg.domainTemplate);
  checkTagTemplate(cfg.tagTemplate);
  return cfg;
}

/** "Enabled"/"Disabled" switches (Knative also accepts true/false for older keys). */
function enabledFlag(v: string | undefined): boolean {
  const x = (v ?? '').trim().toLowerCase();
  return x === 'enabled' || x === 'true';
}

function checkDomainTemplate(template: string): void {
  let host: string;
  try {
    host = parseTemplate(template)({
      Name: 'foo',
      Namespace: 'bar',
      Domain: 'baz.com',
      Annotations: {},
      Labels: {},
    });
  } catch (e) {
    throw new ConfigError(`domain-template: ${(e as Error).message}`);
  }
  let url: URL;
  try {
    url = new URL(`https://${host}`);
  } catch {
    throw new ConfigError(`domain-template: invalid host "${host}"`);
  }
  if (!url.hostname) throw new ConfigError('empty hostname');
  if (url.pathname !== '/' || url.search)
    throw new ConfigError(`domain template has url path: ${url.pathname}`);
}

function checkTagTemplate(template: string): void {
  try {
    parseTemplate(template)({ Name: 'foo', Tag: 'bar' });
  } catch (e) {
    throw new ConfigError(`tag-template: ${(e as Error).message}`);
  }
}

/** Renders `domain-template` for a route (or `<tag>-<route>` host name) in a namespace. */
export function domainFromTemplate(
  cfg: NetworkConfig,
  values: Required<Pick<TemplateValues, 'Name' | 'Namespace' | 'Domain'>> & TemplateValues,
): string {
  // Cluster-local hosts always use the default template (custom templates are for external DNS).
  const template = values.Domain === DEFAULT_DOMAIN ? DEFAULT_DOMAIN_TEMPLATE : cfg.domainTemplate;
  return parseTemplate(template)({ Annotations: {}, Labels: {}, ...values });
}

/** Renders `tag-template` → the host name of a tag before the domain template (`<tag>-<route>`). */
export function hostnameFromTemplate(cfg: NetworkConfig, name: string, tag: string): string {
  if (!tag) return name;
  return parseTemplate(cfg.tagTemplate)({ Name: name, Tag: tag });
}

/**
 * Formats a URL for a host: `<default-external-scheme>://host[:port]`; the local gateway port is
 * appended when set and not 80. Cluster-local hosts are always plain `http://host`.
 */
export function formatUrl(
  host: string,
  cfg: NetworkConfig,
  opts: { clusterLocal?: boolean; scheme?: string } = {},
): string {
  if (opts.clusterLocal || host.endsWith(`.${DEFAULT_DOMAIN}`)) return `http://${host}`;
  const scheme = opts.scheme ?? cfg.defaultExternalScheme;
  const [local, standard] =
    scheme === 'https' ? [cfg.localGatewayHttpsPort, 443] : [cfg.localGatewayPort, 80];
  const port = local && local !== standard ? `:${local}` : '';
  return `${scheme}://${host}${port}`;
}

// --- config-gc ---------------------------------------------------------------------------------

/** Value of a GC setting that was set to "disabled". */
export const DISABLED = -1;

/** config-gc (durations in milliseconds; DISABLED = -1). */
export interface GCConfig {
  retainSinceCreateTime: number;
  retainSinceLastActiveTime: number;
  minNonActiveRevisions: number;
  maxNonActiveRevisions: number;
}

const HOUR = 3_600_000;

/** Parses config-gc with Knative's defaults (48h, 15h, 20, 1000) and checks. */
export function parseGCConfig(cm: ConfigMap | undefined): GCConfig {
  const data = dataOf(cm);
  const cfg: GCConfig = {
    retainSinceCreateTime: disabledOrDuration(data, 'retain-since-create-time', 48 * HOUR),
    retainSinceLastActiveTime: disabledOrDuration(data, 'retain-since-last-active-time', 15 * HOUR),
    minNonActiveRevisions: asInt(data, 'min-non-active-revisions', 20),
    maxNonActiveRevisions: disabledOrInt(data, 'max-non-active-revisions', 1000),
  };
  if (cfg.minNonActiveRevisions < 0) {
    throw new ConfigError(`min-non-active-revisions must be non-negative, was: ${cfg.minNonActiveRevisions}`);
  }
  if (cfg.maxNonActiveRevisions >= 0 && cfg.minNonActiveRevisions > cfg.maxNonActiveRevisions) {
    throw new ConfigError(
      `min-non-active-revisions(${cfg.minNonActiveRevisions}) must be <= max-non-active-revisions(${cfg.maxNonActiveRevisions})`,
    );
  }
  return cfg;
}

function disabledOrDuration(data: Record<string, string>, key: string, def: number): number {
  const v = data[key];
  if (v === undefined || v === '') return def;
  if (v.toLowerCase() === 'disabled') return DISABLED;
  const d = parseGoDuration(v);
  if (d === undefined) throw new ConfigError(`failed to parse ${key}: time: invalid duration "${v}"`);
  if (d < 0) throw new ConfigError(`failed to parse ${key}: must be non-negative`);
  return d;
}

function disabledOrInt(data: Record<string, string>, key: string, def: number): number {
  const v = data[key];
  if (v === undefined || v === '') return def;
  if (v.toLowerCase() === 'disabled') return DISABLED;
  if (!/^\d+$/.test(v))
    throw new ConfigError(`failed to parse ${key}: strconv.ParseUint: parsing "${v}": invalid syntax`);
  return parseInt(v, 10);
}

// --- config-autoscaler -------------------------------------------------------------------------

/** Bounds Knative uses for autoscaling windows and targets (pkg/apis/autoscaling/register.go). */
export const AutoscalingBounds = {
  windowMin: 6_000,
  windowMax: HOUR,
  targetMin: 0.01,
  panicWindowPercentageMin: 1,
  panicWindowPercentageMax: 100,
  panicThresholdPercentageMin: 110,
  panicThresholdPercentageMax: 1000,
} as const;

/** config-autoscaler (durations in milliseconds; the target percentage as a fraction). */
export interface AutoscalerConfig {
  enableScaleToZero: boolean;
  containerConcurrencyTargetFraction: number;
  containerConcurrencyTargetDefault: number;
  rpsTargetDefault: number;
  targetBurstCapacity: number;
  activatorCapacity: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  stableWindow: number;
  panicWindowPercentage: number;
  panicThresholdPercentage: number;
  scaleToZeroGracePeriod: number;
  scaleToZeroPodRetentionPeriod: number;
  tickInterval: number;
  podAutoscalerClass: string;
  allowZeroInitialScale: boolean;
  initialScale: number;
  minScale: number;
  maxScale: number;
  maxScaleLimit: number;
  scaleDownDelay: number;
  /** knlite: how long scale-to-zero keeps the last instance frozen (0 = off, Knative's behaviour). */
  frozenRetention: number;
}

/** Parses config-autoscaler with Knative's defaults and the checks of autoscaler/config.validate. */
export function parseAutoscalerConfig(cm: ConfigMap | undefined): AutoscalerConfig {
  const d = dataOf(cm);
  const c: AutoscalerConfig = {
    enableScaleToZero: asBool(d, 'enable-scale-to-zero', true),
    containerConcurrencyTargetFraction: asFloat(d, 'container-concurrency-target-percentage', 70),
    containerConcurrencyTargetDefault: asFloat(d, 'container-concurrency-target-default', 100),
    rpsTargetDefault: asFloat(d, 'requests-per-second-target-default', 200),
    targetBurstCapacity: asFloat(d, 'target-burst-capacity', 211),
    activatorCapacity: asFloat(d, 'activator-capacity', 100),
    maxScaleUpRate: asFloat(d, 'max-scale-up-rate', 1000),
    maxScaleDownRate: asFloat(d, 'max-scale-down-rate', 2),
    stableWindow: asDuration(d, 'stable-window', 60_000),
    panicWindowPercentage: asFloat(d, 'panic-window-percentage', 10),
    panicThresholdPercentage: asFloat(d, 'panic-threshold-percentage', 200),
    scaleToZeroGracePeriod: asDuration(d, 'scale-to-zero-grace-period', 30_000),
    scaleToZeroPodRetentionPeriod: asDuration(d, 'scale-to-zero-pod-retention-period', 0),
    tickInterval: asDuration(d, 'tick-interval', 2_000),
    podAutoscalerClass: d['pod-autoscaler-class'] || AutoscalingClass.kpa,
    allowZeroInitialScale: asBool(d, 'allow-zero-initial-scale', false),
    initialScale: asInt(d, 'initial-scale', 1),
    minScale: asInt(d, 'min-scale', 0),
    maxScale: asInt(d, 'max-scale', 0),
    maxScaleLimit: asInt(d, 'max-scale-limit', 0),
    scaleDownDelay: asDuration(d, 'scale-down-delay', 0),
    frozenRetention: offOrDuration(d, 'frozen-retention'),
  };
  // For legacy reasons values in (0, 1] are fractions; larger ones are percentages.
  if (c.containerConcurrencyTargetFraction > 1) c.containerConcurrencyTargetFraction /= 100;
  validateAutoscalerConfig(c);
  return c;
}

// knlite's `frozen-retention`: "off" (the default), "0s", or a duration up to an hour.
function offOrDuration(data: Record<string, string>, key: string): number {
  const v = (data[key] ?? '').trim();
  if (v === '' || v.toLowerCase() === 'off') return 0;
  const d = parseGoDuration(v);
  if (d === undefined) throw new ConfigError(`failed to parse ${key}: time: invalid duration "${v}"`);
  if (d < 0 || d > AutoscalingBounds.windowMax)
    throw new ConfigError(
      `${key} = ${v}, must be "off" or in [0s; ${formatGoDuration(AutoscalingBounds.windowMax)}] range`,
    );
  return d;
}

function validateAutoscalerConfig(c: AutoscalerConfig): void {
  const B = AutoscalingBounds;
  const fail = (m: string) => {
    throw new ConfigError(m);
  };
  const dur = formatGoDuration;
  if (c.scaleToZeroGracePeriod < B.windowMin) {
    fail(
      `scale-to-zero-grace-period must be at least ${dur(B.windowMin)}, was: ${dur(c.scaleToZeroGracePeriod)}`,
    );
  }
  if (c.scaleDownDelay < 0) fail(`scale-down-delay cannot be negative, was: ${dur(c.scaleDownDelay)}`);
  if (c.scaleDownDelay % 1000 !== 0) {
    fail(`scale-down-delay = ${dur(c.scaleDownDelay)}, must be specified with at most second precision`);
  }
  if (c.scaleToZeroPodRetentionPeriod < 0) {
    fail(
      `scale-to-zero-pod-retention-period cannot be negative, was: ${dur(c.scaleToZeroPodRetentionPeriod)}`,
    );
  }
  if (c.targetBurstCapacity < 0 && c.targetBurstCapacity !== -1) {
    fail(
      `target-burst-capacity must be either non-negative or -1 (for unlimited), was: ${c.targetBurstCapacity}`,
    );
  }
  if (c.containerConcurrencyTargetFraction <= 0 || c.containerConcurrencyTargetFraction > 1) {
    fail(
      `container-concurrency-target-percentage = ${c.containerConcurrencyTargetFraction} is outside of valid range of (0, 100]`,
    );
  }
  const target = c.containerConcurrencyTargetFraction * c.containerConcurrencyTargetDefault;
  if (target < B.targetMin) {
    fail(
      `container-concurrency-target-percentage and container-concurrency-target-default yield target concurrency of ${target}, can't be less than ${B.targetMin}`,
    );
  }
  if (c.rpsTargetDefault < B.targetMin) {
    fail(`requests-per-second-target-default must be at least ${B.targetMin}, was ${c.rpsTargetDefault}`);
  }
  if (c.activatorCapacity < 1) fail(`activator-capacity = ${c.activatorCapacity}, must be at least 1`);
  if (c.maxScaleUpRate <= 1) fail(`max-scale-up-rate = ${c.maxScaleUpRate}, must be greater than 1.0`);
  if (c.maxScaleDownRate <= 1) fail(`max-scale-down-rate = ${c.maxScaleDownRate}, must be greater than 1.0`);
  if (c.stableWindow < B.windowMin || c.stableWindow > B.windowMax) {
    fail(
      `stable-window = ${dur(c.stableWindow)}, must be in [${dur(B.windowMin)}; ${dur(B.windowMax)}] range`,
    );
  }
  if (c.stableWindow % 1000 !== 0) {
    fail(`stable-window = ${dur(c.stableWindow)}, must be specified with at most second precision`);
  }
  if (
    c.panicWindowPercentage < B.panicWindowPercentageMin ||
    c.panicWindowPercentage > B.panicWindowPercentageMax
  ) {
    fail(
      `panic-window-percentage = ${c.panicWindowPercentage}, must be in [${B.panicWindowPercentageMin}, ${B.panicWindowPercentageMax}] interval`,
    );
  }
  if (c.initialScale < 0 || (c.initialScale === 0 && !c.allowZeroInitialScale)) {
    fail(
      `initial-scale = ${c.initialScale}, must be at least 0 (or at least 1 when allow-zero-initial-scale is false)`,
    );
  }
  if (c.minScale < 0) fail(`min-scale = ${c.minScale}, must be at least 0`);
  if (c.maxScaleLimit < 0) fail(`max-scale-limit = ${c.maxScaleLimit}, must be at least 0`);
  if (c.maxScale < 0 || (c.maxScaleLimit > 0 && c.maxScale > c.maxScaleLimit)) {
    fail(`max-scale = ${c.maxScale}, must be in [0, max-scale-limit] range`);
  }
  if (c.minScale > c.maxScale && c.maxScale > 0) {
    fail(`min-scale (${c.minScale}) must be less than max-scale (${c.maxScale})`);
  }
}

// --- config-defaults ---------------------------------------------------------------------------

/** config-defaults (pkg/apis/config/defaults.go). */
export interface DefaultsConfig {
  revisionTimeoutSeconds: number;
  maxRevisionTimeoutSeconds: number;
  revisionResponseStartTimeoutSeconds: number;
  revisionIdleTimeoutSeconds: number;
  containerNameTemplate: string;
  initContainerNameTemplate: string;
  containerConcurrency: number;
  containerConcurrencyMaxLimit: number;
  allowContainerConcurrencyZero: boolean;
  /** `false` by default; undefined when configured as "default" (leave the Kubernetes default). */
  enableServiceLinks: boolean | undefined;
  revisionCpuRequest?: string;
  revisionMemoryRequest?: string;
  revisionEphemeralStorageRequest?: string;
  revisionCpuLimit?: string;
  revisionMemoryLimit?: string;
  revisionEphemeralStorageLimit?: string;
}

/** Parses config-defaults with Knative's defaults and checks. */
export function parseDefaultsConfig(cm: ConfigMap | undefined): DefaultsConfig {
  const d = dataOf(cm);
  const links = (d['enable-service-links'] ?? 'false').toLowerCase();
  const c: DefaultsConfig = {
    revisionTimeoutSeconds: asInt(d, 'revision-timeout-seconds', 300),
    maxRevisionTimeoutSeconds: asInt(d, 'max-revision-timeout-seconds', 600),
    revisionResponseStartTimeoutSeconds: asInt(d, 'revision-response-start-timeout-seconds', 300),
    revisionIdleTimeoutSeconds: asInt(d, 'revision-idle-timeout-seconds', 0),
    containerNameTemplate: d['container-name-template'] || 'user-container',
    initContainerNameTemplate: d['init-container-name-template'] || 'init-container',
    containerConcurrency: asInt(d, 'container-concurrency', 0),
    containerConcurrencyMaxLimit: asInt(d, 'container-concurrency-max-limit', 1000),
    allowContainerConcurrencyZero: asBool(d, 'allow-container-concurrency-zero', true),
    enableServiceLinks: links === 'default' ? undefined : asBool({ v: links }, 'v', false),
  };
  const quantities = {
    revisionCpuRequest: 'revision-cpu-request',
    revisionMemoryRequest: 'revision-memory-request',
    revisionEphemeralStorageRequest: 'revision-ephemeral-storage-request',
    revisionCpuLimit: 'revision-cpu-limit',
    revisionMemoryLimit: 'revision-memory-limit',
    revisionEphemeralStorageLimit: 'revision-ephemeral-storage-limit',
  } as const;
  for (const [field, key] of Object.entries(quantities)) {
    if (d[key]) c[field as keyof typeof quantities] = d[key];
  }
  if (c.revisionTimeoutSeconds > c.maxRevisionTimeoutSeconds) {
    throw new ConfigError(
      `revision-timeout-seconds (${c.revisionTimeoutSeconds}) cannot be greater than max-revision-timeout-seconds (${c.maxRevisionTimeoutSeconds})`,
    );
  }
  if (c.containerConcurrencyMaxLimit < 1) {
    throw new ConfigError(
      `container-concurrency-max-limit ${c.containerConcurrencyMaxLimit} should be at least 1`,
    );
  }
  if (c.containerConcurrency < 0 || c.containerConcurrency > c.containerConcurrencyMaxLimit) {
    throw new ConfigError(
      `expected 0 <= ${c.containerConcurrency} <= ${c.containerConcurrencyMaxLimit}: container-concurrency`,
    );
  }
  if (c.revisionResponseStartTimeoutSeconds < 0) {
    throw new ConfigError(
      `revision-response-start-timeout-seconds (${c.revisionResponseStartTimeoutSeconds}) cannot be negative`,
    );
  }
  if (c.revisionIdleTimeoutSeconds < 0) {
    throw new ConfigError(
      `revision-idle-timeout-seconds (${c.revisionIdleTimeoutSeconds}) cannot be negative`,
    );
  }
  return c;
}

// --- config-features ---------------------------------------------------------------------------

/** Knative's feature flags and their shipped defaults (pkg/apis/config/features.go). */
export const DEFAULT_FEATURES: Readonly<Record<string, string>> = {
  'multi-container': 'enabled',
  'multi-container-probing': 'disabled',
  'kubernetes.podspec-affinity': 'disabled',
  'kubernetes.podspec-topologyspreadconstraints': 'disabled',
  'kubernetes.podspec-dryrun': 'allowed',
  'kubernetes.podspec-hostaliases': 'disabled',
  'kubernetes.podspec-fieldref': 'disabled',
  'kubernetes.podspec-nodeselector': 'disabled',
  'kubernetes.podspec-runtimeclassname': 'disabled',
  'kubernetes.podspec-securitycontext': 'disabled',
  'kubernetes.podspec-priorityclassname': 'disabled',
  'kubernetes.podspec-schedulername': 'disabled',
  'kubernetes.containerspec-addcapabilities': 'disabled',
  'kubernetes.podspec-tolerations': 'disabled',
  'kubernetes.podspec-volumes-emptydir': 'enabled',
  'kubernetes.podspec-volumes-hostpath': 'disabled',
  'kubernetes.podspec-init-containers': 'disabled',
  'kubernetes.podspec-persistent-volume-claim': 'disabled',
  'kubernetes.podspec-persistent-volume-write': 'disabled',
  'kubernetes.podspec-dnspolicy': 'disabled',
  'kubernetes.podspec-dnsconfig': 'disabled',
  'kubernetes.podspec-hostipc': 'disabled',
  'kubernetes.podspec-hostpid': 'disabled',
  'kubernetes.podspec-hostnetwork': 'disabled',
  'kubernetes.podspec-shareprocessnamespace': 'disabled',
  'secure-pod-defaults': 'disabled',
  'tag-header-based-routing': 'disabled',
  'autodetect-http2': 'disabled',
  'queueproxy.mount-podinfo': 'disabled',
};

/** config-features: flag → "enabled" | "disabled" | "allowed". */
export type FeaturesConfig = Record<string, string>;

/** Parses config-features over the defaults (values lower-cased, like Knative). */
export function parseFeaturesConfig(cm: ConfigMap | undefined): FeaturesConfig {
  const out: FeaturesConfig = { ...DEFAULT_FEATURES };
  for (const [k, v] of Object.entries(dataOf(cm))) out[k] = v.trim().toLowerCase();
  return out;
}

/** Whether a feature flag is "enabled". */
export function featureEnabled(features: FeaturesConfig, flag: string): boolean {
  return (features[flag] ?? DEFAULT_FEATURES[flag]) === 'enabled';
}

// --- config-deployment -------------------------------------------------------------------------

/** config-deployment, the keys knlite honours. */
export interface DeploymentConfig {
  progressDeadline: number;
  registriesSkippingTagResolving: string[];
  digestResolutionTimeout: number;
}

/** Parses config-deployment (progress-deadline 600s by default). */
export function parseDeploymentConfig(cm: ConfigMap | undefined): DeploymentConfig {
  const d = dataOf(cm);
  const c: DeploymentConfig = {
    progressDeadline: asDuration(d, 'progress-deadline', 600_000),
    registriesSkippingTagResolving: (
      d['registries-skipping-tag-resolving'] ?? 'kind.local,ko.local,dev.local'
    )
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    digestResolutionTimeout: asDuration(d, 'digest-resolution-timeout', 10_000),
  };
  if (c.progressDeadline <= 0) {
    throw new ConfigError(
      `progress-deadline cannot be a non-positive duration, was ${formatGoDuration(c.progressDeadline)}`,
    );
  }
  if (c.progressDeadline % 1000 !== 0) {
    throw new ConfigError(
      `progress-deadline must be at most second precision, was ${formatGoDuration(c.progressDeadline)}`,
    );
  }
  return c;
}

// --- everything at once ------------------------------------------------------------------------

/** Every parsed Knative config knlite uses. */
export interface KnativeConfigs {
  domain: DomainConfig;
  network: NetworkConfig;
  gc: GCConfig;
  autoscaler: AutoscalerConfig;
  defaults: DefaultsConfig;
  features: FeaturesConfig;
  deployment: DeploymentConfig;
}

/** Parses all configs from a lookup of knative-serving ConfigMaps by name (missing → defaults). */
export function parseConfigs(lookup: (name: string) => ConfigMap | undefined): KnativeConfigs {
  return {
    domain: parseDomainConfig(lookup(ConfigMaps.domain)),
    network: parseNetworkConfig(lookup(ConfigMaps.network)),
    gc: parseGCConfig(lookup(ConfigMaps.gc)),
    autoscaler: parseAutoscalerConfig(lookup(ConfigMaps.autoscaler)),
    defaults: parseDefaultsConfig(lookup(ConfigMaps.defaults)),
    features: parseFeaturesConfig(lookup(ConfigMaps.features)),
    deployment: parseDeploymentConfig(lookup(ConfigMaps.deployment)),
  };
}

/** All configs at their shipped defaults. */
export function defaultConfigs(): KnativeConfigs {
  return parseConfigs(() => undefined);
}

// --- the ConfigMaps the local cluster seeds ----------------------------------------------------

const EXAMPLES: Record<string, string> = {
  [ConfigMaps.domain]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

# Default value for domain, for routes that do not have app=prod labels.
# Although it will match all routes, it is the least-specific rule so it
# will only be used if no other domain matches.
example.com: |

# These are example settings of domain.
# example.org will be used for routes having app=nonprofit.
example.org: |
  selector:
    app: nonprofit

# Routes having the cluster domain suffix (by default 'svc.cluster.local')
# will not be exposed through Ingress. You can define your own label
# selector to assign that domain suffix to your Route here, or you can set
# the label
#    "networking.knative.dev/visibility=cluster-local"
# to achieve the same effect.  This shows how to make routes having
# the label app=secret only exposed to the local cluster.
svc.cluster.local: |
  selector:
    app: secret
`,
  [ConfigMaps.network]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

# domain-template specifies the golang text template string to use
# when constructing the Knative service's DNS name.
domain-template: "{{.Name}}.{{.Namespace}}.{{.Domain}}"

# tag-template specifies the golang text template string to use
# when constructing the DNS name for "tags" within the traffic blocks
# of Routes and Configuration.
tag-template: "{{.Tag}}-{{.Name}}"

# Controls whether TLS certificates are automatically provisioned and
# installed in the Knative ingress to terminate TLS connections
# for cluster external domains (like: app.example.com)
external-domain-tls: "Disabled"

# If true, networking plugins can add additional information to deployed
# applications to make their pods directly accessible via their IPs even if mesh is
# enabled and thus direct-addressability is usually not possible.
# autocreate-cluster-domain-claims controls whether ClusterDomainClaims should
# be automatically created (and deleted) as needed when DomainMappings are
# reconciled.
autocreate-cluster-domain-claims: "false"

# default-external-scheme sets the default scheme to use for Route URLs.
default-external-scheme: "http"

# rollout-duration contains the minimal duration in seconds over which the
# Configuration traffic targets are rolled out to the newest revision.
rollout-duration: "0"

# knlite extension: the port of the local gateway; URLs carry it when it is not 80.
local-gateway-port: "8080"
`,
  [ConfigMaps.gc]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

# Duration since creation before considering a revision for GC or "disabled".
retain-since-create-time: "48h"

# Duration since active before considering a revision for GC or "disabled".
retain-since-last-active-time: "15h"

# Minimum number of non-active revisions to retain.
min-non-active-revisions: "20"

# Maximum number of non-active revisions to retain
# or "disabled" to disable any maximum limit.
max-non-active-revisions: "1000"
`,
  [ConfigMaps.autoscaler]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

container-concurrency-target-percentage: "70"
container-concurrency-target-default: "100"
requests-per-second-target-default: "200"
target-burst-capacity: "211"
stable-window: "60s"
panic-window-percentage: "10.0"
panic-threshold-percentage: "200.0"
max-scale-up-rate: "1000.0"
max-scale-down-rate: "2.0"
enable-scale-to-zero: "true"
scale-to-zero-grace-period: "30s"
scale-to-zero-pod-retention-period: "0s"
pod-autoscaler-class: "kpa.autoscaling.knative.dev"
activator-capacity: "100.0"
initial-scale: "1"
allow-zero-initial-scale: "false"
min-scale: "0"
max-scale: "0"
scale-down-delay: "0s"
max-scale-limit: "0"

# knlite: how long scale-to-zero keeps the last instance frozen (its processes
# stopped with SIGSTOP: memory held, no CPU) so the next request thaws it instead
# of cold-starting; "off" or a duration up to 1h. Per revision:
# autoscaling.knlite.dev/frozen-retention.
frozen-retention: "off"
`,
  [ConfigMaps.defaults]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

revision-timeout-seconds: "300"  # 5 minutes
max-revision-timeout-seconds: "600"  # 10 minutes
revision-response-start-timeout-seconds: "300"
revision-idle-timeout-seconds: "0"  # infinite
revision-cpu-request: "400m"  # 0.4 of a CPU (aka 400 milli-CPU)
revision-memory-request: "100M"  # 100 megabytes of memory
revision-ephemeral-storage-request: "500M"  # 500 megabytes of storage
revision-cpu-limit: "1000m"  # 1 CPU (aka 1000 milli-CPU)
revision-memory-limit: "200M"  # 200 megabytes of memory
revision-ephemeral-storage-limit: "750M"  # 750 megabytes of storage
container-name-template: "user-container"
init-container-name-template: "init-container"
container-concurrency: "0"
container-concurrency-max-limit: "1000"
allow-container-concurrency-zero: "true"
enable-service-links: "false"
`,
  [ConfigMaps.features]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

${Object.entries(DEFAULT_FEATURES)
  .map(([k, v]) => `${k}: "${v}"`)
  .join('\n')}
`,
  [ConfigMaps.deployment]: `################################
#                              #
#    EXAMPLE CONFIGURATION     #
#                              #
################################

progress-deadline: "600s"
registries-skipping-tag-resolving: "kind.local,ko.local,dev.local"
digest-resolution-timeout: "10s"
`,
};

/** Options for the ConfigMaps the local cluster seeds. */
export interface SeedOptions {
  /** A default domain to put in config-domain (the local cluster uses "localhost"). */
  domain?: string;
  /** The gateway port written to config-network `local-gateway-port`. */
  gatewayPort?: number;
  /** Sets config-network `autocreate-cluster-domain-claims: "true"`. */
  autocreateClusterDomainClaims?: boolean;
}

/**
 * The knative-serving ConfigMaps with Knative's shipped content: each has its `_example` block and
 * otherwise empty data (so Knative's defaults apply), plus the local-cluster settings asked for.
 */
export function defaultConfigMaps(opts: SeedOptions = {}): ConfigMap[] {
  return Object.values(ConfigMaps).map((name) => {
    const data: Record<string, string> = { [EXAMPLE_KEY]: EXAMPLES[name] };
    if (name === ConfigMaps.domain && opts.domain) data[opts.domain] = '';
    if (name === ConfigMaps.network) {
      if (opts.gatewayPort !== undefined) data['local-gateway-port'] = String(opts.gatewayPort);
      if (opts.autocreateClusterDomainClaims) data['autocreate-cluster-domain-claims'] = 'true';
    }
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace: SYSTEM_NAMESPACE,
        labels: { 'app.kubernetes.io/name': 'knative-serving', 'app.kubernetes.io/component': 'controller' },
      },
      data,
    };
  });
}
