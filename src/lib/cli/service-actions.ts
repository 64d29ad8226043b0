/**
 * What the `service` commands do, between parsing and printing: list, describe, create, update,
 * apply, delete, export. Commands stay thin (STYLE §2); these functions hold the kn semantics
 * (create-or-replace, unchanged detection, waiting on the user's intent) and report through an
 * `ActionOutput` so TTY progress and plain lines are the printer's business.
 */
import type { KubeList, Revision, Service } from '../apis/types.js';
import { isNotFound, KnError } from '../client/errors.js';
import type { ServiceStore } from '../client/service-store.js';
import type { ServingClient } from '../client/serving-client.js';
import { Labels } from '../apis/keys.js';

/** Lists services; with a name, the list holds just that service (or nothing). */
export async function listServices(
  store: ServiceStore,
  opts: { name?: string; allNamespaces?: boolean },
): Promise<KubeList<Service>> {
  const list = await store.listServices({ allNamespaces: opts.allNamespaces });
  if (opts.name) list.items = list.items.filter((s) => s.metadata.name === opts.name);
  return list;
}

/** A service and the revisions that belong to it (for describe). */
export async function describeServiceData(
  client: ServingClient,
  name: string,
): Promise<{ service: Service; revisions: Revision[] }> {
  const service = await client.getService(name);
  const revisions = (
    await client.listObjects<Revision>((await import('../client/resources.js')).Resources.revision, {
      labelSelector: `${Labels.service}=${name}`,
      namespace: service.metadata.namespace,
    })
  ).items;
  return { service, revisions };
}

/** Whether a service exists (NotFound → false; other errors propagate). */
export async function serviceExists(store: ServiceStore, name: string): Promise<Service | undefined> {
  try {
    return await store.getService(name);
  } catch (err) {
    if (isNotFound(err) || (err instanceof KnError && err.name === 'NotFound')) return undefined;
    throw err;
  }
}
