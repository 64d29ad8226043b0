/**
 * Typed decoding of built-in kinds, as kube-apiserver's JSON decoder does it: each built-in kind has
 * a Go-typed shape (ConfigMap.data is map[string]string, Secret.data is map[string][]byte in base64,
 * container resources are resource.Quantity, ...) and a body that does not fit is refused before any
 * other code reads it, with Go's wording
 * (`json: cannot unmarshal number into Go struct field ConfigMap.data of type string`).
 *
 * Only the first mismatch is reported (encoding/json keeps the first error). Fields the shape does
 * not declare are left alone; nulls decode to Go zero values (a null map or list element becomes
 * the element's zero value, a null struct field is dropped). Every kind's `metadata` is ObjectMeta.
 */
import {
  parseQuantity as parseApisQuantity,
  QUANTITY_FORMAT,
  QuantityError,
  type Quantity,
} from '../apis/quantity.js';

/** A Go type as far as JSON decoding is concerned. */
export type GoType =
  | { k: 'string'; name: string }
  | { k: 'bool' }
  | { k: 'int'; name: 'int32' | 'int64' }
  | { k: 'bytes' }
  | { k: 'quantity' }
  | { k: 'intstr' }
  | { k: 'time' }
  | { k: 'any' }
  | { k: 'map'; name: string; elem: GoType }
  | { k: 'slice'; elem: GoType }
  | { k: 'struct'; name: string; fields: () => Record<string, GoType> };

/** The first decoding failure, in Go's words (without the `<Kind> in version ...` prefix). */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

// ---- the type constructors --------------------------------------------------------------------

const str = (name = 'string'): GoType => ({ k: 'string', name });
const bool: GoType = { k: 'bool' };
const int32: GoType = { k: 'int', name: 'int32' };
const int64: GoType = { k: 'int', name: 'int64' };
const bytes: GoType = { k: 'bytes' };
const quantity: GoType = { k: 'quantity' };
const intstr: GoType = { k: 'intstr' };
const time: GoType = { k: 'time' };
const any: GoType = { k: 'any' };
const map = (elem: GoType, name?: string): GoType => ({
  k: 'map',
  elem,
  name: name ?? `map[string]${typeName(elem)}`,
});
const slice = (elem: GoType): GoType => ({ k: 'slice', elem });
function struct(name: string, fields: () => Record<string, GoType>): GoType {
  return { k: 'struct', name, fields };
}

/** reflect.Type.String() of a Go type: `string`, `[]v1.Container`, `map[string][]uint8`. */
export function typeName(t: GoType): string {
  switch (t.k) {
    case 'string':
      return t.name;
    case 'bool':
      return 'bool';
    case 'int':
      return t.name;
    case 'bytes':
      return '[]uint8';
    case 'quantity':
      return 'resource.Quantity';
    case 'intstr':
      return 'intstr.IntOrString';
    case 'time':
      return 'v1.Time';
    case 'any':
      return 'interface {}';
    case 'map':
      return t.name;
    case 'slice':
      return `[]${typeName(t.elem)}`;
    case 'struct':
      return `v1.${t.name}`;
  }
}

// ---- shapes of the built-in kinds -------------------------------------------------------------

const resourceList = map(quantity, 'v1.ResourceList');
const strMap = map(str());
const strList = slice(str());

const ownerReference = struct('OwnerReference', () => ({
  apiVersion: str(),
  kind: str(),
  name: str(),
  uid: str('types.UID'),
  controller: bool,
  blockOwnerDeletion: bool,
}));

const objectMeta = struct('ObjectMeta', () => ({
  name: str(),
  generateName: str(),
  namespace: str(),
  selfLink: str(),
  uid: str('types.UID'),
  resourceVersion: str(),
  generation: int64,
  creationTimestamp: time,
  deletionTimestamp: time,
  deletionGracePeriodSeconds: int64,
  labels: strMap,
  annotations: strMap,
  ownerReferences: slice(ownerReference),
  finalizers: strList,
  managedFields: slice(
    struct('ManagedFieldsEntry', () => ({
      manager: str(),
      operation: str('v1.ManagedFieldsOperationType'),
      apiVersion: str(),
      time,
      fieldsType: str(),
      fieldsV1: any,
      subresource: str(),
    })),
  ),
}));

