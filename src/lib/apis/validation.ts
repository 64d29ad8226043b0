/**
 * Knative Serving's webhook validation (pkg/apis/serving/v1/*_validation.go,
 * pkg/apis/serving/{k8s,metadata}_validation.go, pkg/apis/autoscaling/annotation_validation.go,
 * v1beta1/domainmapping_validation.go) with Knative's messages, paths and rendering.
 *
 * Each `validateX(obj, old?, ctx?)` returns a FieldError (render with `.message`) or undefined.
 * `old` is the stored object on update. The CLI uses these to refuse bad input before sending it;
 * the API server's admission uses them to answer 400.
 */
import { apisContext, jsonEqual, type ApisContext } from './context.js';
import { AutoscalingBounds, CLUSTER_DOMAIN, featureEnabled } from './config.js';
import { formatGoDuration, parseGoDuration } from './durations.js';
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
  AutoscalingClass,
  Labels,
  LOCAL_IMAGE_PREFIX,
  VISIBILITY_CLUSTER_LOCAL,
} from './keys.js';
import {
  goList,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isFullyQualifiedDomainName,
  isQualifiedName,
  nameIsDNS1035Label,
} from './names.js';
import type {
  Configuration,
  Container,
  ContainerPort,
  DomainMapping,
  ObjectMeta,
  Probe,
  Revision,
  RevisionSpec,
  RevisionTemplateSpec,
  Route,
  Service,
  TrafficTarget,
  Volume,
} from './types.js';

export { FieldError } from './field-error.js';

/** The text Knative's validating webhook returns for a rejected object. */
export function validationFailedMessage(err: FieldError): string {
  return `validation failed: ${err.message}`;
}

type Ctx = Partial<ApisContext>;
type Err = FieldError | undefined;

const AUTOSCALING_GROUP = 'autoscaling.knative.dev';
const MAX_INT32 = 2147483647;

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
    [Annotations.rolloutDuration, 'serving.knative.dev/rolloutDuration'],
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
// RevisionSpec / PodSpec / containers

const KNATIVE_SPEC_FIELDS = [
  'containerConcurrency',
  'timeoutSeconds',
  'responseStartTimeoutSeconds',
  'idleTimeoutSeconds',
];
const POD_FIELDS_ALWAYS = [
  'containers',
  'volumes',
  'serviceAccountName',
  'imagePullSecrets',
  'enableServiceLinks',
  'automountServiceAccountToken',
];
/** PodSpec fields behind config-features flags (all Disabled by default). */
const POD_FIELDS_BY_FEATURE: Record<string, string> = {
  affinity: 'kubernetes.podspec-affinity',
  topologySpreadConstraints: 'kubernetes.podspec-topologyspreadconstraints',
  hostAliases: 'kubernetes.podspec-hostaliases',
  nodeSelector: 'kubernetes.podspec-nodeselector',
  runtimeClassName: 'kubernetes.podspec-runtimeclassname',
  securityContext: 'kubernetes.podspec-securitycontext',
  priorityClassName: 'kubernetes.podspec-priorityclassname',
  schedulerName: 'kubernetes.podspec-schedulername',
  tolerations: 'kubernetes.podspec-tolerations',
  initContainers: 'kubernetes.podspec-init-containers',
  dnsPolicy: 'kubernetes.podspec-dnspolicy',
  dnsConfig: 'kubernetes.podspec-dnsconfig',
  hostIPC: 'kubernetes.podspec-hostipc',
  hostPID: 'kubernetes.podspec-hostpid',
  hostNetwork: 'kubernetes.podspec-hostnetwork',
  shareProcessNamespace: 'kubernetes.podspec-shareprocessnamespace',
};
const CONTAINER_FIELDS = [
  'name',
  'args',
  'command',
  'env',
  'workingDir',
  'envFrom',
  'image',
  'imagePullPolicy',
  'livenessProbe',
  'ports',
  'readinessProbe',
  'startupProbe',
  'resources',
  'securityContext',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'volumeMounts',
];
const RESERVED_ENV = ['PORT', 'K_SERVICE', 'K_CONFIGURATION', 'K_REVISION'];
const RESERVED_SIDECAR_ENV = ['K_SERVICE', 'K_CONFIGURATION', 'K_REVISION'];
/** queue-proxy's ports (8012 http, 8013 h2c, 8022 admin, 9090/9091 metrics, 8008 profiling). */
export const RESERVED_PORTS = [8012, 8013, 8022, 9090, 9091, 8008];
const VALID_PORT_NAMES = ['', 'h2c', 'http1'];
const RESERVED_PATHS = ['/', '/dev', '/dev/log'];

