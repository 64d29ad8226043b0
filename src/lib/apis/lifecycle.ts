/**
 * Per-kind condition sets and status transitions, ported from Knative Serving's
 * `pkg/apis/serving/v1/*_lifecycle.go`, `v1beta1/domainmapping_lifecycle.go` and
 * `pkg/apis/serving/k8s_lifecycle.go`. Reasons and messages are Knative's, verbatim.
 *
 * Every helper is a pure transition over a plain status object (mutated in place): the reconciler
 * uses them to write status, the CLI's describe/wait to read it with the same vocabulary.
 */
import { READY, conditionSet, getCondition, type Clock, type ConditionSet } from './conditions.js';
import type {
  Condition,
  ConfigurationStatus,
  Deployment,
  DomainMapping,
  KnStatus,
  Revision,
  RouteStatus,
} from './types.js';

/** Go's `%q` for the plain strings Knative quotes in its messages. */
function q(s: string): string {
  return JSON.stringify(s);
}

/** Knative's "There is an existing %s %q that we do not own." (`ResourceNotOwnedMessage`). */
export function resourceNotOwnedMessage(kind: string, name: string): string {
  return `There is an existing ${kind} ${q(name)} that we do not own.`;
}

/** Copies a child's Ready condition onto `type` of `status` with the same status/reason/message. */
function propagateReady(set: ConditionSet, status: KnStatus, type: string, child: Condition, now?: Clock) {
  const m = set.manage(status, now);
  if (child.status === 'True') m.markTrue(type);
  else if (child.status === 'False') m.markFalse(type, child.reason ?? '', child.message ?? '');
  else m.markUnknown(type, child.reason ?? '', child.message ?? '');
}

// ---------------------------------------------------------------------------------------------
// Service

/** Service condition types. */
export const ServiceConditions = {
  ready: READY,
  configurationsReady: 'ConfigurationsReady',
  routesReady: 'RoutesReady',
} as const;

/** Service: Ready depends on ConfigurationsReady and RoutesReady. */
export const serviceConditionSet = conditionSet(READY, [
  ServiceConditions.configurationsReady,
  ServiceConditions.routesReady,
]);

type ServiceStatus = ConfigurationStatus & RouteStatus;

/** Initialises a Service's conditions (Ready and dependents Unknown). */
export function initializeServiceConditions(status: ServiceStatus, now?: Clock): void {
  serviceConditionSet.manage(status, now).initializeConditions();
}

/** Copies latestCreated/latestReady from the Configuration and maps its Ready to ConfigurationsReady. */
export function propagateConfigurationStatus(
  status: ServiceStatus,
  cs: ConfigurationStatus,
  now?: Clock,
): void {
  setOrDelete(status, 'latestCreatedRevisionName', cs.latestCreatedRevisionName);
  setOrDelete(status, 'latestReadyRevisionName', cs.latestReadyRevisionName);
  const ready = getCondition(cs, READY);
  if (ready) propagateReady(serviceConditionSet, status, ServiceConditions.configurationsReady, ready, now);
}

/** Copies url/address/traffic from the Route and maps its Ready to RoutesReady. */
export function propagateRouteStatus(status: ServiceStatus, rs: RouteStatus, now?: Clock): void {
  setOrDelete(status, 'url', rs.url);
  setOrDelete(status, 'address', rs.address ? structuredClone(rs.address) : undefined);
  setOrDelete(status, 'traffic', rs.traffic ? structuredClone(rs.traffic) : undefined);
  const ready = getCondition(rs, READY);
  if (ready) propagateReady(serviceConditionSet, status, ServiceConditions.routesReady, ready, now);
}

/** ConfigurationsReady False NotOwned: a Configuration of that name exists and is not ours. */
export function markConfigurationNotOwned(status: ServiceStatus, name: string, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markFalse(
      ServiceConditions.configurationsReady,
      'NotOwned',
      resourceNotOwnedMessage('Configuration', name),
    );
}

/** RoutesReady False NotOwned: a Route of that name exists and is not ours. */
export function markRouteNotOwned(status: ServiceStatus, name: string, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markFalse(ServiceConditions.routesReady, 'NotOwned', resourceNotOwnedMessage('Route', name));
}

