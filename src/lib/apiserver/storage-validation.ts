/**
 * kube-apiserver's validation of PersistentVolumeClaims and PersistentVolumes
 * (pkg/apis/core/validation: ValidatePersistentVolumeClaimSpec, ValidatePersistentVolumeSpec and
 * the claim's update rule), phrased like k8s.io/apimachinery's field errors. Quantities that do not
 * parse were already refused by the typed decoder.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../apis/types.js';
import { notSupportedCause as notSupported, requiredCause as required, type StatusCause } from './errors.js';
import { DecodeError, parseQuantity } from './typed.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

type Obj = Record<string, any>;

function accessModeCauses(modes: unknown, field: string, detail: string): StatusCause[] {
  if (!Array.isArray(modes) || modes.length === 0) return [required(field, detail)];
  return modes
    .filter((m) => !ACCESS_MODES.includes(String(m)))
    .map((m) => notSupported(field, String(m), ACCESS_MODES));
}

function positiveStorage(value: unknown, field: string): StatusCause[] {
  try {
    const q = parseQuantity(String(value));
    if (q.value > 0) return [];
    return [
      {
        field,
        message: `Invalid value: "${q.text}": must be greater than zero`,
        reason: 'FieldValueInvalid',
      },
    ];
  } catch (err) {
    if (err instanceof DecodeError)
      return [
        {
          field,
          message: `Invalid value: ${JSON.stringify(String(value))}: ${err.message}`,
          reason: 'FieldValueInvalid',
        },
      ];
    throw err;
  }
}

/** A claim: access modes and a positive storage request; on update, only what Kubernetes lets change. */
export function persistentVolumeClaimCauses(obj: KubeObject, old?: KubeObject): StatusCause[] {
  const spec = ((obj as Obj).spec ?? {}) as Obj;
  const out = accessModeCauses(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required');
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) out.push(required('spec.resources[storage]'));
  else out.push(...positiveStorage(storage, 'spec.resources[storage]'));
  if (old) {
    const before = structuredClone(((old as Obj).spec ?? {}) as Obj);
    const after = structuredClone(spec);
    // The binder sets volumeName once; requests may grow (expansion).
    if (!before.volumeName) before.volumeName = after.volumeName;
    if (before.resources || after.resources) {
      before.resources = { ...(before.resources ?? {}), requests: after.resources?.requests };
      after.resources = { ...(after.resources ?? {}), requests: after.resources?.requests };
    }
    if (!isDeepStrictEqual(before, after))
      out.push({
        field: 'spec',
        message:
          'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
        reason: 'FieldValueForbidden',
      });
  }
  return out;
}

/** A StorageClass (ValidateStorageClass): a provisioner, and a known reclaim policy and binding mode. */
export function storageClassCauses(obj: KubeObject): StatusCause[] {
  const o = obj as Obj;
  const out: StatusCause[] = [];
  if (!o.provisioner) out.push(required('provisioner'));
  if (o.reclaimPolicy !== undefined && !['Delete', 'Retain'].includes(o.reclaimPolicy))
    out.push(notSupported('reclaimPolicy', String(o.reclaimPolicy), ['Delete', 'Retain']));
  if (
    o.volumeBindingMode !== undefined &&
    !['Immediate', 'WaitForFirstConsumer'].includes(o.volumeBindingMode)
  )
    out.push(
      notSupported('volumeBindingMode', String(o.volumeBindingMode), ['Immediate', 'WaitForFirstConsumer']),
    );
  return out;
}

/** A volume: access modes, a storage capacity and exactly the one source it is of. */
export function persistentVolumeCauses(obj: KubeObject): StatusCause[] {
  const spec = ((obj as Obj).spec ?? {}) as Obj;
  const out = accessModeCauses(spec.accessModes, 'spec.accessModes', '');
  const capacity = (spec.capacity ?? {}) as Record<string, unknown>;
  if (Object.keys(capacity).length === 0) out.push(required('spec.capacity'));
  else if (!('storage' in capacity) || Object.keys(capacity).length > 1)
    out.push(notSupported('spec.capacity', JSON.stringify(capacity), ['storage']));
  else out.push(...positiveStorage(capacity.storage, 'spec.capacity[storage]'));
  const sources = Object.keys(spec).filter((k) => VOLUME_SOURCES.has(k) && spec[k]);
  if (sources.length === 0) out.push(required('spec', 'must specify a volume type'));
  else if (sources.length > 1)
    out.push({
      field: `spec.${sources[1]}`,
      message: 'Forbidden: may not specify more than 1 volume type',
      reason: 'FieldValueForbidden',
    });
  for (const k of ['hostPath', 'local']) if (spec[k] && !spec[k].path) out.push(required(`spec.${k}.path`));
  return out;
}

const VOLUME_SOURCES = new Set([
  'hostPath',
  'local',
  'nfs',
  'iscsi',
  'csi',
  'fc',
  'rbd',
  'cephfs',
  'glusterfs',
  'awsElasticBlockStore',
  'gcePersistentDisk',
  'azureDisk',
  'azureFile',
  'vsphereVolume',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'flexVolume',
  'flocker',
  'quobyte',
  'photonPersistentDisk',
  'cinder',
]);
