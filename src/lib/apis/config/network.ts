/**
 * config-network: ingress and certificate classes, domain and tag templates, visibility and TLS
 * switches (knative.dev/networking pkg/config), plus knlite's `local-gateway-port`.
 */
import { KNLITE_CERTIFICATE_CLASS, KNLITE_INGRESS_CLASS } from '../keys.js';
import { parseTemplate, type TemplateValues } from '../templates.js';
import type { ConfigMap } from '../types.js';
import { ConfigError, dataOf, asInt, asBool } from './parse.js';
import { DEFAULT_DOMAIN } from './domain.js';

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