/** ConfigurationsReady Unknown OutOfDate: the Configuration hasn't observed its latest generation. */
export function markConfigurationNotReconciled(status: ServiceStatus, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markUnknown(
      ServiceConditions.configurationsReady,
      'OutOfDate',
      'The Configuration is still working to reflect the latest desired specification.',
    );
}

/** RoutesReady Unknown OutOfDate: the Route hasn't observed its latest generation. */
export function markRouteNotReconciled(status: ServiceStatus, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markUnknown(
      ServiceConditions.routesReady,
      'OutOfDate',
      'The Route is still working to reflect the latest desired specification.',
    );
}

/** RoutesReady Unknown TrafficNotMigrated (Knative's MarkRouteNotYetReady). */
export function markRouteNotYetReady(status: ServiceStatus, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markUnknown(
      ServiceConditions.routesReady,
      'TrafficNotMigrated',
      'Traffic is not yet migrated to the latest revision.',
    );
}

/** RoutesReady False RevisionNameTaken: a BYO revision name belongs to a conflicting Revision. */
export function markRevisionNameTaken(status: ServiceStatus, name: string, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markFalse(
      ServiceConditions.routesReady,
      'RevisionNameTaken',
      `The revision name ${q(name)} is taken by a conflicting Revision, so traffic will not be migrated`,
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration

/** Configuration: only Ready, no dependents. */
export const configurationConditionSet = conditionSet(READY, []);

/** Initialises a Configuration's Ready condition (Unknown). */
export function initializeConfigurationConditions(status: ConfigurationStatus, now?: Clock): void {
  configurationConditionSet.manage(status, now).initializeConditions();
}

/** Records the latest created revision; Ready goes Unknown (no reason) until it is also latest ready. */
export function setLatestCreatedRevisionName(status: ConfigurationStatus, name: string, now?: Clock): void {
  status.latestCreatedRevisionName = name;
  if (status.latestReadyRevisionName !== name) {
    configurationConditionSet.manage(status, now).markUnknown(READY, '', '');
  }
}

/** Records the latest ready revision; Ready goes True once it equals the latest created one. */
export function setLatestReadyRevisionName(status: ConfigurationStatus, name: string, now?: Clock): void {
  status.latestReadyRevisionName = name;
  if (status.latestReadyRevisionName === status.latestCreatedRevisionName) {
    configurationConditionSet.manage(status, now).markTrue(READY);
  }
}

/** Ready False RevisionFailed: the latest created revision failed with its Ready message. */
export function markLatestCreatedFailed(
  status: ConfigurationStatus,
  name: string,
  message: string,
  now?: Clock,
): void {
  configurationConditionSet
    .manage(status, now)
    .markFalse(READY, 'RevisionFailed', `Revision ${q(name)} failed with message: ${message}.`);
}

/** Ready False RevisionFailed: creating the revision failed. */
export function markRevisionCreationFailed(status: ConfigurationStatus, message: string, now?: Clock): void {
  configurationConditionSet
    .manage(status, now)
    .markFalse(READY, 'RevisionFailed', `Revision creation failed with message: ${message}.`);
}

/** Ready False RevisionDeleted: the latest ready revision was deleted. */
export function markLatestReadyDeleted(status: ConfigurationStatus, now?: Clock): void {
  configurationConditionSet
    .manage(status, now)
    .markFalse(READY, 'RevisionDeleted', `Revision ${q(status.latestReadyRevisionName ?? '')} was deleted.`);
}

// ---------------------------------------------------------------------------------------------
// Revision

/** Revision condition types. */
export const RevisionConditions = {
  ready: READY,
  resourcesAvailable: 'ResourcesAvailable',
  containerHealthy: 'ContainerHealthy',
  active: 'Active',
} as const;

/** Revision reasons and messages Knative uses. */
export const RevisionReasons = {
  containerMissing: 'ContainerMissing',
  resolvingDigests: 'ResolvingDigests',
  deploying: 'Deploying',
  notOwned: 'NotOwned',
  progressDeadlineExceeded: 'ProgressDeadlineExceeded',
  /** Active Unknown while requests are buffered. */
  queued: 'Queued',
  /** Active False when scaled to zero. */
  noTraffic: 'NoTraffic',
  /** Active False when activation timed out. */
  timedOut: 'TimedOut',
} as const;

/** Messages paired with the Active reasons (kpa.go computeActiveCondition). */
export const ActiveMessages = {
  queued: 'Requests to the target are being buffered as resources are provisioned.',
  noTraffic: 'The target is not receiving traffic.',
  timedOut: 'The target could not be activated.',
} as const;

/** Revision: Ready depends on ResourcesAvailable and ContainerHealthy; Active is Info only. */
export const revisionConditionSet = conditionSet(READY, [
  RevisionConditions.resourcesAvailable,
  RevisionConditions.containerHealthy,
]);

type RevisionStatus = NonNullable<Revision['status']>;

/** Initialises a Revision's conditions. */
export function initializeRevisionConditions(status: RevisionStatus, now?: Clock): void {
  revisionConditionSet.manage(status, now).initializeConditions();
}

/** Active True: the revision has ready pods. */
export function markActiveTrue(status: RevisionStatus, now?: Clock): void {
  revisionConditionSet.manage(status, now).markTrue(RevisionConditions.active);
}

/** Active False (e.g. NoTraffic when scaled to zero); never affects Ready. */
export function markActiveFalse(status: RevisionStatus, reason: string, message: string, now?: Clock): void {
  revisionConditionSet.manage(status, now).markFalse(RevisionConditions.active, reason, message);
}

/** Active Unknown (e.g. Queued while scaling up from zero). */
export function markActiveUnknown(
  status: RevisionStatus,
  reason: string,
  message: string,
  now?: Clock,
): void {
  revisionConditionSet.manage(status, now).markUnknown(RevisionConditions.active, reason, message);
}

/** ContainerHealthy True. */
export function markContainerHealthyTrue(status: RevisionStatus, now?: Clock): void {
  revisionConditionSet.manage(status, now).markTrue(RevisionConditions.containerHealthy);
}

/** ContainerHealthy False (and Ready False with the same reason/message). */
export function markContainerHealthyFalse(
  status: RevisionStatus,
  reason: string,
  message: string,
  now?: Clock,
): void {
  revisionConditionSet.manage(status, now).markFalse(RevisionConditions.containerHealthy, reason, message);
}

/** ContainerHealthy Unknown. */
export function markContainerHealthyUnknown(
  status: RevisionStatus,
  reason: string,
  message: string,
  now?: Clock,
): void {
  revisionConditionSet.manage(status, now).markUnknown(RevisionConditions.containerHealthy, reason, message);
}

/** ResourcesAvailable True. */
export function markResourcesAvailableTrue(status: RevisionStatus, now?: Clock): void {
  revisionConditionSet.manage(status, now).markTrue(RevisionConditions.resourcesAvailable);
}

/** ResourcesAvailable False (and Ready False with the same reason/message). */
export function markResourcesAvailableFalse(
  status: RevisionStatus,
  reason: string,
  message: string,
  now?: Clock,
): void {
  revisionConditionSet.manage(status, now).markFalse(RevisionConditions.resourcesAvailable, reason, message);
}

/** ResourcesAvailable Unknown. */
export function markResourcesAvailableUnknown(
  status: RevisionStatus,
  reason: string,
  message: string,
  now?: Clock,
): void {
  revisionConditionSet
    .manage(status, now)
    .markUnknown(RevisionConditions.resourcesAvailable, reason, message);
}

/** ResourcesAvailable and ContainerHealthy Unknown `Deploying` (Deployment just created). */
export function markDeploying(status: RevisionStatus, now?: Clock): void {
  markResourcesAvailableUnknown(status, RevisionReasons.deploying, '', now);
  markContainerHealthyUnknown(status, RevisionReasons.deploying, '', now);
}

/** ResourcesAvailable False NotOwned: `<kind> <name>` exists and is not controlled by the revision. */
export function markResourceNotOwned(status: RevisionStatus, kind: string, name: string, now?: Clock): void {
  markResourcesAvailableFalse(status, RevisionReasons.notOwned, resourceNotOwnedMessage(kind, name), now);
}

/** Knative's `ExitCodeReason`: `ExitCode<N>`. */
export function exitCodeReason(exitCode: number): string {
  return `ExitCode${exitCode}`;
}

/** Knative's `RevisionContainerExitingMessage`. */
export function containerExitingMessage(message: string): string {
  return `Container failed with: ${message}`;
}

/** ContainerHealthy False `ExitCode<N>` "Container failed with: <message>" for a crashed container. */
export function markContainerExiting(
  status: RevisionStatus,
  exitCode: number,
  message: string,
  now?: Clock,
): void {
  // Knative still gives a message when the container exited cleanly without one.
  const text = exitCode === 0 && !message ? 'container exited with no error' : message;
  markContainerHealthyFalse(status, exitCodeReason(exitCode), containerExitingMessage(text), now);
}

/** Condition types of the transformed Deployment status (serving/k8s_lifecycle.go). */
const DeploymentConditions = { progressing: 'Progressing', replicaSetReady: 'ReplicaSetReady' } as const;
const deploymentConditionSet = conditionSet(READY, [
  DeploymentConditions.progressing,
  DeploymentConditions.replicaSetReady,
]);

/**
 * Knative's TransformDeploymentStatus: folds a Deployment's Progressing and ReplicaFailure
 * conditions into a Ready condition (Progressing False → Ready False with its reason, e.g.
 * ProgressDeadlineExceeded; ReplicaFailure True → Ready False; no Progressing → Unknown Deploying).
 */
export function transformDeploymentStatus(ds: Deployment['status'], now?: Clock): KnStatus {
  const s: KnStatus = {};
  const m = deploymentConditionSet.manage(s, now);
  m.initializeConditions();
  // The absence of ReplicaFailure means no failure has occurred; overwritten below if present.
  m.markTrue(DeploymentConditions.replicaSetReady);
  m.markUnknown(DeploymentConditions.progressing, RevisionReasons.deploying, '');
  for (const want of ['Progressing', 'ReplicaFailure']) {
    for (const c of ds?.conditions ?? []) {
      if (c.type !== want) continue;
      const reason = c.reason ?? '';
      const message = c.message ?? '';
      if (c.type === 'Progressing') {
        if (c.status === 'True') m.markTrue(DeploymentConditions.progressing);
        else if (c.status === 'False') m.markFalse(DeploymentConditions.progressing, reason, message);
        else m.markUnknown(DeploymentConditions.progressing, reason, message);
      } else {
        if (c.status === 'True') m.markFalse(DeploymentConditions.replicaSetReady, reason, message);
        else if (c.status === 'False') m.markTrue(DeploymentConditions.replicaSetReady);
        else m.markUnknown(DeploymentConditions.replicaSetReady, reason, message);
      }
    }
  }
  return s;
}

/** Maps a Deployment's status onto ResourcesAvailable (Knative's PropagateDeploymentStatus). */
export function propagateDeploymentStatus(status: RevisionStatus, deployment: Deployment, now?: Clock): void {
  const ready = getCondition(transformDeploymentStatus(deployment.status, now), READY)!;
  propagateReady(revisionConditionSet, status, RevisionConditions.resourcesAvailable, ready, now);
}

/**
 * knlite's stand-in for PropagateAutoscalerStatus (there is no PodAutoscaler): actual/desired
 * replicas from the Deployment; Active True with ready pods, False NoTraffic at zero replicas,
 * Unknown Queued otherwise.
 */
export function propagateReplicaStatus(status: RevisionStatus, deployment: Deployment, now?: Clock): void {
  const ready = deployment.status?.readyReplicas ?? 0;
  const desired = deployment.spec.replicas ?? 1;
  status.actualReplicas = ready;
  status.desiredReplicas = desired;
  if (ready > 0) markActiveTrue(status, now);
  else if (desired === 0) markActiveFalse(status, RevisionReasons.noTraffic, ActiveMessages.noTraffic, now);
  else markActiveUnknown(status, RevisionReasons.queued, ActiveMessages.queued, now);
}

// ---------------------------------------------------------------------------------------------
// Route

/** Route condition types. */
export const RouteConditions = {
  ready: READY,
  allTrafficAssigned: 'AllTrafficAssigned',
  ingressReady: 'IngressReady',
  certificateProvisioned: 'CertificateProvisioned',
} as const;

/** Route: Ready depends on AllTrafficAssigned, IngressReady and CertificateProvisioned. */
export const routeConditionSet = conditionSet(READY, [
  RouteConditions.allTrafficAssigned,
  RouteConditions.ingressReady,
  RouteConditions.certificateProvisioned,
]);

/** CertificateProvisioned messages for the TLSNotEnabled reason. */
export const TLSMessages = {
  externalDomainTLSNotEnabled: 'external-domain-tls is not enabled',
  clusterLocal: 'TLS is not enabled for cluster-local',
} as const;

/** Initialises a Route's conditions. */
export function initializeRouteConditions(status: RouteStatus, now?: Clock): void {
  routeConditionSet.manage(status, now).initializeConditions();
}

/** AllTrafficAssigned True. */
export function markTrafficAssigned(status: RouteStatus, now?: Clock): void {
  routeConditionSet.manage(status, now).markTrue(RouteConditions.allTrafficAssigned);
}

/** AllTrafficAssigned Unknown `Unknown` for unexpected errors while building traffic. */
export function markUnknownTrafficError(status: RouteStatus, message: string, now?: Clock): void {
  routeConditionSet.manage(status, now).markUnknown(RouteConditions.allTrafficAssigned, 'Unknown', message);
}

/** AllTrafficAssigned False `<Kind>Missing` "<Kind> "x" referenced in traffic not found.". */
export function markMissingTrafficTarget(status: RouteStatus, kind: string, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.allTrafficAssigned,
      `${kind}Missing`,
      `${kind} ${q(name)} referenced in traffic not found.`,
    );
}

/** AllTrafficAssigned Unknown RevisionMissing: the Configuration has no ready revision yet. */
export function markConfigurationNotReady(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markUnknown(
      RouteConditions.allTrafficAssigned,
      'RevisionMissing',
      `Configuration ${q(name)} is waiting for a Revision to become ready.`,
    );
}

/** AllTrafficAssigned False RevisionMissing: the Configuration failed without any ready revision. */
export function markConfigurationFailed(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.allTrafficAssigned,
      'RevisionMissing',
      `Configuration ${q(name)} does not have any ready Revision.`,
    );
}