/** RevisionSpec.Validate: the PodSpec subset, timeouts and containerConcurrency (paths relative to spec). */
export function validateRevisionSpec(spec: RevisionSpec | undefined, ctx: ApisContext): Err {
  if (!spec) return errMissingField('containers');
  let errs = validatePodSpec(spec, ctx);
  const max = ctx.defaults.maxRevisionTimeoutSeconds;
  if (spec.timeoutSeconds !== undefined && spec.timeoutSeconds !== null && spec.timeoutSeconds !== 0) {
    if (spec.timeoutSeconds > max || spec.timeoutSeconds < 0) {
      errs = also(errs, errOutOfBoundsValue(spec.timeoutSeconds, 0, max, 'timeoutSeconds'));
    }
  }
  if (typeof spec.responseStartTimeoutSeconds === 'number' && spec.responseStartTimeoutSeconds !== 0) {
    const upper = spec.timeoutSeconds || max;
    if (spec.responseStartTimeoutSeconds < 0 || spec.responseStartTimeoutSeconds > upper) {
      errs = also(
        errs,
        errOutOfBoundsValue(spec.responseStartTimeoutSeconds, 0, upper, 'responseStartTimeoutSeconds'),
      );
    }
  }
  if (typeof spec.idleTimeoutSeconds === 'number' && spec.idleTimeoutSeconds !== 0) {
    if (spec.idleTimeoutSeconds < 0 || spec.idleTimeoutSeconds > max) {
      errs = also(errs, errOutOfBoundsValue(spec.idleTimeoutSeconds, 0, max, 'idleTimeoutSeconds'));
    }
  }
  if (spec.containerConcurrency !== undefined && spec.containerConcurrency !== null) {
    const min = ctx.defaults.allowContainerConcurrencyZero ? 0 : 1;
    const limit = ctx.defaults.containerConcurrencyMaxLimit;
    if (spec.containerConcurrency < min || spec.containerConcurrency > limit) {
      errs = also(errs, errOutOfBoundsValue(spec.containerConcurrency, min, limit, 'containerConcurrency'));
    }
  }
  return errs;
}

function validatePodSpec(spec: RevisionSpec, ctx: ApisContext): Err {
  const disallowed = Object.keys(spec)
    .filter((k) => spec[k] !== undefined && spec[k] !== null)
    .filter(
      (k) =>
        !KNATIVE_SPEC_FIELDS.includes(k) &&
        !POD_FIELDS_ALWAYS.includes(k) &&
        !(POD_FIELDS_BY_FEATURE[k] && featureEnabled(ctx.features, POD_FIELDS_BY_FEATURE[k])),
    )
    .sort();
  let errs: Err = disallowed.length ? errDisallowedFields(...disallowed) : undefined;
  const containers: Container[] = Array.isArray(spec.containers) ? spec.containers : [];
  const mounted = new Set(containers.flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)));
  const [volumes, volErr] = validateVolumes(spec.volumes ?? [], mounted, ctx);
  errs = also(
    errs,
    via(volErr, (e) => e.viaField('volumes')),
  );
  const [port, portErr] = validateContainersPorts(containers);
  errs = also(
    errs,
    via(portErr, (e) => e.viaField('containers[*]')),
  );
  if (containers.length === 0) {
    errs = also(errs, errMissingField('containers'));
  } else if (containers.length === 1) {
    errs = also(
      errs,
      via(validateServingContainer(containers[0], volumes, port, ctx), (e) =>
        e.viaFieldIndex('containers', 0),
      ),
    );
  } else if (!featureEnabled(ctx.features, 'multi-container')) {
    errs = also(errs, errGeneric(`multi-container is off, but found ${containers.length} containers`, ''));
  } else {
    const names = new Set<string>();
    containers.forEach((c, i) => {
      if (names.has(c.name ?? '')) {
        errs = also(
          errs,
          FieldError.of(`duplicate container name ${JSON.stringify(c.name ?? '')}`, ['name']).viaFieldIndex(
            'containers',
            i,
          ),
        );
      } else {
        names.add(c.name ?? '');
      }
      const e = c.ports?.length
        ? validateServingContainer(c, volumes, port, ctx)
        : validateSidecar(c, volumes, ctx);
      errs = also(
        errs,
        via(e, (x) => x.viaFieldIndex('containers', i)),
      );
    });
  }
  if (spec.serviceAccountName) {
    for (const m of isDNS1123Subdomain(spec.serviceAccountName)) {
      errs = also(errs, errInvalidValue(spec.serviceAccountName, 'serviceAccountName', m));
    }
  }
  return errs;
}

