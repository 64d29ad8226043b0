/** `service list`. */
import type { KubeList, Service } from '../../apis/types.js';
import type { ServiceStore } from '../../client/service-store.js';

/** Lists services; with a name, the list holds just that service (or nothing). */
export async function listServices(
  store: ServiceStore,
  opts: { name?: string; allNamespaces?: boolean },
): Promise<KubeList<Service>> {
  const list = await store.listServices({ allNamespaces: opts.allNamespaces });
  if (opts.name) list.items = list.items.filter((s) => s.metadata.name === opts.name);
  return list;
}
