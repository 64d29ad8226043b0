/**
 * Every label, annotation, finalizer and well-known name knlite reads or writes, in one place
 * (Knative's pkg/apis/serving/register.go, pkg/apis/autoscaling/register.go,
 * knative.dev/networking register.go). Nothing else in the code spells these strings.
 */

export const SERVING_GROUP = 'serving.knative.dev';
export const SERVING_V1 = 'serving.knative.dev/v1';
export const SERVING_V1BETA1 = 'serving.knative.dev/v1beta1';
export const NETWORKING_INTERNAL_V1ALPHA1 = 'networking.internal.knative.dev/v1alpha1';

/** Namespace that holds Knative's ConfigMaps. */
export const SYSTEM_NAMESPACE = 'knative-serving';

export const Labels = {
  service: 'serving.knative.dev/service',
  serviceUID: 'serving.knative.dev/serviceUID',
  configuration: 'serving.knative.dev/configuration',
  configurationUID: 'serving.knative.dev/configurationUID',
  configurationGeneration: 'serving.knative.dev/configurationGeneration',
  revision: 'serving.knative.dev/revision',
  revisionUID: 'serving.knative.dev/revisionUID',
  route: 'serving.knative.dev/route',
  routeNamespace: 'serving.knative.dev/routeNamespace',
  routingState: 'serving.knative.dev/routingState',
  domainMappingUID: 'serving.knative.dev/domainMappingUID',
  /** On Certificates: which TLS feature asked for them (`external-domain`). */
  certificateType: 'networking.knative.dev/certificate-type',
  domainMappingNamespace: 'serving.knative.dev/domainMappingNamespace',
  visibility: 'networking.knative.dev/visibility',
  /** Legacy visibility label still accepted by Knative. */
  visibilityLegacy: 'serving.knative.dev/visibility',
  /** The app label Knative puts on pods (value: revision name). */
  app: 'app',
} as const;

export const Annotations = {
  creator: 'serving.knative.dev/creator',
  lastModifier: 'serving.knative.dev/lastModifier',
  routes: 'serving.knative.dev/routes',
  routingStateModified: 'serving.knative.dev/routingStateModified',
  revisionLastPinned: 'serving.knative.dev/lastPinned',
  rolloutDuration: 'serving.knative.dev/rollout-duration',
  progressDeadline: 'serving.knative.dev/progress-deadline',
  noGC: 'serving.knative.dev/no-gc',
  // Autoscaling (autoscaling.knative.dev/*)
  class: 'autoscaling.knative.dev/class',
  metric: 'autoscaling.knative.dev/metric',
  target: 'autoscaling.knative.dev/target',
  targetUtilization: 'autoscaling.knative.dev/target-utilization-percentage',
  minScale: 'autoscaling.knative.dev/min-scale',
  maxScale: 'autoscaling.knative.dev/max-scale',
  initialScale: 'autoscaling.knative.dev/initial-scale',
  activationScale: 'autoscaling.knative.dev/activation-scale',
  scaleDownDelay: 'autoscaling.knative.dev/scale-down-delay',
  window: 'autoscaling.knative.dev/window',
  panicWindowPercentage: 'autoscaling.knative.dev/panic-window-percentage',
  panicThresholdPercentage: 'autoscaling.knative.dev/panic-threshold-percentage',
  targetBurstCapacity: 'autoscaling.knative.dev/target-burst-capacity',
  scaleToZeroPodRetentionPeriod: 'autoscaling.knative.dev/scale-to-zero-pod-retention-period',
  metricAggregationAlgorithm: 'autoscaling.knative.dev/metric-aggregation-algorithm',
  // knlite's own autoscaling extensions (autoscaling.knlite.dev/*)
  /** Scale-to-zero keeps the last instance frozen (SIGSTOP) this long; the next request thaws it. */
  frozenRetention: 'autoscaling.knlite.dev/frozen-retention',
  /** Set by `traffic rollout` on old revisions: min-scale capped to the share of traffic they keep. */
  rolloutMinScale: 'autoscaling.knlite.dev/rollout-min-scale',
  // Networking (networking.knative.dev/*)
  ingressClass: 'networking.knative.dev/ingress.class',
  /** The Route's gradual rollout state, on its KIngress (JSON, Knative's traffic.Rollout). */
  rollout: 'networking.internal.knative.dev/rollout',
  certificateClass: 'networking.knative.dev/certificate.class',
  disableExternalDomainTLS: 'networking.knative.dev/disable-external-domain-tls',
  // kn's own bookkeeping
  userImage: 'client.knative.dev/user-image',
  updateTimestamp: 'client.knative.dev/updateTimestamp',
} as const;

