/**
 * Kubernetes and Knative Serving object shapes, as plain JSON types. These mirror the wire format
 * (serving.knative.dev/v1, v1beta1 DomainMapping, core v1, apps/v1) and are shared by the CLI, the
 * embedded API server's admission and the reconcilers. Only fields knlite reads or writes are typed;
 * everything else passes through untouched.
 */

/** Standard object metadata. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

/** A reference from a dependent object to its owner. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any Kubernetes object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A list response. */
export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** A Knative (knative.dev/pkg apis.Condition) or Kubernetes condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  severity?: '' | 'Warning' | 'Info';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** duckv1.Status. */
export interface KnStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  annotations?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { resource: string; containerName?: string; divisor?: string | number };
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Probe {
  httpGet?: {
    path?: string;
    port?: number | string;
    host?: string;
    scheme?: string;
    httpHeaders?: { name: string; value: string }[];
  };
  tcpSocket?: { port?: number | string; host?: string };
  exec?: { command: string[] };
  grpc?: { port?: number; service?: string };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

/** A ConfigMap/Secret key projected to a file path (with its own mode). */
export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

/** A downward API file: a pod field or a container resource written to `path`. */
export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: { fieldPath: string; apiVersion?: string };
  resourceFieldRef?: { resource: string; containerName?: string; divisor?: string | number };
  mode?: number;
}

/** One source of a projected volume. */
export interface VolumeProjection {
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardAPIVolumeFile[] };
  serviceAccountToken?: { path: string; audience?: string; expirationSeconds?: number };
  [key: string]: unknown;
}

export interface Volume {
  name: string;
  configMap?: {
    name: string;
    items?: KeyToPath[];
    optional?: boolean;
    defaultMode?: number;
  };
  secret?: {
    secretName: string;
    items?: KeyToPath[];
    optional?: boolean;
    defaultMode?: number;
  };
  emptyDir?: { medium?: string; sizeLimit?: string };
  projected?: { sources?: VolumeProjection[]; defaultMode?: number };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  [key: string]: unknown;
}

export interface ResourceRequirements {
  limits?: Record<string, string>;
  requests?: Record<string, string>;
}

export interface Container {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  ports?: ContainerPort[];
  resources?: ResourceRequirements;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  volumeMounts?: VolumeMount[];
  imagePullPolicy?: string;
  securityContext?: Record<string, unknown>;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  [key: string]: unknown;
}

/** Knative RevisionSpec: a PodSpec subset plus Knative's fields. */
export interface RevisionSpec {
  containerConcurrency?: number;
  timeoutSeconds?: number;
  responseStartTimeoutSeconds?: number;
  idleTimeoutSeconds?: number;
  containers: Container[];
  volumes?: Volume[];
  serviceAccountName?: string;
  imagePullSecrets?: { name: string }[];
  enableServiceLinks?: boolean;
  [key: string]: unknown;
}

/** The template a Configuration stamps Revisions from. */
export interface RevisionTemplateSpec {
  metadata?: ObjectMeta;
  spec: RevisionSpec;
}

/** One entry of spec.traffic / status.traffic. */
export interface TrafficTarget {
  tag?: string;
  revisionName?: string;
  configurationName?: string;
  latestRevision?: boolean;
  percent?: number;
  url?: string;
}

export interface ConfigurationSpec {
  template: RevisionTemplateSpec;
}

export interface ConfigurationStatus extends KnStatus {
  latestCreatedRevisionName?: string;
  latestReadyRevisionName?: string;
}

export interface RouteSpec {
  traffic?: TrafficTarget[];
}

export interface Addressable {
  url?: string;
  name?: string;
}

export interface RouteStatus extends KnStatus {
  url?: string;
  address?: Addressable;
  traffic?: TrafficTarget[];
}

export interface Service extends KubeObject {
  spec: ConfigurationSpec & RouteSpec;
  status?: ConfigurationStatus & RouteStatus;
}

export interface Configuration extends KubeObject {
  spec: ConfigurationSpec;
  status?: ConfigurationStatus;
}

export interface Revision extends KubeObject {
  spec: RevisionSpec;
  status?: KnStatus & {
    logUrl?: string;
    containerStatuses?: { name: string; imageDigest?: string }[];
    actualReplicas?: number;
    desiredReplicas?: number;
  };
}

