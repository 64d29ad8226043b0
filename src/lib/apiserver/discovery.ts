/**
 * Plain (non-aggregated) API discovery: /api (APIVersions), /apis (APIGroupList), /apis/<g>
 * (APIGroup) and /api/v1, /apis/<g>/<v> (APIResourceList with verbs, shortNames, categories,
 * singularName and the status/scale subresources). kubectl falls back to these when the
 * response is not aggregated discovery.
 */
import type { Registry } from './registry.js';
import { REVIEW_TYPES } from './reviews.js';
import type { ResourceType } from './types.js';

/** Groups and versions served: the registry's plus the self-review APIs. */
function servedGroups(registry: Registry): Map<string, string[]> {
  const groups = registry.groups();
  for (const t of REVIEW_TYPES) {
    const vs = groups.get(t.group) ?? [];
    if (!vs.includes(t.version)) vs.push(t.version);
    groups.set(t.group, vs);
  }
  return groups;
}

/** Orders versions the way Kubernetes prefers them: GA > beta > alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = v.match(/^v(\d+)(?:(alpha|beta)(\d+))?$/);
    if (!m) return [0, 0, 0];
    const stability = m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3;
    return [stability, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = parse(a);
  const [sb, mb, nb] = parse(b);
  return sb - sa || mb - ma || nb - na;
}

function groupEntry(group: string, versions: string[]): object {
  const sorted = [...versions].sort(compareVersions);
  const gv = sorted.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: gv, preferredVersion: gv[0] };
}

/** GET /api. */
export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    apiVersion: 'v1',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** GET /apis. */
export function apiGroupList(registry: Registry): object {
  const groups = [...servedGroups(registry)].map(([g, vs]) => groupEntry(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** GET /apis/<group>, or undefined when no such group is served. */
export function apiGroup(registry: Registry, group: string): object | undefined {
  const vs = servedGroups(registry).get(group);
  if (!vs) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, vs) };
}

function resourceEntries(t: ResourceType): object[] {
  const main: Record<string, unknown> = {
    name: t.resource,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
  };
  if (t.shortNames?.length) main.shortNames = t.shortNames;
  if (t.categories?.length) main.categories = t.categories;
  const out: object[] = [main];
  if (t.subresources.status)
    out.push({
      name: `${t.resource}/status`,
      singularName: '',
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ['get', 'patch', 'update'],
    });
  if (t.group === '' && t.resource === 'pods')
    for (const [sub, verbs] of [
      ['log', ['get']],
      ['exec', ['create', 'get']],
      ['portforward', ['create', 'get']],
    ] as const)
      out.push({ name: `pods/${sub}`, singularName: '', namespaced: true, kind: 'Pod', verbs });
  if (t.group === '' && t.resource === 'serviceaccounts')
    out.push({
      name: 'serviceaccounts/token',
      singularName: '',
      namespaced: true,
      group: 'authentication.k8s.io',
      version: 'v1',
      kind: 'TokenRequest',
      verbs: ['create'],
    });
  if (t.subresources.scale)
    out.push({
      name: `${t.resource}/scale`,
      singularName: '',
      namespaced: t.namespaced,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
  return out;
}

/** GET /api/v1 or /apis/<g>/<v>, or undefined when that group/version is not served. */
export function apiResourceList(registry: Registry, group: string, version: string): object | undefined {
  const types = [...registry.all(), ...REVIEW_TYPES]
    .filter((t) => t.group === group && t.version === version)
    .sort((a, b) => a.resource.localeCompare(b.resource));
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.flatMap(resourceEntries),
  };
}

/** GET /version. */
export function versionInfo(): object {
  return {
    major: '1',
    minor: '31',
    gitVersion: 'v1.31.0-knlite',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch}`,
  };
}