function validateVolumes(vs: Volume[], mounted: Set<string>, ctx: ApisContext): [Map<string, Volume>, Err] {
  const volumes = new Map<string, Volume>();
  let errs: Err;
  vs.forEach((v, i) => {
    if (volumes.has(v.name)) {
      errs = also(
        errs,
        FieldError.of(`duplicate volume name ${JSON.stringify(v.name)}`, ['name']).viaIndex(i),
      );
    }
    if (!mounted.has(v.name)) {
      errs = also(
        errs,
        FieldError.of(`volume with name ${JSON.stringify(v.name)} not mounted`, ['name']).viaIndex(i),
      );
    }
    errs = also(
      errs,
      via(validateVolume(v, ctx), (e) => e.viaIndex(i)),
    );
    volumes.set(v.name, v);
  });
  return [volumes, errs];
}

function validateVolume(v: Volume, ctx: ApisContext): Err {
  let errs: Err;
  if (v.emptyDir && !featureEnabled(ctx.features, 'kubernetes.podspec-volumes-emptydir')) {
    errs = also(
      errs,
      errGeneric(`EmptyDir volume support is disabled, but found EmptyDir volume ${v.name}`, ''),
    );
  }
  if (
    v.persistentVolumeClaim &&
    !featureEnabled(ctx.features, 'kubernetes.podspec-persistent-volume-claim')
  ) {
    errs = also(
      errs,
      errGeneric(
        `Persistent volume claim support is disabled, but found persistent volume claim ${v.persistentVolumeClaim.claimName}`,
        '',
      ),
    );
  }
  if (!v.name) errs = errMissingField('name');
  else if (isDNS1123Label(v.name).length) errs = errInvalidValue(v.name, 'name');
  const specified = (
    ['secret', 'configMap', 'projected', 'emptyDir', 'persistentVolumeClaim'] as const
  ).filter((k) => v[k]);
  if (specified.length === 0) {
    const paths = ['secret', 'configMap', 'projected'];
    if (featureEnabled(ctx.features, 'kubernetes.podspec-volumes-emptydir')) paths.push('emptyDir');
    if (featureEnabled(ctx.features, 'kubernetes.podspec-persistent-volume-claim'))
      paths.push('persistentVolumeClaim');
    errs = also(errs, errMissingOneOf(...paths));
  } else if (specified.length > 1) {
    errs = also(errs, errMultipleOneOf(...specified));
  }
  return errs;
}

/** Exactly one container port across all containers; returns the serving port (defaults http/8080). */
function validateContainersPorts(containers: Container[]): [ContainerPort & { name: string }, Err] {
  let count = 0;
  let port: ContainerPort = { containerPort: 0 };
  for (const c of containers) {
    if (c.ports?.length) {
      count += c.ports.length;
      port = c.ports[0];
    }
  }
  const serving = { ...port, name: port.name || 'http', containerPort: port.containerPort || 8080 };
  if (count === 0 && containers.length > 1) return [serving, errMissingField('ports')];
  if (count > 1) {
    return [
      serving,
      FieldError.of(
        'more than one container port is set',
        ['ports'],
        'Only a single port is allowed across all containers',
      ),
    ];
  }
  return [serving, undefined];
}

function validateServingContainer(
  c: Container,
  volumes: Map<string, Volume>,
  port: { name: string },
  ctx: ApisContext,
): Err {
  return also(
    via(validateProbe(c.livenessProbe, port), (e) => e.viaField('livenessProbe')),
    via(validateReadinessProbe(c.readinessProbe, port), (e) => e.viaField('readinessProbe')),
    validateContainer(c, volumes, ctx, RESERVED_ENV),
  );
}

function validateSidecar(c: Container, volumes: Map<string, Volume>, ctx: ApisContext): Err {
  return validateContainer(c, volumes, ctx, RESERVED_SIDECAR_ENV);
}

