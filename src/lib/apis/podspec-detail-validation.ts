/**
 * The parts of Knative's PodSpec validation below the container level
 * (pkg/apis/serving/k8s_validation.go, fieldmask.go): security contexts, volume sources
 * (items, projections, emptyDir, PVC), volume mounts and init containers — plus the fields the
 * local cluster cannot honour for a process, refused here with a reason instead of being accepted
 * and ignored (see the README's "What pods can use").
 */
import type { ApisContext } from './context.js';
import { featureEnabled } from './config/features.js';
import {
  also,
  errDisallowedFields,
  errGeneric,
  errInvalidValue,
  errMissingField,
  errMissingOneOf,
  errMultipleOneOf,
  errOutOfBoundsValue,
  FieldError,
  via,
} from './field-error.js';
import type { Container, KeyToPath, Volume, VolumeMount, VolumeProjection } from './types.js';

type Err = FieldError | undefined;

const MAX_ID = 2147483647;

/** Why a field cannot be honoured by the local cluster, which runs containers as processes. */
const LOCAL = 'the local cluster runs each container as a process of the user running it';

const CONTAINER_SECURITY_FIELDS = [
  'capabilities',
  'readOnlyRootFilesystem',
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'allowPrivilegeEscalation',
  'seccompProfile',
];
const POD_SECURITY_FIELDS = [
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'fsGroup',
  'supplementalGroups',
  'seccompProfile',
];

/** Knative's validateSecurityContext (a container's, path relative to it), and what runs here. */
export function validateContainerSecurityContext(sc: unknown, ctx: ApisContext): Err {
  if (sc === undefined || sc === null) return undefined;
  const s = sc as Record<string, unknown>;
  const allowed = [...CONTAINER_SECURITY_FIELDS];
  // Only `privileged: false` may be set.
  if (s.privileged === false) allowed.push('privileged');
  let errs: Err = disallowed(s, allowed);
  errs = also(
    errs,
    via(validateCapabilities(s.capabilities, ctx), (e) => e.viaField('capabilities')),
  );
  errs = also(errs, idBounds(s.runAsUser, 'runAsUser'), idBounds(s.runAsGroup, 'runAsGroup'));
  errs = also(
    errs,
    via(validateSeccomp(s.seccompProfile), (e) => e.viaField('seccompProfile')),
  );
  return via(errs, (e) => e.viaField('securityContext'));
}

/** Knative's ValidatePodSecurityContext (fields behind kubernetes.podspec-securitycontext). */
export function validatePodSecurityContext(sc: unknown, ctx: ApisContext): Err {
  if (sc === undefined || sc === null) return undefined;
  const s = sc as Record<string, unknown>;
  const enabled = featureEnabled(ctx.features, 'kubernetes.podspec-securitycontext');
  let errs: Err = disallowed(s, enabled ? POD_SECURITY_FIELDS : []);
  errs = also(errs, idBounds(s.runAsUser, 'runAsUser'), idBounds(s.runAsGroup, 'runAsGroup'));
  errs = also(errs, idBounds(s.fsGroup, 'fsGroup'));
  if (Array.isArray(s.supplementalGroups)) {
    s.supplementalGroups.forEach((gid, i) => {
      if (typeof gid === 'number' && (gid < 0 || gid > MAX_ID))
        errs = also(errs, errOutOfBoundsValue(gid, 0, MAX_ID, '').viaFieldIndex('supplementalGroups', i));
    });
  }
  if (enabled) {
    // Group ownership of volumes and extra groups need a real kubelet: one process, one user.
    for (const field of ['fsGroup', 'supplementalGroups']) {
      if (s[field] !== undefined) {
        errs = also(errs, FieldError.of(`${field} cannot be honoured: ${LOCAL}, with one group`, [field]));
      }
    }
    errs = also(
      errs,
      via(validateSeccomp(s.seccompProfile), (e) => e.viaField('seccompProfile')),
    );
  }
  return via(errs, (e) => e.viaField('securityContext'));
}

