/**
 * core PersistentVolumeClaims and PersistentVolumes: kube-apiserver's defaults (volumeMode
 * Filesystem, a PV's reclaim policy Retain) and the phase a new object starts in (Pending). A claim
 * that names no storage class gets the default one, `local-path`, as the DefaultStorageClass
 * admission plugin gives it on a cluster whose default class that is (kind, k3s); an explicit
 * `storageClassName: ""` stays: it asks for no class.
 */
import { LOCAL_PATH_STORAGE_CLASS } from '../../apis/storage.js';
import type { Strategy } from '../strategy.js';

export const persistentVolumeClaimStrategy: Strategy = {
  applyDefaults(obj) {
    const o = obj as Record<string, any>;
    o.spec ??= {};
    o.spec.volumeMode ??= 'Filesystem';
  },
  prepareForCreate(obj) {
    const o = obj as Record<string, any>;
    o.spec ??= {};
    o.spec.volumeMode ??= 'Filesystem';
    if (o.spec.storageClassName === undefined) o.spec.storageClassName = LOCAL_PATH_STORAGE_CLASS;
    o.status = { phase: 'Pending' };
  },
};

export const persistentVolumeStrategy: Strategy = {
  applyDefaults(obj) {
    const o = obj as Record<string, any>;
    o.spec ??= {};
    o.spec.volumeMode ??= 'Filesystem';
    o.spec.persistentVolumeReclaimPolicy ??= 'Retain';
  },
  prepareForCreate(obj) {
    const o = obj as Record<string, any>;
    o.spec ??= {};
    o.spec.volumeMode ??= 'Filesystem';
    o.spec.persistentVolumeReclaimPolicy ??= 'Retain';
    o.status = { phase: 'Pending' };
  },
};
