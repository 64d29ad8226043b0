/**
 * core/v1 PersistentVolumeClaim and PersistentVolume, as the local cluster's API server serves them
 * and its local-path provisioner (the kubelet component) binds them, plus the storage facts both
 * share: the storage class the provisioner serves and the kube-scheduler's words for a pod whose
 * claim cannot be used.
 */
import type { KubeObject } from './types.js';

/** The storage class the local-path provisioner serves; claims that name none get it (the default class). */
export const LOCAL_PATH_STORAGE_CLASS = 'local-path';

/** The provisioner's name, as rancher's local-path-provisioner annotates what it provisions. */
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';

/** core/v1 PersistentVolumeClaim. */
export interface PersistentVolumeClaim extends KubeObject {
  spec: {
    accessModes?: string[];
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    volumeName?: string;
    storageClassName?: string;
    volumeMode?: string;
    [key: string]: unknown;
  };
  status?: {
    phase?: 'Pending' | 'Bound' | 'Lost';
    accessModes?: string[];
    capacity?: Record<string, string>;
  };
}

/** core/v1 PersistentVolume (the sources the local cluster can mount: hostPath and local). */
export interface PersistentVolume extends KubeObject {
  spec: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    hostPath?: { path: string; type?: string };
    local?: { path: string };
    claimRef?: {
      apiVersion?: string;
      kind?: string;
      namespace?: string;
      name?: string;
      uid?: string;
      resourceVersion?: string;
    };
    persistentVolumeReclaimPolicy?: 'Retain' | 'Delete' | 'Recycle';
    storageClassName?: string;
    volumeMode?: string;
    [key: string]: unknown;
  };
  status?: { phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed'; message?: string };
}

/**
 * Why a pod using claim `claimName` cannot be scheduled, in kube-scheduler's words (the
 * VolumeBinding plugin's PreFilter message inside the FitError of a one-node cluster); undefined
 * when the claim is bound and the pod may run.
 */
export function claimUnschedulable(
  claim: PersistentVolumeClaim | undefined,
  claimName: string,
): string | undefined {
  const tail = 'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
  if (!claim)
    return `0/1 nodes are available: persistentvolumeclaim ${JSON.stringify(claimName)} not found. ${tail}`;
  if (claim.metadata.deletionTimestamp)
    return `0/1 nodes are available: persistentvolumeclaim ${JSON.stringify(claimName)} is being deleted. ${tail}`;
  if (claim.status?.phase !== 'Bound' || !claim.spec.volumeName)
    return `0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. ${tail}`;
  return undefined;
}