/** The pod condition the local runtime sets on an instance it keeps frozen after scale to zero. */
export const FROZEN_POD_CONDITION = 'knlite.dev/Frozen';

/**
 * The Endpoints annotation naming (comma-separated) the pods of its `notReadyAddresses` that are
 * frozen instances: stopped, their listening socket open, thawed by the next scale from zero. A
 * gateway may forward a request to such an address at once (the connection waits in the socket's
 * backlog until the thaw) instead of waiting for the address to turn ready.
 */
export const FROZEN_PODS_ANNOTATION = 'knlite.dev/frozen-pods';

/** Legacy camelCase spellings Knative still reads (after the current key, in priority order). */
export const LegacyAnnotations = {
  rolloutDuration: 'serving.knative.dev/rolloutDuration',
  minScale: 'autoscaling.knative.dev/minScale',
  maxScale: 'autoscaling.knative.dev/maxScale',
  initialScale: 'autoscaling.knative.dev/initialScale',
  scaleDownDelay: 'autoscaling.knative.dev/scaleDownDelay',
  targetUtilization: 'autoscaling.knative.dev/targetUtilizationPercentage',
  targetBurstCapacity: 'autoscaling.knative.dev/targetBurstCapacity',
  panicWindowPercentage: 'autoscaling.knative.dev/panicWindowPercentage',
  panicThresholdPercentage: 'autoscaling.knative.dev/panicThresholdPercentage',
  scaleToZeroPodRetentionPeriod: 'autoscaling.knative.dev/scaleToZeroPodRetentionPeriod',
  metricAggregationAlgorithm: 'autoscaling.knative.dev/metricAggregationAlgorithm',
} as const;

/** The annotation group reserved for autoscaling (not allowed on Service/Configuration metadata). */
export const AUTOSCALING_GROUP = 'autoscaling.knative.dev';

export const AutoscalingClass = {
  kpa: 'kpa.autoscaling.knative.dev',
  hpa: 'hpa.autoscaling.knative.dev',
} as const;

export const RoutingState = {
  pending: 'pending',
  active: 'active',
  reserve: 'reserve',
} as const;

export const Finalizers = {
  route: 'routes.serving.knative.dev',
  domainMapping: 'domainmappings.serving.knative.dev',
} as const;

/** The ingress class knlite's gateway implements (config-network `ingress-class` default here). */
export const KNLITE_INGRESS_CLASS = 'knlite.ingress.networking.knative.dev';

/** The certificate class knlite's local CA issues (config-network `certificate-class` default here). */
export const KNLITE_CERTIFICATE_CLASS = 'knlite.certificate.networking.knative.dev';

/** Headers of the KIngress contract (knative.dev/networking pkg/http/header). */
export const IngressHeaders = {
  revision: 'Knative-Serving-Revision',
  namespace: 'Knative-Serving-Namespace',
  tag: 'Knative-Serving-Tag',
  originalHost: 'K-Original-Host',
} as const;

/** Visibility label value that makes a Route cluster-local. */
export const VISIBILITY_CLUSTER_LOCAL = 'cluster-local';

/** Default container name Knative gives an unnamed single container. */
export const DEFAULT_CONTAINER_NAME = 'user-container';

/** Names of the ConfigMaps in knative-serving that knlite reads. */
export const ConfigMaps = {
  domain: 'config-domain',
  network: 'config-network',
  gc: 'config-gc',
  autoscaler: 'config-autoscaler',
  defaults: 'config-defaults',
  features: 'config-features',
  deployment: 'config-deployment',
} as const;

/** Prefix of image references that point at a local directory (the local runtime runs these). */
export const LOCAL_IMAGE_PREFIX = 'file://';

/** knlite's own ConfigMap in knative-serving describing the local data plane, and its keys. */
export const KnliteConfig = {
  name: 'config-knlite',
  gatewayUrl: 'gateway-url',
  metricsUrl: 'metrics-url',
  /** config-network extension: the gateway port printed in local URLs. */
  localGatewayPort: 'local-gateway-port',
  /** config-network extension: the gateway's HTTPS port printed in local https URLs. */
  localGatewayHttpsPort: 'local-gateway-https-port',
  /** config-knlite: the local gateway's HTTPS URL. */
  gatewayHttpsUrl: 'gateway-https-url',
} as const;