function validateCapabilities(caps: unknown, ctx: ApisContext): Err {
  if (caps === undefined || caps === null) return undefined;
  const c = caps as Record<string, unknown>;
  const allowed = ['drop'];
  if (featureEnabled(ctx.features, 'kubernetes.containerspec-addcapabilities')) allowed.push('add');
  let errs = disallowed(c, allowed);
  if (allowed.includes('add') && Array.isArray(c.add) && c.add.length > 0) {
    errs = also(
      errs,
      FieldError.of(`capabilities cannot be added: ${LOCAL}, which has none to give`, ['add']),
    );
  }
  return errs;
}

// Only the runtime's default profile (and Unconfined) can be met: no custom seccomp profiles.
function validateSeccomp(profile: unknown): Err {
  if (profile === undefined || profile === null) return undefined;
  const type = (profile as { type?: unknown }).type;
  if (type === 'Localhost') {
    return FieldError.of(`seccomp profile type Localhost cannot be honoured: ${LOCAL}`, ['type']);
  }
  return undefined;
}

function idBounds(value: unknown, field: string): Err {
  if (typeof value !== 'number') return undefined;
  return value < 0 || value > MAX_ID ? errOutOfBoundsValue(value, 0, MAX_ID, field) : undefined;
}

function disallowed(obj: Record<string, unknown>, allowed: string[]): Err {
  const bad = Object.keys(obj)
    .filter((k) => obj[k] !== undefined && obj[k] !== null && !allowed.includes(k))
    .sort();
  return bad.length ? errDisallowedFields(...bad) : undefined;
}

/** The parts of Knative's validateVolume below the one-of check: items, projections, emptyDir, PVC. */
export function validateVolumeSource(v: Volume, ctx: ApisContext): Err {
  let errs: Err;
  if (v.secret) {
    errs = also(
      errs,
      via(disallowed(v.secret, ['secretName', 'items', 'defaultMode', 'optional']), (e) =>
        e.viaField('secret'),
      ),
    );
    errs = also(
      errs,
      via(validateItems(v.secret.items), (e) => e.viaField('secret')),
    );
  }
  if (v.configMap) {
    errs = also(
      errs,
      via(disallowed(v.configMap, ['name', 'items', 'defaultMode', 'optional']), (e) =>
        e.viaField('configMap'),
      ),
    );
    errs = also(
      errs,
      via(validateItems(v.configMap.items), (e) => e.viaField('configMap')),
    );
  }
  if (v.projected) {
    (v.projected.sources ?? []).forEach((source, i) => {
      errs = also(
        errs,
        via(validateProjection(source), (e) => e.viaFieldIndex('projected', i)),
      );
    });
  }
  if (v.emptyDir) {
    const { medium, sizeLimit } = v.emptyDir;
    if (medium && medium !== 'Memory') errs = also(errs, errInvalidValue(medium, 'emptyDir.medium'));
    if (typeof sizeLimit === 'string' && sizeLimit.trim().startsWith('-'))
      errs = also(errs, errInvalidValue(sizeLimit, 'emptyDir.sizeLimit'));
  }
  if (v.persistentVolumeClaim) {
    const { claimName, readOnly } = v.persistentVolumeClaim;
    if (!readOnly && !featureEnabled(ctx.features, 'kubernetes.podspec-persistent-volume-write')) {
      errs = also(
        errs,
        errGeneric(
          `Persistent volume write support is disabled, but found persistent volume claim ${claimName} that is not read-only`,
          '',
        ),
      );
    }
  }
  return errs;
}

function validateItems(items: KeyToPath[] | undefined): Err {
  let errs: Err;
  (items ?? []).forEach((item, i) => {
    let e: Err = disallowed(item as unknown as Record<string, unknown>, ['key', 'path', 'mode']);
    if (!item.key) e = also(e, errMissingField('key'));
    if (!item.path) e = also(e, errMissingField('path'));
    errs = also(
      errs,
      via(e, (x) => x.viaFieldIndex('items', i)),
    );
  });
  return errs;
}