const objectReference = struct('ObjectReference', () => ({
  kind: str(),
  namespace: str(),
  name: str(),
  uid: str('types.UID'),
  apiVersion: str(),
  resourceVersion: str(),
  fieldPath: str(),
}));

const localObjectReference = struct('LocalObjectReference', () => ({ name: str() }));

const labelSelector = struct('LabelSelector', () => ({
  matchLabels: strMap,
  matchExpressions: slice(
    struct('LabelSelectorRequirement', () => ({
      key: str(),
      operator: str('v1.LabelSelectorOperator'),
      values: strList,
    })),
  ),
}));

const keyToPath = struct('KeyToPath', () => ({ key: str(), path: str(), mode: int32 }));

const volume = struct('Volume', () => ({
  name: str(),
  configMap: struct('ConfigMapVolumeSource', () => ({
    name: str(),
    items: slice(keyToPath),
    defaultMode: int32,
    optional: bool,
  })),
  secret: struct('SecretVolumeSource', () => ({
    secretName: str(),
    items: slice(keyToPath),
    defaultMode: int32,
    optional: bool,
  })),
  emptyDir: struct('EmptyDirVolumeSource', () => ({
    medium: str('v1.StorageMedium'),
    sizeLimit: quantity,
  })),
  hostPath: struct('HostPathVolumeSource', () => ({ path: str(), type: str('v1.HostPathType') })),
  persistentVolumeClaim: struct('PersistentVolumeClaimVolumeSource', () => ({
    claimName: str(),
    readOnly: bool,
  })),
}));

const probe = struct('Probe', () => ({
  exec: struct('ExecAction', () => ({ command: strList })),
  httpGet: struct('HTTPGetAction', () => ({
    path: str(),
    port: intstr,
    host: str(),
    scheme: str('v1.URIScheme'),
    httpHeaders: slice(struct('HTTPHeader', () => ({ name: str(), value: str() }))),
  })),
  tcpSocket: struct('TCPSocketAction', () => ({ port: intstr, host: str() })),
  grpc: struct('GRPCAction', () => ({ port: int32, service: str() })),
  initialDelaySeconds: int32,
  timeoutSeconds: int32,
  periodSeconds: int32,
  successThreshold: int32,
  failureThreshold: int32,
  terminationGracePeriodSeconds: int64,
}));

function containerFields(): Record<string, GoType> {
  const selectorRef = (name: string): GoType =>
    struct(name, () => ({ name: str(), key: str(), optional: bool }));
  return {
    name: str(),
    image: str(),
    command: strList,
    args: strList,
    workingDir: str(),
    ports: slice(
      struct('ContainerPort', () => ({
        name: str(),
        hostPort: int32,
        containerPort: int32,
        protocol: str('v1.Protocol'),
        hostIP: str(),
      })),
    ),
    envFrom: slice(
      struct('EnvFromSource', () => ({
        prefix: str(),
        configMapRef: struct('ConfigMapEnvSource', () => ({ name: str(), optional: bool })),
        secretRef: struct('SecretEnvSource', () => ({ name: str(), optional: bool })),
      })),
    ),
    env: slice(
      struct('EnvVar', () => ({
        name: str(),
        value: str(),
        valueFrom: struct('EnvVarSource', () => ({
          fieldRef: struct('ObjectFieldSelector', () => ({ apiVersion: str(), fieldPath: str() })),
          resourceFieldRef: struct('ResourceFieldSelector', () => ({
            containerName: str(),
            resource: str(),
            divisor: quantity,
          })),
          configMapKeyRef: selectorRef('ConfigMapKeySelector'),
          secretKeyRef: selectorRef('SecretKeySelector'),
        })),
      })),
    ),
    resources: struct('ResourceRequirements', () => ({
      limits: resourceList,
      requests: resourceList,
    })),
    volumeMounts: slice(
      struct('VolumeMount', () => ({
        name: str(),
        readOnly: bool,
        mountPath: str(),
        subPath: str(),
        mountPropagation: str('v1.MountPropagationMode'),
        subPathExpr: str(),
      })),
    ),
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
    terminationMessagePath: str(),
    terminationMessagePolicy: str('v1.TerminationMessagePolicy'),
    imagePullPolicy: str('v1.PullPolicy'),
    securityContext: struct('SecurityContext', () => ({
      capabilities: struct('Capabilities', () => ({
        add: slice(str('v1.Capability')),
        drop: slice(str('v1.Capability')),
      })),
      privileged: bool,
      runAsUser: int64,
      runAsGroup: int64,
      runAsNonRoot: bool,
      readOnlyRootFilesystem: bool,
      allowPrivilegeEscalation: bool,
    })),
    stdin: bool,
    stdinOnce: bool,
    tty: bool,
  };
}