function validateContainer(
  c: Container,
  volumes: Map<string, Volume>,
  ctx: ApisContext,
  reservedEnv: string[],
): Err {
  if (!c || Object.keys(c).length === 0) return errMissingField('');
  const disallowed = Object.keys(c)
    .filter((k) => c[k] !== undefined && !CONTAINER_FIELDS.includes(k))
    .sort();
  let errs: Err = disallowed.length ? errDisallowedFields(...disallowed) : undefined;
  if (c.name === 'queue-proxy') {
    errs = also(errs, FieldError.of(`${JSON.stringify(c.name)} is a reserved container name`, ['name']));
  }
  (c.env ?? []).forEach((env, i) => {
    let e: Err;
    if (!env.name) e = errMissingField('name');
    else if (reservedEnv.includes(env.name)) {
      e = FieldError.of(`${JSON.stringify(env.name)} is a reserved environment variable`, ['name']);
    }
    if (env.valueFrom) {
      const allowed = ['configMapKeyRef', 'secretKeyRef'];
      if (featureEnabled(ctx.features, 'kubernetes.podspec-fieldref'))
        allowed.push('fieldRef', 'resourceFieldRef');
      const bad = Object.keys(env.valueFrom)
        .filter((k) => !allowed.includes(k))
        .sort();
      if (bad.length) e = also(e, errDisallowedFields(...bad).viaField('valueFrom'));
    }
    errs = also(
      errs,
      via(e, (x) => x.viaFieldIndex('env', i)),
    );
  });
  (c.envFrom ?? []).forEach((ef, i) => {
    if (ef.configMapRef && ef.secretRef)
      errs = also(errs, errMultipleOneOf('configMapRef', 'secretRef').viaFieldIndex('envFrom', i));
    else if (!ef.configMapRef && !ef.secretRef) {
      errs = also(errs, errMissingOneOf('configMapRef', 'secretRef').viaFieldIndex('envFrom', i));
    }
  });
  if (!c.image) {
    errs = also(errs, errMissingField('image'));
  } else if (!isParseableImage(c.image)) {
    errs = also(
      errs,
      FieldError.of(
        'Failed to parse image reference',
        ['image'],
        `image: ${JSON.stringify(c.image)}, error: could not parse reference: ${c.image}`,
      ),
    );
  }
  errs = also(
    errs,
    via(validateContainerPorts(c.ports ?? []), (e) => e.viaField('ports')),
  );
  if (c.terminationMessagePolicy && !['File', 'FallbackToLogsOnError'].includes(c.terminationMessagePolicy)) {
    errs = also(errs, errInvalidValue(c.terminationMessagePolicy, 'terminationMessagePolicy'));
  }
  errs = also(
    errs,
    via(validateVolumeMounts(c.volumeMounts ?? [], volumes), (e) => e.viaField('volumeMounts')),
  );
  return errs;
}

/** Image references as go-containerregistry's weak validation accepts them; `file://` is knlite's local form. */
function isParseableImage(image: string): boolean {
  if (image.startsWith(LOCAL_IMAGE_PREFIX)) return image.length > LOCAL_IMAGE_PREFIX.length;
  const re =
    /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;
  return re.test(image);
}

function validateContainerPorts(ports: ContainerPort[]): Err {
  if (ports.length === 0) return undefined;
  const p = ports[0];
  const bad = Object.keys(p)
    .filter((k) => !['name', 'containerPort', 'protocol'].includes(k))
    .sort();
  let errs: Err = bad.length ? errDisallowedFields(...bad) : undefined;
  if (RESERVED_PORTS.includes(p.containerPort)) {
    errs = also(
      errs,
      errInvalidValue(
        `${p.containerPort} is a reserved port`,
        'containerPort',
        `${p.containerPort} is a reserved port, please use a different value`,
      ),
    );
  }
  if (p.containerPort < 0 || p.containerPort > 65535) {
    errs = also(errs, errOutOfBoundsValue(p.containerPort, 0, 65535, 'containerPort'));
  }
  if (p.protocol && p.protocol !== 'TCP') errs = also(errs, errInvalidValue(p.protocol, 'protocol'));
  if (!VALID_PORT_NAMES.includes(p.name ?? '')) {
    errs = also(
      errs,
      FieldError.of(
        `Port name ${p.name} is not allowed`,
        [''],
        "Name must be empty, or one of: 'h2c', 'http1'",
      ),
    );
  }
  return errs;
}

