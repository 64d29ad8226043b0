/**
 * Knative Serving's webhook validation (pkg/apis/serving/v1/*_validation.go,
 * pkg/apis/serving/{k8s,metadata}_validation.go, pkg/apis/autoscaling/annotation_validation.go,
 * v1beta1/domainmapping_validation.go) with Knative's messages, paths and rendering.
 *
 * Each `validateX(obj, old?, ctx?)` returns a FieldError (render with `.message`) or undefined.
 * `old` is the stored object on update. The CLI uses these to refuse bad input before sending it;
 * the API server's admission uses them to answer 400.
 */
import { getKey, validateAutoscalingAnnotations } from './autoscaling-validation.js';
import { CLUSTER_DOMAIN } from './config/domain.js';
import { apisContext, jsonEqual, type ApisContext } from './context.js';
import { parseGoDuration } from './durations.js';
import {
  also,
  errDisallowedFields,
  errGeneric,
  errInvalidArrayValue,
  errInvalidKeyName,
  errInvalidValue,
  errMissingField,
  errMissingOneOf,
  errMultipleOneOf,
  errOutOfBoundsValue,
  FieldError,
  via,
} from './field-error.js';
import {
  Annotations,
  AUTOSCALING_GROUP,
  Labels,
  LegacyAnnotations,
  VISIBILITY_CLUSTER_LOCAL,
} from './keys.js';
import {
  goList,
  isDNS1035Label,
  isFullyQualifiedDomainName,
  isQualifiedName,
  nameIsDNS1035Label,
} from './names.js';
import { validateRevisionSpec } from './podspec-validation.js';
import { revisionSpecField, shortDiff, templateField } from './short-diff.js';
import type {
  Configuration,
  DomainMapping,
  ObjectMeta,
  Revision,
  RevisionTemplateSpec,
  Route,
  Service,
  TrafficTarget,
} from './types.js';

export { FieldError } from './field-error.js';

/** The text Knative's validating webhook returns for a rejected object. */
export function validationFailedMessage(err: FieldError): string {
  return `validation failed: ${err.message}`;
}

type Ctx = Partial<ApisContext>;
type Err = FieldError | undefined;

// ---------------------------------------------------------------------------------------------
// Kinds

/** Validates a Service (create, or update when `old` is given). */
export function validateService(svc: Service, old?: Service, ctx?: Ctx): Err {
  const c = apisContext(ctx);
  const meta = svc.metadata ?? {};
  let errs = also(
    validateObjectMetadata(meta, false, c),
    via(validateServiceLabels(meta.labels), (e) => e.viaField('labels')),
    via(validateRolloutDurationAnnotation(meta.annotations), (e) => e.viaField('annotations')),
  );
  errs = via(errs, (e) => e.viaField('metadata'));
  const spec = svc.spec ?? ({} as Service['spec']);
  errs = also(
    errs,
    via(validateRevisionTemplate(spec.template, meta, c), (e) => e.viaField('spec.template')),
    via(validateTrafficList(spec.traffic, { defaultConfigurationName: true }), (e) =>
      e.viaField('spec.traffic'),
    ),
  );
  if (old) {
    errs = also(
      errs,
      via(validateCreatorAndModifier(old.spec, svc.spec, old.metadata?.annotations, meta.annotations), (e) =>
        e.viaField('metadata.annotations'),
      ),
      via(verifyNameChange(spec.template, old.spec?.template), (e) => e.viaField('spec.template')),
    );
  }
  return errs;
}

/** Validates a Configuration (create, or update when `old` is given). */
export function validateConfiguration(cfg: Configuration, old?: Configuration, ctx?: Ctx): Err {
  const c = apisContext(ctx);
  const meta = cfg.metadata ?? {};
  let errs = also(
    validateObjectMetadata(meta, false, c),
    via(validateConfigurationLabels(meta), (e) => e.viaField('labels')),
  );
  errs = via(errs, (e) => e.viaField('metadata'));
  errs = also(
    errs,
    via(validateRevisionTemplate(cfg.spec?.template, meta, c), (e) => e.viaField('spec.template')),
  );
  if (old) {
    if (!meta.ownerReferences?.length) {
      errs = also(
        errs,
        via(
          validateCreatorAndModifier(old.spec, cfg.spec, old.metadata?.annotations, meta.annotations),
          (e) => e.viaField('metadata.annotations'),
        ),
      );
    }
    errs = also(
      errs,
      via(verifyNameChange(cfg.spec?.template, old.spec?.template), (e) => e.viaField('spec.template')),
    );
  }
  return errs;
}