export interface Route extends KubeObject {
  spec: RouteSpec;
  status?: RouteStatus;
}

export interface DomainMapping extends KubeObject {
  spec: {
    ref: { apiVersion?: string; kind?: string; name: string; namespace?: string };
    tls?: { secretName: string };
  };
  status?: KnStatus & { url?: string; address?: Addressable };
}

/** KIngress visibility of a rule (networking.internal.knative.dev IngressVisibility). */
export type IngressVisibility = 'ExternalIP' | 'ClusterLocal';

/** One weighted backend of a KIngress path. */
export interface IngressBackendSplit {
  serviceNamespace: string;
  serviceName: string;
  servicePort: number | string;
  percent: number;
  appendHeaders?: Record<string, string>;
}

/** One path of a KIngress rule: optional header matches, host rewrite and weighted splits. */
export interface HTTPIngressPath {
  path?: string;
  headers?: Record<string, { exact: string }>;
  appendHeaders?: Record<string, string>;
  rewriteHost?: string;
  splits: IngressBackendSplit[];
}

/** One KIngress rule: hosts with their visibility and paths. */
export interface IngressRule {
  hosts: string[];
  visibility: IngressVisibility;
  http: { paths: HTTPIngressPath[] };
}

/** A load balancer address an ingress reports (LoadBalancerIngressStatus). */
export interface LoadBalancerIngress {
  ip?: string;
  domain?: string;
  domainInternal?: string;
  meshOnly?: boolean;
}

/** KIngress status, written by the ingress implementation. */
export interface IngressStatus extends KnStatus {
  publicLoadBalancer?: { ingress: LoadBalancerIngress[] };
  privateLoadBalancer?: { ingress: LoadBalancerIngress[] };
}

/** networking.internal.knative.dev/v1alpha1 Ingress (KIngress). */
export interface Ingress extends KubeObject {
  spec: {
    rules: IngressRule[];
    httpOption?: 'Enabled' | 'Redirected';
    tls?: { hosts: string[]; secretName: string; secretNamespace: string }[];
  };
  status?: IngressStatus;
}

/** networking.internal.knative.dev/v1alpha1 Certificate (KCert): a TLS certificate for `dnsNames`. */
export interface Certificate extends KubeObject {
  spec: { dnsNames: string[]; domain?: string; secretName: string };
  status?: KnStatus & { notAfter?: string };
}

export interface ClusterDomainClaim extends KubeObject {
  spec: { namespace: string };
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/**
 * core/v1 Secret.
 * @public
 */
export interface Secret extends KubeObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  type?: string;
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec: RevisionSpec & { [key: string]: unknown };
}

export interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    selector: { matchLabels?: Record<string, string> };
    template: PodTemplateSpec;
    progressDeadlineSeconds?: number;
    strategy?: unknown;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface ContainerStateTerminated {
  exitCode: number;
  signal?: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  image?: string;
  imageID?: string;
  started?: boolean;
  state?: {
    running?: { startedAt?: string };
    waiting?: { reason?: string; message?: string };
    terminated?: ContainerStateTerminated;
  };
  lastState?: { terminated?: ContainerStateTerminated };
}

export interface Pod extends KubeObject {
  spec: RevisionSpec & { nodeName?: string; [key: string]: unknown };
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    conditions?: Condition[];
    podIP?: string;
    hostIP?: string;
    startTime?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    message?: string;
    reason?: string;
  };
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  targetRef?: { kind: string; name: string; namespace?: string; uid?: string };
}

/** core/v1 Endpoints. On the local cluster every address is 127.0.0.1 and ports differ per pod, so
 * each pod gets its own subset. */
export interface Endpoints extends KubeObject {
  subsets?: {
    addresses?: EndpointAddress[];
    notReadyAddresses?: EndpointAddress[];
    ports?: { name?: string; port: number; protocol?: string }[];
  }[];
}

export interface KubeService extends KubeObject {
  spec: {
    type?: string;
    selector?: Record<string, string>;
    ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
    externalName?: string;
    clusterIP?: string;
  };
}

export interface KubeEvent extends KubeObject {
  involvedObject: { apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: 'Normal' | 'Warning';
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  source?: { component?: string };
}

/** metav1.Status as returned on errors. */
export interface StatusError {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
  code: number;
}
