/**
 * Owner references as metav1 and kmeta define them: the controller of an object, whether it is
 * controlled by a given owner, and the controlling reference a controller puts on what it creates.
 * The reconcilers and the local runtime (a Deployment's ReplicaSets and Pods) share them.
 */
import type { KubeObject, OwnerReference } from './types.js';

/** The controller ownerReference of `obj`, if any. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((o) => o.controller);
}

/** metav1.IsControlledBy: `child`'s controller ref points at `owner`'s uid. */
export function isControlledBy(child: KubeObject, owner: KubeObject): boolean {
  const ref = controllerOf(child);
  return !!ref && ref.uid === owner.metadata.uid;
}

/** kmeta.NewControllerRef: a controlling, blocking ownerReference to `owner`. */
export function controllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}