/** AllTrafficAssigned Unknown RevisionMissing: a pinned revision is not ready yet. */
export function markRevisionNotReady(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markUnknown(
      RouteConditions.allTrafficAssigned,
      'RevisionMissing',
      `Revision ${q(name)} is not yet ready.`,
    );
}

/** AllTrafficAssigned False RevisionMissing: a pinned revision failed. */
export function markRevisionFailed(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.allTrafficAssigned,
      'RevisionMissing',
      `Revision ${q(name)} failed to become ready.`,
    );
}

/**
 * AllTrafficAssigned False RevisionNotOwned: a Service-owned Route pins a revision of another
 * Service (`owner` set) or of no Service (`owner` empty).
 */
export function markRevisionNotOwned(
  status: RouteStatus,
  revision: string,
  service: string,
  owner: string | undefined,
  now?: Clock,
): void {
  const message = owner
    ? `Revision ${q(revision)} belongs to Service ${q(owner)}, not Service ${q(service)}.`
    : `Revision ${q(revision)} does not belong to Service ${q(service)}.`;
  routeConditionSet
    .manage(status, now)
    .markFalse(RouteConditions.allTrafficAssigned, 'RevisionNotOwned', message);
}

/** AllTrafficAssigned False ErrorConfig: the domain/tag templates produced an invalid host. */
export function markDomainConfigError(status: RouteStatus, message: string, now?: Clock): void {
  routeConditionSet.manage(status, now).markFalse(RouteConditions.allTrafficAssigned, 'ErrorConfig', message);
}