function validateVolumeMounts(
  mounts: NonNullable<Container['volumeMounts']>,
  volumes: Map<string, Volume>,
): Err {
  let errs: Err;
  const seenPaths = new Set<string>();
  mounts.forEach((vm, i) => {
    const vol = volumes.get(vm.name);
    if (!vol) errs = also(errs, FieldError.of('volumeMount has no matching volume', ['name']).viaIndex(i));
    const clean = vm.mountPath ? cleanPath(vm.mountPath) : '';
    if (!vm.mountPath) errs = also(errs, errMissingField('mountPath').viaIndex(i));
    else if (RESERVED_PATHS.includes(clean)) {
      errs = also(
        errs,
        FieldError.of(`mountPath ${JSON.stringify(clean)} is a reserved path`, ['mountPath']).viaIndex(i),
      );
    } else if (!vm.mountPath.startsWith('/'))
      errs = also(errs, errInvalidValue(vm.mountPath, 'mountPath').viaIndex(i));
    else if (seenPaths.has(clean)) {
      errs = also(
        errs,
        errInvalidValue(`${JSON.stringify(vm.mountPath)} must be unique`, 'mountPath').viaIndex(i),
      );
    }
    if (clean) seenPaths.add(clean);
    if (!vol?.emptyDir && !vol?.persistentVolumeClaim && !vm.readOnly) {
      errs = also(
        errs,
        FieldError.of('volume mount should be readOnly for this type of volume', ['readOnly']).viaIndex(i),
      );
    }
  });
  return errs;
}

function cleanPath(p: string): string {
  const abs = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  const joined = parts.join('/');
  return abs ? `/${joined}` : joined || '.';
}

function validateReadinessProbe(p: Probe | undefined, port: { name: string }): Err {
  if (!p) return undefined;
  let errs = validateProbe(p, port);
  const n = (v: number | undefined) => v ?? 0;
  if (n(p.periodSeconds) < 0)
    errs = also(errs, errOutOfBoundsValue(p.periodSeconds, 0, MAX_INT32, 'periodSeconds'));
  if (n(p.initialDelaySeconds) < 0) {
    errs = also(errs, errOutOfBoundsValue(p.initialDelaySeconds, 0, MAX_INT32, 'initialDelaySeconds'));
  }
  if (n(p.successThreshold) < 1)
    errs = also(errs, errOutOfBoundsValue(n(p.successThreshold), 1, MAX_INT32, 'successThreshold'));
  // periodSeconds == 0 selects Knative's aggressive probing, which owns these knobs.
  if (n(p.periodSeconds) === 0) {
    if (n(p.failureThreshold) !== 0) {
      errs = also(
        errs,
        FieldError.of('failureThreshold is disallowed when periodSeconds is zero', ['failureThreshold']),
      );
    }
    if (n(p.timeoutSeconds) !== 0) {
      errs = also(
        errs,
        FieldError.of('timeoutSeconds is disallowed when periodSeconds is zero', ['timeoutSeconds']),
      );
    }
  } else {
    if (n(p.timeoutSeconds) < 1)
      errs = also(errs, errOutOfBoundsValue(n(p.timeoutSeconds), 1, MAX_INT32, 'timeoutSeconds'));
    if (n(p.failureThreshold) < 1) {
      errs = also(errs, errOutOfBoundsValue(n(p.failureThreshold), 1, MAX_INT32, 'failureThreshold'));
    }
  }
  return errs;
}