const container = struct('Container', containerFields);

const podSpec = struct('PodSpec', () => ({
  volumes: slice(volume),
  initContainers: slice(container),
  containers: slice(container),
  ephemeralContainers: slice(struct('EphemeralContainer', containerFields)),
  restartPolicy: str('v1.RestartPolicy'),
  terminationGracePeriodSeconds: int64,
  activeDeadlineSeconds: int64,
  dnsPolicy: str('v1.DNSPolicy'),
  nodeSelector: strMap,
  serviceAccountName: str(),
  serviceAccount: str(),
  automountServiceAccountToken: bool,
  nodeName: str(),
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  shareProcessNamespace: bool,
  securityContext: struct('PodSecurityContext', () => ({
    runAsUser: int64,
    runAsGroup: int64,
    runAsNonRoot: bool,
    supplementalGroups: slice(int64),
    fsGroup: int64,
  })),
  imagePullSecrets: slice(localObjectReference),
  hostname: str(),
  subdomain: str(),
  schedulerName: str(),
  tolerations: slice(
    struct('Toleration', () => ({
      key: str(),
      operator: str('v1.TolerationOperator'),
      value: str(),
      effect: str('v1.TaintEffect'),
      tolerationSeconds: int64,
    })),
  ),
  priorityClassName: str(),
  priority: int32,
  enableServiceLinks: bool,
  overhead: resourceList,
}));

const condition = (name: string, typeName2: string): GoType =>
  struct(name, () => ({
    type: str(typeName2),
    status: str('v1.ConditionStatus'),
    lastProbeTime: time,
    lastUpdateTime: time,
    lastTransitionTime: time,
    reason: str(),
    message: str(),
  }));

const containerStatus = struct('ContainerStatus', () => ({
  name: str(),
  ready: bool,
  restartCount: int32,
  image: str(),
  imageID: str(),
  containerID: str(),
  started: bool,
}));

const podStatus = struct('PodStatus', () => ({
  phase: str('v1.PodPhase'),
  conditions: slice(condition('PodCondition', 'v1.PodConditionType')),
  message: str(),
  reason: str(),
  hostIP: str(),
  podIP: str(),
  podIPs: slice(struct('PodIP', () => ({ ip: str() }))),
  startTime: time,
  initContainerStatuses: slice(containerStatus),
  containerStatuses: slice(containerStatus),
  qosClass: str('v1.PodQOSClass'),
}));

const podTemplateSpec = struct('PodTemplateSpec', () => ({ metadata: objectMeta, spec: podSpec }));