/** IngressReady Unknown IngressNotConfigured. */
export function markIngressNotConfigured(status: RouteStatus | KnStatus, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markUnknown(
      RouteConditions.ingressReady,
      'IngressNotConfigured',
      'Ingress has not yet been reconciled.',
    );
}

/** IngressReady True: the gateway is programmed with this route's traffic. */
export function markIngressReady(status: RouteStatus, now?: Clock): void {
  routeConditionSet.manage(status, now).markTrue(RouteConditions.ingressReady);
}

/** IngressReady Unknown RolloutInProgress during a gradual rollout. */
export function markIngressRolloutInProgress(status: RouteStatus, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markUnknown(
      RouteConditions.ingressReady,
      'RolloutInProgress',
      'A gradual rollout of the latest revision(s) is in progress.',
    );
}

/** IngressReady from an ingress's Ready condition (missing → IngressNotConfigured). */
export function propagateIngressStatus(
  status: RouteStatus,
  ingressReady: Condition | undefined,
  now?: Clock,
): void {
  if (!ingressReady) return markIngressNotConfigured(status, now);
  propagateReady(routeConditionSet, status, RouteConditions.ingressReady, ingressReady, now);
}

/** IngressReady False NotOwned: a placeholder Service of the route's host name is not ours. */
export function markServiceNotOwned(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.ingressReady,
      'NotOwned',
      `There is an existing placeholder Service ${q(name)} that we do not own.`,
    );
}

