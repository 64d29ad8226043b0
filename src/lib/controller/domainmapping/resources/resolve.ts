/**
 * Resolving a DomainMapping's `spec.ref` to a URL and checking it the way Knative does (the target
 * must be addressable at `{name}.{namespace}.svc.cluster.local` in the mapping's namespace, no path).
 */
import type { DomainMapping, KubeObject, RouteStatus } from '../../../apis/types.js';
import type { Listers } from '../../context.js';

/** Resolution result: the target URL, or the ResolveFailed message. */
export type Resolution = { url: string; error?: undefined } | { url?: undefined; error: string };

/** Resolves `dm.spec.ref` (Knative Service or Route, or a core Service) through the caches. */
export function resolveRef(
  dm: DomainMapping,
  listers: Pick<Listers, 'services' | 'routes' | 'kubeServices'>,
): Resolution {
  const ref = dm.spec.ref;
  const ns = ref.namespace || dm.metadata.namespace;
  const apiVersion = ref.apiVersion ?? 'serving.knative.dev/v1';
  const kind = ref.kind ?? 'Service';
  const describe = `${kind} "${ref.name}"`;
  let url: string | undefined;
  if (apiVersion.startsWith('serving.knative.dev/') && (kind === 'Service' || kind === 'Route')) {
    const obj: (KubeObject & { status?: RouteStatus }) | undefined =
      kind === 'Service' ? listers.services.get(ns, ref.name) : listers.routes.get(ns, ref.name);
    if (!obj)
      return {
        error: `failed to get ref ${describe}: ${kind.toLowerCase()}s.serving.knative.dev "${ref.name}" not found`,
      };
    url = obj.status?.address?.url;
    if (!url) return { error: `address not set for ${describe}` };
  } else if (apiVersion === 'v1' && kind === 'Service') {
    if (!listers.kubeServices.get(ns, ref.name))
      return { error: `failed to get ref ${describe}: services "${ref.name}" not found` };
    url = `http://${ref.name}.${ns}.svc.cluster.local`;
  } else {
    return { error: `unsupported ref ${apiVersion} ${kind} "${ref.name}"` };
  }
  return checkResolvedUrl(url, dm.metadata.namespace!);
}

/** Knative's checks on the resolved URI (messages verbatim). */
export function checkResolvedUrl(url: string, namespace: string): Resolution {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: `resolved URI "${url}" is not a URL` };
  }
  if (parsed.pathname !== '/' && parsed.pathname !== '')
    return { error: `resolved URI "${url}" contains a path` };
  const parts = parsed.hostname.split('.');
  if (parts.length !== 5 || parts.slice(2).join('.') !== 'svc.cluster.local') {
    return { error: `resolved URI "${url}" must be of the form {name}.{namespace}.svc.cluster.local` };
  }
  if (parts[1] !== namespace)
    return { error: `resolved URI "${url}" must be in same namespace as DomainMapping` };
  return { url };
}