/** Top-level fields of each built-in kind (metadata is added for all). */
const KINDS: Record<string, () => Record<string, GoType>> = {
  '/configmaps': () => ({ data: strMap, binaryData: map(bytes), immutable: bool }),
  '/secrets': () => ({
    data: map(bytes),
    stringData: strMap,
    type: str('v1.SecretType'),
    immutable: bool,
  }),
  '/namespaces': () => ({
    spec: struct('NamespaceSpec', () => ({ finalizers: slice(str('v1.FinalizerName')) })),
    status: struct('NamespaceStatus', () => ({ phase: str('v1.NamespacePhase') })),
  }),
  '/pods': () => ({ spec: podSpec, status: podStatus }),
  '/services': () => ({
    spec: struct('ServiceSpec', () => ({
      ports: slice(
        struct('ServicePort', () => ({
          name: str(),
          protocol: str('v1.Protocol'),
          appProtocol: str(),
          port: int32,
          targetPort: intstr,
          nodePort: int32,
        })),
      ),
      selector: strMap,
      clusterIP: str(),
      clusterIPs: strList,
      type: str('v1.ServiceType'),
      externalIPs: strList,
      sessionAffinity: str('v1.ServiceAffinity'),
      loadBalancerIP: str(),
      externalName: str(),
      externalTrafficPolicy: str('v1.ServiceExternalTrafficPolicy'),
      publishNotReadyAddresses: bool,
      ipFamilies: slice(str('v1.IPFamily')),
      ipFamilyPolicy: str('v1.IPFamilyPolicy'),
      internalTrafficPolicy: str('v1.ServiceInternalTrafficPolicy'),
    })),
  }),
  '/endpoints': () => ({
    subsets: slice(
      struct('EndpointSubset', () => {
        const address = struct('EndpointAddress', () => ({
          ip: str(),
          hostname: str(),
          nodeName: str(),
          targetRef: objectReference,
        }));
        return {
          addresses: slice(address),
          notReadyAddresses: slice(address),
          ports: slice(
            struct('EndpointPort', () => ({
              name: str(),
              port: int32,
              protocol: str('v1.Protocol'),
              appProtocol: str(),
            })),
          ),
        };
      }),
    ),
  }),
  '/events': () => ({
    involvedObject: objectReference,
    reason: str(),
    message: str(),
    source: struct('EventSource', () => ({ component: str(), host: str() })),
    firstTimestamp: time,
    lastTimestamp: time,
    count: int32,
    type: str(),
    eventTime: time,
    series: struct('EventSeries', () => ({ count: int32, lastObservedTime: time })),
    action: str(),
    related: objectReference,
    reportingComponent: str(),
    reportingInstance: str(),
  }),
  '/serviceaccounts': () => ({
    secrets: slice(objectReference),
    imagePullSecrets: slice(localObjectReference),
    automountServiceAccountToken: bool,
  }),
  '/persistentvolumeclaims': () => ({
    spec: struct('PersistentVolumeClaimSpec', () => ({
      accessModes: slice(str('v1.PersistentVolumeAccessMode')),
      selector: labelSelector,
      resources: struct('VolumeResourceRequirements', () => ({
        limits: resourceList,
        requests: resourceList,
      })),
      volumeName: str(),
      storageClassName: str(),
      volumeMode: str('v1.PersistentVolumeMode'),
      volumeAttributesClassName: str(),
    })),
    status: struct('PersistentVolumeClaimStatus', () => ({
      phase: str('v1.PersistentVolumeClaimPhase'),
      accessModes: slice(str('v1.PersistentVolumeAccessMode')),
      capacity: resourceList,
      conditions: slice(condition('PersistentVolumeClaimCondition', 'v1.PersistentVolumeClaimConditionType')),
    })),
  }),
  '/persistentvolumes': () => ({
    spec: struct('PersistentVolumeSpec', () => ({
      capacity: resourceList,
      hostPath: struct('HostPathVolumeSource', () => ({ path: str(), type: str('v1.HostPathType') })),
      local: struct('LocalVolumeSource', () => ({ path: str(), fsType: str() })),
      accessModes: slice(str('v1.PersistentVolumeAccessMode')),
      claimRef: objectReference,
      persistentVolumeReclaimPolicy: str('v1.PersistentVolumeReclaimPolicy'),
      storageClassName: str(),
      mountOptions: strList,
      volumeMode: str('v1.PersistentVolumeMode'),
      nodeAffinity: any,
      volumeAttributesClassName: str(),
    })),
    status: struct('PersistentVolumeStatus', () => ({
      phase: str('v1.PersistentVolumePhase'),
      message: str(),
      reason: str(),
      lastPhaseTransitionTime: time,
    })),
  }),
  'apps/replicasets': () => ({
    spec: struct('ReplicaSetSpec', () => ({
      replicas: int32,
      minReadySeconds: int32,
      selector: labelSelector,
      template: podTemplateSpec,
    })),
    status: struct('ReplicaSetStatus', () => ({
      replicas: int32,
      fullyLabeledReplicas: int32,
      readyReplicas: int32,
      availableReplicas: int32,
      terminatingReplicas: int32,
      observedGeneration: int64,
      conditions: slice(condition('ReplicaSetCondition', 'v1.ReplicaSetConditionType')),
    })),
  }),
  'apps/deployments': () => ({
    spec: struct('DeploymentSpec', () => ({
      replicas: int32,
      selector: labelSelector,
      template: podTemplateSpec,
      strategy: struct('DeploymentStrategy', () => ({
        type: str('v1.DeploymentStrategyType'),
        rollingUpdate: struct('RollingUpdateDeployment', () => ({
          maxUnavailable: intstr,
          maxSurge: intstr,
        })),
      })),
      minReadySeconds: int32,
      revisionHistoryLimit: int32,
      paused: bool,
      progressDeadlineSeconds: int32,
    })),
    status: struct('DeploymentStatus', () => ({
      observedGeneration: int64,
      replicas: int32,
      updatedReplicas: int32,
      readyReplicas: int32,
      availableReplicas: int32,
      unavailableReplicas: int32,
      conditions: slice(condition('DeploymentCondition', 'v1.DeploymentConditionType')),
      collisionCount: int32,
    })),
  }),
  'coordination.k8s.io/leases': () => ({
    spec: struct('LeaseSpec', () => ({
      holderIdentity: str(),
      leaseDurationSeconds: int32,
      acquireTime: time,
      renewTime: time,
      leaseTransitions: int32,
    })),
  }),
  'rbac.authorization.k8s.io/roles': () => ({ rules: slice(policyRule) }),
  'rbac.authorization.k8s.io/clusterroles': () => ({
    rules: slice(policyRule),
    aggregationRule: struct('AggregationRule', () => ({ clusterRoleSelectors: slice(labelSelector) })),
  }),
  'rbac.authorization.k8s.io/rolebindings': () => roleBinding(),
  'rbac.authorization.k8s.io/clusterrolebindings': () => roleBinding(),
};