/** IngressReady False NotOwned: placeholder Endpoints exist and are not ours. */
export function markEndpointNotOwned(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.ingressReady,
      'NotOwned',
      `There is an existing placeholder Endpoint ${q(name)} that we do not own.`,
    );
}

/** CertificateProvisioned True TLSNotEnabled (default message: external-domain-tls is not enabled). */
export function markTLSNotEnabled(
  status: RouteStatus,
  message: string = TLSMessages.externalDomainTLSNotEnabled,
  now?: Clock,
): void {
  routeConditionSet
    .manage(status, now)
    .markTrueWithReason(RouteConditions.certificateProvisioned, 'TLSNotEnabled', message);
}

/**
 * CertificateProvisioned True.
 * @public Knative's CertificateProvisioned transitions stay together as a set.
 */
export function markCertificateReady(status: RouteStatus, now?: Clock): void {
  routeConditionSet.manage(status, now).markTrue(RouteConditions.certificateProvisioned);
}

/**
 * CertificateProvisioned Unknown CertificateNotReady ("Certificate <name> is not ready: <reason>").
 * @public
 */
export function markCertificateNotReady(status: RouteStatus, name: string, reason = '', now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markUnknown(
      RouteConditions.certificateProvisioned,
      'CertificateNotReady',
      `Certificate ${name} is not ready: ${reason}`,
    );
}