/** Validates a Revision; on update its spec is immutable. */
export function validateRevision(rev: Revision, old?: Revision, ctx?: Ctx): Err {
  const c = apisContext(ctx);
  const meta = rev.metadata ?? {};
  let errs = also(
    validateObjectMetadata(meta, true, c),
    via(validateRevisionLabels(meta), (e) => e.viaField('labels')),
  );
  errs = via(errs, (e) => e.viaField('metadata'));
  if (old) {
    const diff = shortDiff(old.spec, rev.spec, '{v1.RevisionSpec}', revisionSpecField);
    if (diff) return FieldError.of('Immutable fields changed (-old +new)', ['spec'], diff);
    return errs;
  }
  return also(
    errs,
    via(validateRevisionSpec(rev.spec, c), (e) => e.viaField('spec')),
  );
}

/** Validates a Route (create, or update when `old` is given). */
export function validateRoute(route: Route, old?: Route, ctx?: Ctx): Err {
  const c = apisContext(ctx);
  const meta = route.metadata ?? {};
  let errs = also(
    validateObjectMetadata(meta, false, c),
    via(validateRouteLabels(meta), (e) => e.viaField('labels')),
    via(validateRolloutDurationAnnotation(meta.annotations), (e) => e.viaField('annotations')),
  );
  errs = via(errs, (e) => e.viaField('metadata'));
  errs = also(
    errs,
    via(validateTrafficList(route.spec?.traffic, {}), (e) => e.viaField('spec.traffic')),
  );
  if (old && !meta.ownerReferences?.length) {
    errs = also(
      errs,
      via(
        validateCreatorAndModifier(old.spec, route.spec, old.metadata?.annotations, meta.annotations),
        (e) => e.viaField('metadata.annotations'),
      ),
    );
  }
  return errs;
}

