/** Knative's `CheckNameAvailability` for BYO revision names (`spec.template.metadata.name`). */
import { Labels } from '../../apis/keys.js';
import type { Configuration, Revision } from '../../apis/types.js';
import { isControlledBy } from '../../apis/owner.js';
import { semanticEqual } from '../framework/equality.js';
import type { Lister } from '../../kube/store.js';

/** Outcome of a BYO name check: free to create, ours to use, or taken by something else. */
export type NameAvailability =
  | { state: 'none' }
  | { state: 'notFound' }
  | { state: 'ours'; revision: Revision }
  | { state: 'taken'; message: string };

/**
 * A BYO-named Revision may be used when it does not exist yet, or when this Configuration controls
 * it and it is at this generation or its spec equals the template's; otherwise the name is taken.
 */
export function checkNameAvailability(config: Configuration, revisions: Lister<Revision>): NameAvailability {
  const name = config.spec.template?.metadata?.name;
  if (!name) return { state: 'none' };
  const rev = revisions.get(config.metadata.namespace, name);
  if (!rev) return { state: 'notFound' };
  const taken = {
    state: 'taken' as const,
    message: `revisions.serving.knative.dev "${name}" already exists`,
  };
  if (!isControlledBy(rev, config)) return taken;
  if (rev.metadata.labels?.[Labels.configurationGeneration] === String(config.metadata.generation))
    return { state: 'ours', revision: rev };
  if (!semanticEqual(config.spec.template.spec, rev.spec)) return taken;
  return { state: 'ours', revision: rev };
}