/** CertificateProvisioned False CertificateProvisionFailed ("Certificate <name> fails to be provisioned: <reason>"). */
export function markCertificateProvisionFailed(
  status: RouteStatus,
  name: string,
  reason = '',
  now?: Clock,
): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.certificateProvisioned,
      'CertificateProvisionFailed',
      `Certificate ${name} fails to be provisioned: ${reason}`,
    );
}

/**
 * CertificateProvisioned False CertificateNotOwned.
 * @public
 */
export function markCertificateNotOwned(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markFalse(
      RouteConditions.certificateProvisioned,
      'CertificateNotOwned',
      `There is an existing certificate ${name} that we don't own.`,
    );
}

/**
 * CertificateProvisioned True HTTPDowngrade.
 * @public
 */
export function markHTTPDowngrade(status: RouteStatus, name: string, now?: Clock): void {
  routeConditionSet
    .manage(status, now)
    .markTrueWithReason(
      RouteConditions.certificateProvisioned,
      'HTTPDowngrade',
      `Certificate ${name} is not ready downgrade HTTP.`,
    );
}

// ---------------------------------------------------------------------------------------------
// DomainMapping

/** DomainMapping condition types. */
export const DomainMappingConditions = {
  ready: READY,
  domainClaimed: 'DomainClaimed',
  referenceResolved: 'ReferenceResolved',
  ingressReady: 'IngressReady',
  certificateProvisioned: 'CertificateProvisioned',
} as const;

/** DomainMapping: Ready depends on IngressReady, ReferenceResolved, CertificateProvisioned, DomainClaimed. */
export const domainMappingConditionSet = conditionSet(READY, [
  DomainMappingConditions.ingressReady,
  DomainMappingConditions.referenceResolved,
  DomainMappingConditions.certificateProvisioned,
  DomainMappingConditions.domainClaimed,
]);

type DomainMappingStatus = NonNullable<DomainMapping['status']>;

/** Initialises a DomainMapping's conditions. */
export function initializeDomainMappingConditions(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet.manage(status, now).initializeConditions();
}

/** DomainClaimed True: a ClusterDomainClaim for this name belongs to our namespace. */
export function markDomainClaimed(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet.manage(status, now).markTrue(DomainMappingConditions.domainClaimed);
}

/** DomainClaimed False DomainAlreadyClaimed. */
export function markDomainClaimNotOwned(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markFalse(
      DomainMappingConditions.domainClaimed,
      'DomainAlreadyClaimed',
      'The domain name is already in use by another DomainMapping',
    );
}

/** DomainClaimed False DomainClaimFailed with the failure as message. */
export function markDomainClaimFailed(status: DomainMappingStatus, message: string, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markFalse(DomainMappingConditions.domainClaimed, 'DomainClaimFailed', message);
}