const policyRule = struct('PolicyRule', () => ({
  verbs: slice(str()),
  apiGroups: slice(str()),
  resources: slice(str()),
  resourceNames: slice(str()),
  nonResourceURLs: slice(str()),
}));

function roleBinding(): Record<string, GoType> {
  return {
    subjects: slice(
      struct('Subject', () => ({ kind: str(), apiGroup: str(), name: str(), namespace: str() })),
    ),
    roleRef: struct('RoleRef', () => ({ apiGroup: str(), kind: str(), name: str() })),
  };
}

/** The Go-typed shape of a kind: its own fields for built-ins, ObjectMeta alone for custom resources. */
export function kindShape(group: string, resource: string, kind: string, custom: boolean): GoType {
  const own = custom ? undefined : KINDS[`${group}/${resource}`];
  return struct(kind, () => ({ metadata: objectMeta, ...(own ? own() : {}) }));
}

// ---- decoding ---------------------------------------------------------------------------------

/** encoding/json's name for the JSON value it could not store. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') return 'object';
  return typeof v; // string | number
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Checks `value` fits `type`, normalising nulls in place. `ctx` is the innermost Go struct's name
 * and `path` the dotted JSON field path from the root, which is what Go puts in its messages.
 */
function check(type: GoType, value: unknown, ctx: { struct: string; path: string }): void {
  if (value === null || value === undefined) return;
  const mismatch = (what = jsonKind(value)): never => {
    const into = ctx.path ? `Go struct field ${ctx.struct}.${ctx.path}` : `Go value`;
    throw new DecodeError(`json: cannot unmarshal ${what} into ${into} of type ${typeName(type)}`);
  };
  switch (type.k) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') mismatch();
      return;
    case 'bool':
      if (typeof value !== 'boolean') mismatch();
      return;
    case 'int': {
      if (typeof value !== 'number') mismatch();
      const n = value as number;
      const [lo, hi] = type.name === 'int32' ? [-(2 ** 31), 2 ** 31 - 1] : [-(2 ** 63), 2 ** 63 - 1];
      // Go reports the literal it could not fit: `number 1.5`, `number 3000000000`.
      if (!Number.isInteger(n) || n < lo || n > hi) mismatch(`number ${String(n)}`);
      return;
    }
    case 'bytes':
      if (typeof value !== 'string') mismatch();
      base64Decode(value as string);
      return;
    case 'quantity':
      if (typeof value === 'object') throw new DecodeError(QUANTITY_FORMAT);
      parseQuantity(typeof value === 'string' ? value : String(value));
      return;
    case 'intstr':
      if (typeof value === 'string') return;
      if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > 2 ** 31)
        throw new DecodeError(
          `json: cannot unmarshal ${typeof value === 'number' ? `number ${value}` : jsonKind(value)} into Go value of type int32`,
        );
      return;
    case 'time':
      if (typeof value !== 'string')
        throw new DecodeError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type string`);
      if (!RFC3339.test(value))
        throw new DecodeError(
          `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as "2006"`,
        );
      return;
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) mismatch();
      const m = value as Record<string, unknown>;
      for (const [k, v] of Object.entries(m)) {
        if (v === null) m[k] = zero(type.elem);
        else check(type.elem, v, ctx);
      }
      return;
    }
    case 'slice': {
      if (!Array.isArray(value)) mismatch();
      const a = value as unknown[];
      a.forEach((v, i) => {
        if (v === null) a[i] = zero(type.elem);
        else check(type.elem, v, ctx);
      });
      return;
    }
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) mismatch();
      const o = value as Record<string, unknown>;
      const fields = type.fields();
      for (const [k, v] of Object.entries(o)) {
        const f = Object.hasOwn(fields, k) ? fields[k] : undefined;
        if (!f) continue;
        if (v === null) {
          delete o[k];
          continue;
        }
        check(f, v, { struct: type.name, path: ctx.path ? `${ctx.path}.${k}` : k });
      }
      return;
    }
  }
}

/** Go's zero value of a type, as JSON. */
function zero(t: GoType): unknown {
  switch (t.k) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    case 'int':
      return 0;
    case 'quantity':
    case 'intstr':
      return '0';
    case 'struct':
      return {};
    default:
      return null;
  }
}

/** Decodes `obj` against the shape; throws DecodeError with Go's message on the first mismatch. */
export function decodeTyped(shape: GoType, obj: Record<string, unknown>): void {
  if (shape.k !== 'struct') return;
  check(shape, obj, { struct: shape.name, path: '' });
}

// ---- base64, as encoding/base64's StdEncoding decodes it --------------------------------------

const B64 = /[A-Za-z0-9+/]/;

/** Validates standard padded base64 (newlines ignored), throwing Go's CorruptInputError wording. */
export function base64Decode(src: string): void {
  const corrupt = (at: number): never => {
    throw new DecodeError(`illegal base64 data at input byte ${at}`);
  };
  let si = 0;
  const n = src.length;
  while (si < n) {
    // One quantum of four symbols (decodeQuantum in encoding/base64).
    let j = 0;
    for (; j < 4; j++) {
      if (si === n) {
        if (j === 0) return;
        corrupt(si - j);
      }
      const c = src[si++];
      if (B64.test(c)) continue;
      if (c === '\n' || c === '\r') {
        j--;
        continue;
      }
      if (c !== '=') corrupt(si - 1);
      if (j === 0 || j === 1) corrupt(si - 1);
      if (j === 2) {
        while (si < n && (src[si] === '\n' || src[si] === '\r')) si++;
        if (si === n) corrupt(n);
        if (src[si] !== '=') corrupt(si - 1);
        si++;
      }
      while (si < n && (src[si] === '\n' || src[si] === '\r')) si++;
      if (si < n) corrupt(si);
      return;
    }
  }
}

// ---- resource.Quantity ------------------------------------------------------------------------

export { QUANTITY_FORMAT };

/** resource.ParseQuantity (apis/quantity.ts), failing with a DecodeError as the decoder reports it. */
export function parseQuantity(raw: string): Quantity {
  try {
    return parseApisQuantity(raw);
  } catch (err) {
    if (err instanceof QuantityError) throw new DecodeError(err.message);
    throw err;
  }
}