function validateProjection(p: VolumeProjection): Err {
  let errs: Err = disallowed(p, ['secret', 'configMap', 'serviceAccountToken', 'downwardAPI']);
  const specified = (['secret', 'configMap', 'serviceAccountToken', 'downwardAPI'] as const).filter(
    (k) => p[k],
  );
  if (p.secret) {
    let e: Err = disallowed(p.secret, ['name', 'items', 'optional']);
    if (!p.secret.name) e = also(e, errMissingField('name'));
    e = also(e, validateItems(p.secret.items));
    errs = also(
      errs,
      via(e, (x) => x.viaField('secret')),
    );
  }
  if (p.configMap) {
    let e: Err = disallowed(p.configMap, ['name', 'items', 'optional']);
    if (!p.configMap.name) e = also(e, errMissingField('name'));
    e = also(e, validateItems(p.configMap.items));
    errs = also(
      errs,
      via(e, (x) => x.viaField('configMap')),
    );
  }
  if (p.serviceAccountToken) {
    let e: Err = disallowed(p.serviceAccountToken, ['audience', 'expirationSeconds', 'path']);
    if (!p.serviceAccountToken.path) e = also(e, errMissingField('path'));
    errs = also(
      errs,
      via(e, (x) => x.viaField('serviceAccountToken')),
    );
  }
  if (p.downwardAPI) {
    let e: Err = disallowed(p.downwardAPI, ['items']);
    (p.downwardAPI.items ?? []).forEach((item, i) => {
      let f: Err = disallowed(item as unknown as Record<string, unknown>, [
        'fieldRef',
        'resourceFieldRef',
        'path',
        'mode',
      ]);
      if (!item.fieldRef && !item.resourceFieldRef)
        f = also(f, errMissingOneOf('fieldRef', 'resourceFieldRef'));
      if (item.fieldRef && item.resourceFieldRef)
        f = also(f, errGeneric('Within a single item, cannot set both', 'resourceFieldRef', 'fieldRef'));
      if (!item.path) f = also(f, errMissingField('path'));
      e = also(
        e,
        via(f, (x) => x.viaFieldIndex('items', i)),
      );
    });
    errs = also(
      errs,
      via(e, (x) => x.viaField('downwardAPI')),
    );
  }
  if (specified.length === 0)
    errs = also(errs, errMissingOneOf('secret', 'configMap', 'serviceAccountToken', 'downwardAPI'));
  else if (specified.length > 1) errs = also(errs, errMultipleOneOf(...specified));
  return errs;
}

/** Knative's VolumeMountMask and the PVC read-only rule (one mount, path relative to it). */
export function validateVolumeMountFields(
  vm: VolumeMount,
  volume: Volume | undefined,
  ctx: ApisContext,
): Err {
  const allowed = ['name', 'readOnly', 'mountPath', 'subPath'];
  const propagation = featureEnabled(ctx.features, 'kubernetes.podspec-volumes-mount-propagation');
  if (propagation) allowed.push('mountPropagation');
  let errs = disallowed(vm as unknown as Record<string, unknown>, allowed);
  const mp = (vm as unknown as Record<string, unknown>).mountPropagation;
  if (mp !== undefined && propagation && mp !== 'None' && mp !== 'HostToContainer') {
    errs = also(
      errs,
      FieldError.of('mount propagation should be set to None or HostToContainer', ['mountPropagation']),
    );
  }
  if (volume?.persistentVolumeClaim?.readOnly && !vm.readOnly) {
    errs = also(errs, FieldError.of('volume is readOnly but volume mount is not', ['readOnly']));
  }
  return errs;
}

/** Knative's init-container rules before the common container checks (path relative to it). */
export function validateInitContainerOnly(c: Container): Err {
  let errs: Err;
  for (const field of ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle']) {
    if (c[field] !== undefined && c[field] !== null) {
      errs = also(errs, FieldError.of('field not allowed in an init container', [field]));
    }
  }
  return errs;
}