/** Validates a DomainMapping: its name must be a fully qualified, non-wildcard, non-cluster-local domain. */
export function validateDomainMapping(dm: DomainMapping, old?: DomainMapping, _ctx?: Ctx): Err {
  const meta = dm.metadata ?? {};
  const name = meta.name ?? '';
  let m: Err;
  if (meta.generateName) m = also(m, errDisallowedFields('generateName'));
  const fqdn = isFullyQualifiedDomainName('name', name);
  if (fqdn.length > 0) {
    const agg = fqdn.length === 1 ? fqdn[0] : `[${fqdn.join(', ')}]`;
    m = also(m, errGeneric(`invalid name ${JSON.stringify(name)}: ${agg}`, 'name'));
  }
  if (name.endsWith(`.${CLUSTER_DOMAIN}`)) {
    m = also(
      m,
      errGeneric(
        `invalid name ${JSON.stringify(name)}: must not be a subdomain of cluster local domain ${JSON.stringify(CLUSTER_DOMAIN)}`,
        'name',
      ),
    );
  }
  if (old) {
    m = also(
      m,
      via(validateCreatorAndModifier(old.spec, dm.spec, old.metadata?.annotations, meta.annotations), (e) =>
        e.viaField('annotations'),
      ),
    );
  }
  let errs = via(m, (e) => e.viaField('metadata'));
  const ref = dm.spec?.ref;
  let r: Err;
  if (!ref) {
    r = also(errMissingField('name'), errMissingField('apiVersion'), errMissingField('kind'));
  } else {
    if (!ref.name) r = also(r, errMissingField('name'));
    if (!ref.apiVersion) r = also(r, errMissingField('apiVersion'));
    if (!ref.kind) r = also(r, errMissingField('kind'));
    if (ref.namespace && meta.namespace && ref.namespace !== meta.namespace) {
      r = also(
        r,
        FieldError.of(
          'mismatched namespaces',
          ['namespace'],
          `parent namespace: ${JSON.stringify(meta.namespace)} does not match ref: ${JSON.stringify(ref.namespace)}`,
        ),
      );
    }
  }
  errs = also(
    errs,
    via(r, (e) => e.viaField('spec.ref')),
  );
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Metadata

/** apis.ValidateObjectMetadata plus Knative's autoscaling-annotation rules (paths relative to metadata). */
export function validateObjectMetadata(meta: ObjectMeta, allowAutoscaling: boolean, ctx: ApisContext): Err {
  let errs: Err;
  const { name, generateName } = meta;
  if (generateName) {
    const msgs = nameIsDNS1035Label(generateName, true);
    if (msgs.length) errs = FieldError.of(`not a DNS 1035 label prefix: ${goList(msgs)}`, ['generateName']);
  }
  if (!errs && name) {
    const msgs = nameIsDNS1035Label(name, false);
    if (msgs.length) errs = FieldError.of(`not a DNS 1035 label: ${goList(msgs)}`, ['name']);
  }
  if (!errs && !name && !generateName) errs = FieldError.of('name or generateName is required', ['name']);
  const annotations = meta.annotations ?? {};
  errs = also(
    errs,
    via(
      allowAutoscaling
        ? validateAutoscalingAnnotations(annotations, ctx)
        : validateHasNoAutoscalingAnnotation(annotations),
      (e) => e.viaField('annotations'),
    ),
  );
  return errs;
}

/** Autoscaling annotations belong on spec.template.metadata, not on a Service/Configuration. */
export function validateHasNoAutoscalingAnnotation(annotations: Record<string, string> | undefined): Err {
  let errs: Err;
  for (const key of Object.keys(annotations ?? {}).sort()) {
    if (key.startsWith(AUTOSCALING_GROUP)) {
      errs = also(
        errs,
        errInvalidKeyName(
          key,
          '',
          'autoscaling annotations must be put under "spec.template.metadata.annotations" to work',
        ),
      );
    }
  }
  return errs;
}

/** `serving.knative.dev/rollout-duration` must be a non-negative whole-second duration. */
export function validateRolloutDurationAnnotation(annotations: Record<string, string> | undefined): Err {
  return validateDurationAnnotation(
    annotations,
    [Annotations.rolloutDuration, LegacyAnnotations.rolloutDuration],
    'rollout-duration',
  );
}

function validateDurationAnnotation(
  annotations: Record<string, string> | undefined,
  keys: string[],
  label: string,
): Err {
  const [k, v] = getKey(annotations, keys);
  if (!k || !v) return undefined;
  const d = parseGoDuration(v);
  if (d === undefined) return errInvalidValue(v, k);
  if (Math.round(d / 1000) * 1000 !== d) return errGeneric(`${label}=${v} is not at second precision`, k);
  if (d < 0) return errGeneric(`${label}=${v} must be positive`, k);
  return undefined;
}

// Label rules of current Knative: only the visibility value and owner-backed labels are checked.

function validateServiceLabels(labels: Record<string, string> | undefined): Err {
  const v = labels?.[Labels.visibility];
  return v === undefined ? undefined : validateClusterVisibilityLabel(v);
}

function validateConfigurationLabels(meta: ObjectMeta): Err {
  const v = meta.labels?.[Labels.service];
  return v === undefined ? undefined : verifyLabelOwnerRef(v, Labels.service, 'Service', meta);
}

function validateRouteLabels(meta: ObjectMeta): Err {
  const v = meta.labels?.[Labels.service];
  return v === undefined ? undefined : verifyLabelOwnerRef(v, Labels.service, 'Service', meta);
}

function validateRevisionLabels(meta: ObjectMeta): Err {
  const v = meta.labels?.[Labels.configuration];
  return v === undefined ? undefined : verifyLabelOwnerRef(v, Labels.configuration, 'Configuration', meta);
}

function validateClusterVisibilityLabel(value: string): Err {
  return value === VISIBILITY_CLUSTER_LOCAL ? undefined : errInvalidValue(value, Labels.visibility);
}

function verifyLabelOwnerRef(value: string, label: string, kind: string, meta: ObjectMeta): Err {
  const owned = (meta.ownerReferences ?? []).some((r) => r.kind === kind && r.name === value);
  return owned ? undefined : errMissingField(label);
}

/** creator is immutable; lastModifier may only change together with the spec. */
function validateCreatorAndModifier(
  oldSpec: unknown,
  newSpec: unknown,
  oldAnn: Record<string, string> | undefined,
  newAnn: Record<string, string> | undefined,
): Err {
  let errs: Err;
  if ((oldAnn?.[Annotations.creator] ?? '') !== (newAnn?.[Annotations.creator] ?? '')) {
    errs = also(errs, FieldError.of('annotation value is immutable', [Annotations.creator]));
  }
  if (
    jsonEqual(oldSpec, newSpec) &&
    (oldAnn?.[Annotations.lastModifier] ?? '') !== (newAnn?.[Annotations.lastModifier] ?? '')
  ) {
    errs = also(errs, FieldError.of('annotation value is immutable', [Annotations.lastModifier]));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Revision template and BYO names

function validateRevisionTemplate(
  tpl: RevisionTemplateSpec | undefined,
  parent: ObjectMeta,
  ctx: ApisContext,
): Err {
  if (!tpl) return errMissingField('');
  const annotations = tpl.metadata?.annotations ?? {};
  return also(
    via(validateRevisionSpec(tpl.spec, ctx), (e) => e.viaField('spec')),
    via(validateAutoscalingAnnotations(annotations, ctx), (e) => e.viaField('metadata.annotations')),
    validateRevisionName(tpl.metadata?.name, tpl.metadata?.generateName, parent),
    via(validateDurationAnnotation(annotations, [Annotations.progressDeadline], 'progress-deadline'), (e) =>
      e.viaField('metadata.annotations'),
    ),
  );
}

/** BYO revision names: DNS-1035 and prefixed by `<parent>-`; not allowed while the parent uses generateName. */
export function validateRevisionName(
  name: string | undefined,
  generateName: string | undefined,
  parent: ObjectMeta,
): Err {
  if (generateName) {
    const msgs = nameIsDNS1035Label(generateName, true);
    if (msgs.length)
      return errInvalidValue(`not a DNS 1035 label prefix: ${goList(msgs)}`, 'metadata.generateName');
  }
  if (name) {
    const msgs = nameIsDNS1035Label(name, false);
    if (msgs.length) return errInvalidValue(`not a DNS 1035 label: ${goList(msgs)}`, 'metadata.name');
    // BYO name is disallowed when the parent uses generateName at creation.
    if (!parent.name && parent.generateName) return errDisallowedFields('metadata.name');
    const prefix = `${parent.name ?? ''}-`;
    if (!name.startsWith(prefix)) {
      return errInvalidValue(
        `${JSON.stringify(name)} must have prefix ${JSON.stringify(prefix)}`,
        'metadata.name',
      );
    }
  }
  return undefined;
}

/** With a BYO name, the template may not change unless the name changes too. */
export function verifyNameChange(
  tpl: RevisionTemplateSpec | undefined,
  old: RevisionTemplateSpec | undefined,
): Err {
  const name = tpl?.metadata?.name;
  if (!name || name !== old?.metadata?.name) return undefined;
  const diff = shortDiff(old, tpl, '{*v1.RevisionTemplateSpec}', templateField);
  if (!diff) return undefined;
  return FieldError.of(
    'Saw the following changes without a name change (-old +new)',
    ['metadata.name'],
    diff,
  );
}

// ---------------------------------------------------------------------------------------------
// Traffic

/**
 * validateTrafficList: per-target checks, tags (DNS-1035, unique) and the 100% sum. With
 * `defaultConfigurationName` (inside a Service) configurationName is disallowed.
 */
export function validateTrafficList(
  traffic: TrafficTarget[] | undefined,
  opts: { defaultConfigurationName?: boolean },
): Err {
  let errs: Err;
  const seen = new Map<string, number>();
  let sum = 0;
  (traffic ?? []).forEach((tt, i) => {
    errs = also(
      errs,
      via(validateTrafficTarget(tt, opts), (e) => e.viaIndex(i)),
    );
    if (typeof tt.percent === 'number') sum += tt.percent;
    if (!tt.tag) return;
    const msgs = isDNS1035Label(tt.tag);
    if (msgs.length)
      errs = also(errs, errInvalidArrayValue(`not a DNS 1035 label: ${goList(msgs)}`, 'tag', i));
    const prev = seen.get(tt.tag);
    if (prev !== undefined) {
      errs = also(
        errs,
        FieldError.of(`Multiple definitions for ${JSON.stringify(tt.tag)}`, [`[${i}].tag`, `[${prev}].tag`]),
      );
    } else {
      seen.set(tt.tag, i);
    }
  });
  if (sum !== 100) errs = also(errs, FieldError.of(`Traffic targets sum to ${sum}, want 100`, ['']));
  return errs;
}

function validateTrafficTarget(tt: TrafficTarget, opts: { defaultConfigurationName?: boolean }): Err {
  let errs: Err;
  if (tt.latestRevision !== undefined && tt.latestRevision !== null) {
    const pinned = !!tt.revisionName;
    if (pinned === tt.latestRevision) {
      errs = errGeneric(
        `may not set revisionName ${JSON.stringify(tt.revisionName ?? '')} when latestRevision is ${tt.latestRevision}`,
        'latestRevision',
      );
    }
  }
  if (opts.defaultConfigurationName && tt.configurationName) {
    errs = also(errs, errDisallowedFields('configurationName'));
  } else if (tt.revisionName && tt.configurationName) {
    errs = also(errs, errMultipleOneOf('revisionName', 'configurationName'));
  } else if (tt.revisionName) {
    const el = isQualifiedName(tt.revisionName);
    if (el.length) errs = also(errs, errInvalidKeyName(tt.revisionName, 'revisionName', ...el));
  } else if (tt.configurationName) {
    const el = isQualifiedName(tt.configurationName);
    if (el.length) errs = also(errs, errInvalidKeyName(tt.configurationName, 'configurationName', ...el));
  } else if (!opts.defaultConfigurationName) {
    errs = also(errs, errMissingOneOf('revisionName', 'configurationName'));
  }
  if (typeof tt.percent === 'number' && (tt.percent < 0 || tt.percent > 100)) {
    errs = also(errs, errOutOfBoundsValue(tt.percent, 0, 100, 'percent'));
  }
  if (tt.url) {
    // url is status-only; a spec url is disallowed (twice when untagged, merged into one path).
    errs = also(errs, errDisallowedFields('url'));
    if (!tt.tag) errs = also(errs, errDisallowedFields('url'));
  }
  return errs;
}
