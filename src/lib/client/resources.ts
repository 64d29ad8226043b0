/**
 * The resource types the CLI reads and writes, as data: group, version, plural, kind and the noun
 * used in user-facing messages ("service 'x' not found ..."). `resourcePath` builds REST paths.
 */
import { SERVING_GROUP } from '../apis/keys.js';

/** A REST resource type. `group` '' is the core group (/api/v1). */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  kind: string;
  /** How messages name one object of this type. */
  noun: string;
  namespaced: boolean;
}

/** The resource types knlite's CLI uses. */
export const Resources = {
  service: {
    group: SERVING_GROUP,
    version: 'v1',
    plural: 'services',
    kind: 'Service',
    noun: 'service',
    namespaced: true,
  },
  revision: {
    group: SERVING_GROUP,
    version: 'v1',
    plural: 'revisions',
    kind: 'Revision',
    noun: 'revision',
    namespaced: true,
  },
  route: {
    group: SERVING_GROUP,
    version: 'v1',
    plural: 'routes',
    kind: 'Route',
    noun: 'route',
    namespaced: true,
  },
  configuration: {
    group: SERVING_GROUP,
    version: 'v1',
    plural: 'configurations',
    kind: 'Configuration',
    noun: 'configuration',
    namespaced: true,
  },
  domainMapping: {
    group: SERVING_GROUP,
    version: 'v1beta1',
    plural: 'domainmappings',
    kind: 'DomainMapping',
    noun: 'domain mapping',
    namespaced: true,
  },
  configMap: {
    group: '',
    version: 'v1',
    plural: 'configmaps',
    kind: 'ConfigMap',
    noun: 'config map',
    namespaced: true,
  },
  namespace: {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    kind: 'Namespace',
    noun: 'namespace',
    namespaced: false,
  },
} as const satisfies Record<string, ResourceRef>;

/** `apiVersion` string of a resource type (`serving.knative.dev/v1`, `v1`). */
export function apiVersionOf(res: ResourceRef): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

/**
 * REST path of a collection or object: `/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>[/<sub>]]`.
 * An empty namespace addresses all namespaces.
 */
export function resourcePath(
  res: ResourceRef,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  let p = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  if (res.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${res.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}