function validateProbe(p: Probe | undefined, port: { name: string }): Err {
  if (!p) return undefined;
  let errs: Err;
  const handlers: string[] = [];
  if (p.httpGet) {
    handlers.push('httpGet');
    if (typeof p.httpGet.port === 'string' && p.httpGet.port !== '' && p.httpGet.port !== port.name) {
      errs = also(
        errs,
        errInvalidValue(p.httpGet.port, 'httpGet.port', 'Probe port must match container port'),
      );
    }
  }
  if (p.tcpSocket) {
    handlers.push('tcpSocket');
    if (typeof p.tcpSocket.port === 'string' && p.tcpSocket.port !== '' && p.tcpSocket.port !== port.name) {
      errs = also(
        errs,
        errInvalidValue(p.tcpSocket.port, 'tcpSocket.port', 'Probe port must match container port'),
      );
    }
  }
  if (p.exec) handlers.push('exec');
  if (p.grpc) handlers.push('gRPC');
  if (handlers.length === 0) errs = also(errs, errMissingOneOf('httpGet', 'tcpSocket', 'exec', 'grpc'));
  else if (handlers.length > 1) errs = also(errs, errMultipleOneOf(...handlers));
  return errs;
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

// ---------------------------------------------------------------------------------------------
// Autoscaling annotations (pkg/apis/autoscaling/annotation_validation.go)

/** Annotation keys with their legacy camelCase aliases, in Knative's priority order. */
export const AutoscalingKeys = {
  class: [Annotations.class],
  minScale: [Annotations.minScale, 'autoscaling.knative.dev/minScale'],
  maxScale: [Annotations.maxScale, 'autoscaling.knative.dev/maxScale'],
  initialScale: [Annotations.initialScale, 'autoscaling.knative.dev/initialScale'],
  activationScale: [Annotations.activationScale],
  scaleDownDelay: [Annotations.scaleDownDelay, 'autoscaling.knative.dev/scaleDownDelay'],
  metric: [Annotations.metric],
  target: [Annotations.target],
  targetUtilization: [Annotations.targetUtilization, 'autoscaling.knative.dev/targetUtilizationPercentage'],
  targetBurstCapacity: [Annotations.targetBurstCapacity, 'autoscaling.knative.dev/targetBurstCapacity'],
  panicWindowPercentage: [Annotations.panicWindowPercentage, 'autoscaling.knative.dev/panicWindowPercentage'],
  panicThresholdPercentage: [
    Annotations.panicThresholdPercentage,
    'autoscaling.knative.dev/panicThresholdPercentage',
  ],
  window: [Annotations.window],
  scaleToZeroPodRetentionPeriod: [
    Annotations.scaleToZeroPodRetentionPeriod,
    'autoscaling.knative.dev/scaleToZeroPodRetentionPeriod',
  ],
  metricAggregationAlgorithm: [
    'autoscaling.knative.dev/metric-aggregation-algorithm',
    'autoscaling.knative.dev/metricAggregationAlgorithm',
  ],
} as const;

/** kmap.KeyPriority.Get: the first present key and its value. */
export function getKey(
  m: Record<string, string> | undefined,
  keys: readonly string[],
): [string | undefined, string] {
  for (const k of keys) if (m && k in m) return [k, m[k]];
  return [undefined, ''];
}

/** Validates revision autoscaling annotations (paths are the annotation keys). */
export function validateAutoscalingAnnotations(m: Record<string, string>, ctx: ApisContext): Err {
  return also(
    validateClass(m),
    validateMinMaxScale(m, ctx),
    validateFloats(m),
    validateWindow(m),
    validatePodRetention(m),
    validateScaleDownDelay(m),
    validateMetric(m),
    validateAlgorithm(m),
    validateInitialScale(m, ctx),
  );
}

const goFloat = (s: string) => (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s.trim()) ? Number(s) : NaN);
const goInt = (s: string) => (/^[-+]?\d+$/.test(s) ? Number(s) : NaN);

function validateClass(m: Record<string, string>): Err {
  const [k, v] = getKey(m, AutoscalingKeys.class);
  if (
    k &&
    v.endsWith('.autoscaling.knative.dev') &&
    v !== AutoscalingClass.kpa &&
    v !== AutoscalingClass.hpa
  ) {
    return errInvalidValue(v, k);
  }
  return undefined;
}

function intGE0(m: Record<string, string>, keys: readonly string[]): [number, Err] {
  const [k, v] = getKey(m, keys);
  if (!k) return [0, undefined];
  const i = goInt(v);
  if (Number.isNaN(i)) return [0, errInvalidValue(v, k)];
  if (i < 0 || i > MAX_INT32) return [0, errOutOfBoundsValue(v, 0, MAX_INT32, k)];
  return [i, undefined];
}

