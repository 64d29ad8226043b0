/**
 * Writing a KIngress the way both of its reconcilers (Route, DomainMapping) need: create it when
 * missing, replace spec/labels/annotations when they drifted, and leave the status — which belongs
 * to the ingress implementation — alone.
 */
import type { Ingress } from '../apis/types.js';
import type { Client } from './framework/client.js';
import { childUpdate } from './framework/equality.js';
import { Kinds } from '../kube/kinds.js';
import type { Lister } from '../kube/store.js';

/** Creates or updates `want`; returns the stored KIngress. `create` wraps the create (e.g. to record Events). */
export async function reconcileIngress(
  client: Client,
  ingresses: Lister<Ingress>,
  want: Ingress,
  create: (want: Ingress) => Promise<Ingress> = (w) => client.create(Kinds.ingress, w),
): Promise<Ingress> {
  const have = ingresses.get(want.metadata.namespace, want.metadata.name!);
  if (!have) return create(want);
  const update = childUpdate(have, want);
  return update ? client.replace(Kinds.ingress, update) : have;
}

/** Whether the implementation has reported on this very generation of the KIngress. */
export function ingressObserved(ingress: Ingress): boolean {
  return (ingress.metadata.generation ?? 0) === (ingress.status?.observedGeneration ?? -1);
}
