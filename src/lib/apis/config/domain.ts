/**
 * config-domain: the domains Routes get, by label selector (pkg/reconciler/route/config/domain.go).
 */
import yaml from 'js-yaml';
import { Labels, VISIBILITY_CLUSTER_LOCAL } from '../keys.js';
import type { ConfigMap } from '../types.js';
import { ConfigError, dataOf } from './parse.js';

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
