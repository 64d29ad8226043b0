/**
 * Revision conditions and transitions, ported from Knative Serving's
 * `pkg/apis/serving/v1/revision_lifecycle.go` and the Deployment status transform of
 * `pkg/apis/serving/k8s_lifecycle.go`. Reasons and messages are Knative's, verbatim.
 *
 * Every helper is a pure transition over a plain status object (mutated in place): the reconciler
 * uses them to write status, the CLI's describe/wait to read it with the same vocabulary.
 */
import { READY, conditionSet, getCondition, type Clock } from '../conditions.js';
import type { Deployment, KnStatus, Revision } from '../types.js';
import { resourceNotOwnedMessage, propagateReady } from './shared.js';

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