function validateMinMaxScale(m: Record<string, string>, ctx: ApisContext): Err {
  const [min, e1] = intGE0(m, AutoscalingKeys.minScale);
  const [max, e2] = intGE0(m, AutoscalingKeys.maxScale);
  let errs = also(e1, e2);
  if (max !== 0 && max < min) {
    errs = also(
      errs,
      FieldError.of(`max-scale=${max} is less than min-scale=${min}`, [
        Annotations.maxScale,
        Annotations.minScale,
      ]),
    );
  }
  const [maxKey] = getKey(m, AutoscalingKeys.maxScale);
  const limit = ctx.autoscaler.maxScaleLimit;
  if (maxKey && limit > 0) {
    if (max > limit) errs = also(errs, errOutOfBoundsValue(max, 1, limit, maxKey));
    if (max === 0)
      errs = also(errs, FieldError.of(`max-scale=0 (unlimited), must be less than ${limit}`, [maxKey]));
  }
  const [ak, av] = getKey(m, AutoscalingKeys.activationScale);
  if (ak) {
    const nz = goInt(av);
    if (Number.isNaN(nz)) errs = also(errs, errInvalidValue(av, ak));
    else if (min > nz)
      errs = also(errs, FieldError.of(`min-scale=${min} is greater than min-activate-scale=${nz}`, [ak]));
    else if (max < nz && max !== 0)
      errs = also(errs, FieldError.of(`max-scale=${max} is less than min-activate-scale=${nz}`, [ak]));
    else if (nz < 2)
      errs = also(errs, FieldError.of(`min-activate-scale=${nz} must be greater than 1`, [ak]));
  }
  return errs;
}

function validateFloats(m: Record<string, string>): Err {
  const B = AutoscalingBounds;
  let errs: Err;
  const check = (keys: readonly string[], fn: (k: string, v: string, f: number) => Err) => {
    const [k, v] = getKey(m, keys);
    if (!k) return;
    const f = goFloat(v);
    errs = also(errs, Number.isNaN(f) ? errInvalidValue(v, k) : fn(k, v, f));
  };
  check(AutoscalingKeys.panicWindowPercentage, (k, v, f) =>
    f < B.panicWindowPercentageMin || f > B.panicWindowPercentageMax
      ? errOutOfBoundsValue(v, B.panicWindowPercentageMin, B.panicWindowPercentageMax, k)
      : undefined,
  );
  check(AutoscalingKeys.panicThresholdPercentage, (k, v, f) =>
    f < B.panicThresholdPercentageMin || f > B.panicThresholdPercentageMax
      ? errOutOfBoundsValue(v, B.panicThresholdPercentageMin, B.panicThresholdPercentageMax, k)
      : undefined,
  );
  check(AutoscalingKeys.target, (k, v, f) =>
    f < B.targetMin ? errGeneric(`target ${v} should be at least ${B.targetMin}`, k) : undefined,
  );
  check(AutoscalingKeys.targetUtilization, (k, v, f) =>
    f < 1 || f > 100 ? errOutOfBoundsValue(v, 1, 100, k) : undefined,
  );
  check(AutoscalingKeys.targetBurstCapacity, (k, v, f) =>
    f < 0 && f !== -1 ? errInvalidValue(v, k) : undefined,
  );
  return errs;
}

function validateWindow(m: Record<string, string>): Err {
  const [k, v] = getKey(m, AutoscalingKeys.window);
  if (!k) return undefined;
  const B = AutoscalingBounds;
  const d = parseGoDuration(v);
  if (d === undefined) return errInvalidValue(v, k);
  if (d < B.windowMin || d > B.windowMax)
    return errOutOfBoundsValue(v, formatGoDuration(B.windowMin), formatGoDuration(B.windowMax), k);
  if (Math.trunc(d / 1000) * 1000 !== d)
    return errGeneric('must be specified with at most second precision', k);
  return undefined;
}

function validatePodRetention(m: Record<string, string>): Err {
  const [k, v] = getKey(m, AutoscalingKeys.scaleToZeroPodRetentionPeriod);
  if (!k) return undefined;
  const d = parseGoDuration(v);
  if (d === undefined) return errInvalidValue(v, k);
  if (d < 0 || d > AutoscalingBounds.windowMax)
    return errOutOfBoundsValue(v, '0s', formatGoDuration(AutoscalingBounds.windowMax), k);
  return undefined;
}

function validateScaleDownDelay(m: Record<string, string>): Err {
  const [k, v] = getKey(m, AutoscalingKeys.scaleDownDelay);
  if (!k) return undefined;
  const d = parseGoDuration(v);
  if (d === undefined) return errInvalidValue(v, k);
  if (d < 0 || d > AutoscalingBounds.windowMax)
    return errOutOfBoundsValue(v, '0s', formatGoDuration(AutoscalingBounds.windowMax), k);
  if (Math.round(d / 1000) * 1000 !== d)
    return errGeneric('must be specified with at most second precision', k);
  return undefined;
}

