/** Custom resources (any CRD-defined kind). */
import type { ResourceType } from '../types.js';
import type { Strategy } from '../strategy.js';

const WITH_STATUS: Strategy = {
  prepareForCreate(obj) {
    // Custom resources with a status subresource start without one, like the real apiserver.
    delete (obj as { status?: unknown }).status;
  },
};

/** A custom resource's strategy depends on whether its CRD serves /status. */
export function customResourceStrategy(type: ResourceType): Strategy {
  return type.subresources.status ? WITH_STATUS : {};
}