/** ReferenceResolved True. */
export function markReferenceResolved(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet.manage(status, now).markTrue(DomainMappingConditions.referenceResolved);
}

/** ReferenceResolved False ResolveFailed with the resolution error as message. */
export function markReferenceNotResolved(status: DomainMappingStatus, message: string, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markFalse(DomainMappingConditions.referenceResolved, 'ResolveFailed', message);
}

/** IngressReady Unknown IngressNotConfigured. */
export function markDomainMappingIngressNotConfigured(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markUnknown(
      DomainMappingConditions.ingressReady,
      'IngressNotConfigured',
      'Ingress has not yet been reconciled.',
    );
}

/** IngressReady True. */
export function markDomainMappingIngressReady(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet.manage(status, now).markTrue(DomainMappingConditions.ingressReady);
}

/** IngressReady from an ingress's Ready condition (missing → IngressNotConfigured). */
export function propagateDomainMappingIngressStatus(
  status: DomainMappingStatus,
  ingressReady: Condition | undefined,
  now?: Clock,
): void {
  if (!ingressReady) return markDomainMappingIngressNotConfigured(status, now);
  propagateReady(domainMappingConditionSet, status, DomainMappingConditions.ingressReady, ingressReady, now);
}

/** CertificateProvisioned True TLSNotEnabled (default message: external-domain-tls is not enabled). */
export function markDomainMappingTLSNotEnabled(
  status: DomainMappingStatus,
  message: string = TLSMessages.externalDomainTLSNotEnabled,
  now?: Clock,
): void {
  domainMappingConditionSet
    .manage(status, now)
    .markTrueWithReason(DomainMappingConditions.certificateProvisioned, 'TLSNotEnabled', message);
}

/** CertificateProvisioned True CertificateExternallyProvided (spec.tls.secretName set). */
export function markCertificateExternallyProvided(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markTrueWithReason(
      DomainMappingConditions.certificateProvisioned,
      'CertificateExternallyProvided',
      'TLS certificate was provided externally',
    );
}

/** CertificateProvisioned True: the mapping's Certificate is ready. */
export function markDomainMappingCertificateReady(status: DomainMappingStatus, now?: Clock): void {
  domainMappingConditionSet.manage(status, now).markTrue(DomainMappingConditions.certificateProvisioned);
}

/** CertificateProvisioned True HTTPDowngrade: not ready yet, served over http meanwhile. */
export function markDomainMappingHTTPDowngrade(status: DomainMappingStatus, name: string, now?: Clock): void {
  domainMappingConditionSet
    .manage(status, now)
    .markTrueWithReason(
      DomainMappingConditions.certificateProvisioned,
      'HTTPDowngrade',
      `Certificate ${name} is not ready downgrade HTTP.`,
    );
}

/** CertificateProvisioned Unknown CertificateNotReady. */
export function markDomainMappingCertificateNotReady(
  status: DomainMappingStatus,
  name: string,
  now?: Clock,
): void {
  domainMappingConditionSet
    .manage(status, now)
    .markUnknown(
      DomainMappingConditions.certificateProvisioned,
      'CertificateNotReady',
      `Certificate ${name} is not ready.`,
    );
}

/** CertificateProvisioned False CertificateProvisionFailed. */
export function markDomainMappingCertificateProvisionFailed(
  status: DomainMappingStatus,
  name: string,
  now?: Clock,
): void {
  domainMappingConditionSet
    .manage(status, now)
    .markFalse(
      DomainMappingConditions.certificateProvisioned,
      'CertificateProvisionFailed',
      `Certificate ${name} failed to be provisioned.`,
    );
}

/** CertificateProvisioned False CertificateNotOwned. */
export function markDomainMappingCertificateNotOwned(
  status: DomainMappingStatus,
  name: string,
  now?: Clock,
): void {
  domainMappingConditionSet
    .manage(status, now)
    .markFalse(
      DomainMappingConditions.certificateProvisioned,
      'CertificateNotOwned',
      `There is an existing certificate ${name} that we don't own.`,
    );
}

// ---------------------------------------------------------------------------------------------

/** Sets `obj[key] = value`, or removes the key when value is undefined (Go's omitempty). */
function setOrDelete<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value === undefined || value === '') delete obj[key];
  else obj[key] = value;
}