function validateMetric(m: Record<string, string>): Err {
  const [k, metric] = getKey(m, AutoscalingKeys.metric);
  if (!k) return undefined;
  const [ck, cls] = getKey(m, AutoscalingKeys.class);
  const klass = ck ? cls : AutoscalingClass.kpa;
  if (klass === AutoscalingClass.kpa) {
    if (metric === 'concurrency' || metric === 'rps') return undefined;
  } else if (klass === AutoscalingClass.hpa) {
    if (metric !== '') return undefined;
  } else {
    // Leave other classes of PodAutoscaler alone.
    return undefined;
  }
  return errInvalidValue(metric, Annotations.metric);
}

function validateAlgorithm(m: Record<string, string>): Err {
  const [, cls] = getKey(m, AutoscalingKeys.class);
  if (cls !== AutoscalingClass.kpa) return undefined;
  const [k, v] = getKey(m, AutoscalingKeys.metricAggregationAlgorithm);
  if (!k || v === '') return undefined;
  return ['linear', 'weighted-exponential', 'weightedExponential'].includes(v)
    ? undefined
    : errInvalidValue(v, k);
}

function validateInitialScale(m: Record<string, string>, ctx: ApisContext): Err {
  const [k, v] = getKey(m, AutoscalingKeys.initialScale);
  if (!k) return undefined;
  const n = goInt(v);
  if (Number.isNaN(n)) return errInvalidValue(v, k);
  if (n < 0) return errInvalidValue(v, `${k} must be greater than 0`);
  if (!ctx.autoscaler.allowZeroInitialScale && n === 0)
    return errInvalidValue(v, `${k}=0 not allowed by cluster`);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// kmp.ShortDiff, approximately: one "<path>:\n\t-: "old"\n\t+: "new"\n" block per changed leaf.

type FieldNamer = (path: (string | number)[], key: string) => string;

/** Go field paths for a RevisionTemplateSpec (`.ObjectMeta.Labels["k"]`, `.Spec.PodSpec.Containers[0].Image`). */
const templateField: FieldNamer = (path, key) => {
  if (path.length === 0)
    return key === 'metadata' ? '.ObjectMeta' : key === 'spec' ? '.Spec' : `.${goName(key)}`;
  if (path[0] === 'spec') return revisionSpecField(path.slice(1), key);
  return metaField(path.slice(1), key);
};

/** Go field paths for a RevisionSpec (`.PodSpec.Containers[0].Image`, `.TimeoutSeconds`). */
const revisionSpecField: FieldNamer = (path, key) => {
  if (path.length === 0)
    return KNATIVE_SPEC_FIELDS.includes(key) ? `.${goName(key)}` : `.PodSpec.${goName(key)}`;
  return genericField(path, key);
};

const metaField: FieldNamer = (path, key) =>
  path.length === 0 ? `.${goName(key)}` : `[${JSON.stringify(key)}]`;

const genericField: FieldNamer = (path, key) => {
  const parent = path[path.length - 1];
  // Children of maps (env values aside) render as ["key"]; struct fields as .Field.
  if (
    parent === 'labels' ||
    parent === 'annotations' ||
    parent === 'limits' ||
    parent === 'requests' ||
    parent === 'nodeSelector'
  ) {
    return `[${JSON.stringify(key)}]`;
  }
  return `.${goName(key)}`;
};

function goName(key: string): string {
  const special: Record<string, string> = {
    httpGet: 'HTTPGet',
    tcpSocket: 'TCPSocket',
    grpc: 'GRPC',
    serviceAccountName: 'ServiceAccountName',
  };
  return special[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
}

function shortDiff(a: unknown, b: unknown, root: string, namer: FieldNamer): string {
  const out: string[] = [];
  walkDiff(a, b, [], root, namer, out);
  return out.join('');
}

function walkDiff(
  a: unknown,
  b: unknown,
  path: (string | number)[],
  rendered: string,
  namer: FieldNamer,
  out: string[],
) {
  if (jsonEqual(a, b)) return;
  const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
      walkDiff(ao[k], bo[k], [...path, k], rendered + namer(path, k), namer, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => walkDiff(v, b[i], [...path, i], `${rendered}[${i}]`, namer, out));
    return;
  }
  out.push(`${rendered}:\n\t-: ${renderValue(a)}\n\t+: ${renderValue(b)}\n`);
}

function renderValue(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'object') return `"${JSON.stringify(v)}"`;
  return `"${String(v)}"`;
}
