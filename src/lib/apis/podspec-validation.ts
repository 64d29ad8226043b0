/**
 * Validation of a Revision's spec: Knative's PodSpec subset and field masks, containers, ports,
 * env, volumes and mounts, probes, timeouts and containerConcurrency
 * (pkg/apis/serving/k8s_validation.go, v1/revision_validation.go).
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
import { LOCAL_IMAGE_PREFIX } from './keys.js';
import { parseQuantity, QuantityError } from './quantity.js';
import {
  validateContainerSecurityContext,
  validateInitContainerOnly,
  validatePodSecurityContext,
  validateVolumeMountFields,
  validateVolumeSource,
} from './podspec-detail-validation.js';
import { isDNS1123Label, isDNS1123Subdomain } from './names.js';
import type { Container, ContainerPort, Probe, RevisionSpec, Volume } from './types.js';

type Err = FieldError | undefined;

const MAX_INT32 = 2147483647;

/** RevisionSpec fields that are Knative's own (not PodSpec). */
export const KNATIVE_SPEC_FIELDS = [
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
  const initContainers: Container[] = Array.isArray(spec.initContainers)
    ? (spec.initContainers as Container[])
    : [];
  if (spec.securityContext && featureEnabled(ctx.features, POD_FIELDS_BY_FEATURE.securityContext!)) {
    errs = also(errs, validatePodSecurityContext(spec.securityContext, ctx));
  }
  const mounted = new Set(
    [...initContainers, ...containers].flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)),
  );
  const [volumes, volErr] = validateVolumes(spec.volumes ?? [], mounted, ctx);
  errs = also(
    errs,
    via(volErr, (e) => e.viaField('volumes')),
  );
  if (initContainers.length > 0 && featureEnabled(ctx.features, POD_FIELDS_BY_FEATURE.initContainers!)) {
    const names = new Set(containers.map((c) => c.name ?? ''));
    initContainers.forEach((c, i) => {
      let e: Err;
      if (names.has(c.name ?? ''))
        e = FieldError.of(`duplicate container name ${JSON.stringify(c.name ?? '')}`, ['name']);
      e = also(
        e,
        validateInitContainerOnly(c),
        validateContainer(c, volumes, ctx, RESERVED_SIDECAR_ENV, true),
      );
      errs = also(
        errs,
        via(e, (x) => x.viaFieldIndex('initContainers', i)),
      );
    });
  }
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
  errs = also(errs, validateVolumeSource(v, ctx));
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

/**
 * Container resources as Kubernetes validates them (ValidateResourceRequirements): every quantity
 * parses, none is negative, and a request does not exceed its limit. Knative's webhook lets the
 * Deployment's creation fail on these; refusing them here keeps the Service from being stored.
 */
function validateResources(resources: Container['resources']): Err {
  if (!resources) return undefined;
  const parsed: Record<'limits' | 'requests', Record<string, number>> = { limits: {}, requests: {} };
  let errs: Err;
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, raw] of Object.entries(resources[kind] ?? {})) {
      const path = `${kind}.${name}`;
      try {
        const q = parseQuantity(String(raw));
        if (q.value < 0) errs = also(errs, errInvalidValue(raw, path, 'must be greater than or equal to 0'));
        else parsed[kind][name] = q.value;
      } catch (err) {
        if (!(err instanceof QuantityError)) throw err;
        errs = also(errs, errInvalidValue(raw, path, err.message));
      }
    }
  }
  for (const [name, request] of Object.entries(parsed.requests)) {
    const limit = parsed.limits[name];
    if (limit !== undefined && request > limit) {
      errs = also(
        errs,
        errInvalidValue(
          resources.requests![name],
          `requests.${name}`,
          `must be less than or equal to ${name} limit of ${resources.limits![name]}`,
        ),
      );
    }
  }
  return errs;
}

function validateSidecar(c: Container, volumes: Map<string, Volume>, ctx: ApisContext): Err {
  return validateContainer(c, volumes, ctx, RESERVED_SIDECAR_ENV);
}

function validateContainer(
  c: Container,
  volumes: Map<string, Volume>,
  ctx: ApisContext,
  reservedEnv: string[],
  init = false,
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
  errs = also(
    errs,
    via(validateResources(c.resources), (x) => x.viaField('resources')),
  );
  (c.envFrom ?? []).forEach((ef, i) => {
    if (ef.configMapRef && ef.secretRef)
      errs = also(errs, errMultipleOneOf('configMapRef', 'secretRef').viaFieldIndex('envFrom', i));
    else if (!ef.configMapRef && !ef.secretRef) {
      errs = also(errs, errMissingOneOf('configMapRef', 'secretRef').viaFieldIndex('envFrom', i));
    }
  });
  if (!c.image) {
    errs = also(errs, errMissingField('image'));
  } else if (isRelativeDirectory(c.image)) {
    errs = also(
      errs,
      FieldError.of(
        'Failed to parse image reference',
        ['image'],
        `image: ${JSON.stringify(c.image)} is a relative directory, which the server cannot resolve (it does not know the client's working directory): use an absolute path or ${LOCAL_IMAGE_PREFIX}/abs/path`,
      ),
    );
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
    via(init ? validateInitContainerPorts(c.ports ?? []) : validateContainerPorts(c.ports ?? []), (e) =>
      e.viaField('ports'),
    ),
  );
  errs = also(errs, validateContainerSecurityContext(c.securityContext, ctx));
  if (c.terminationMessagePolicy && !['File', 'FallbackToLogsOnError'].includes(c.terminationMessagePolicy)) {
    errs = also(errs, errInvalidValue(c.terminationMessagePolicy, 'terminationMessagePolicy'));
  }
  errs = also(
    errs,
    via(validateVolumeMounts(c.volumeMounts ?? [], volumes, ctx), (e) => e.viaField('volumeMounts')),
  );
  return errs;
}

/**
 * Image references as go-containerregistry's weak validation accepts them, plus knlite's local
 * forms: `file:///abs/dir` and an absolute directory path (what the CLI's `--image /abs/dir` means).
 */
function isParseableImage(image: string): boolean {
  if (image.startsWith(LOCAL_IMAGE_PREFIX)) return image.length > LOCAL_IMAGE_PREFIX.length;
  if (image.startsWith('/')) return image.length > 1 && !image.includes('\0');
  const re =
    /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;
  return re.test(image);
}

/** `./app`, `../app`, `.` or `..`: a directory relative to a working directory the server does not have. */
function isRelativeDirectory(image: string): boolean {
  return /^\.\.?(\/|$)/.test(image);
}

// Init containers may declare any ports, each checked like a container port (no single-port rule).
function validateInitContainerPorts(ports: ContainerPort[]): Err {
  let errs: Err;
  for (const p of ports) {
    const bad = Object.keys(p)
      .filter((k) => !['name', 'containerPort', 'protocol'].includes(k))
      .sort();
    if (bad.length) errs = also(errs, errDisallowedFields(...bad));
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
    if (p.containerPort < 0 || p.containerPort > 65535)
      errs = also(errs, errOutOfBoundsValue(p.containerPort, 0, 65535, 'containerPort'));
  }
  return errs;
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
  ctx: ApisContext,
): Err {
  let errs: Err;
  const seenPaths = new Set<string>();
  mounts.forEach((vm, i) => {
    const vol = volumes.get(vm.name);
    errs = also(
      errs,
      via(validateVolumeMountFields(vm, vol, ctx), (e) => e.viaIndex(i)),
    );
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
