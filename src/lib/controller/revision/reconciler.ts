/**
 * Revision reconciler (pkg/reconciler/revision): ensures `<rev>-deployment` and the Service `<rev>`,
 * then maps Deployment and Pod state onto ResourcesAvailable / ContainerHealthy / Active.
 * There is no PodAutoscaler: "scale target initialised" is ready pods > 0 (or an initial scale of 0),
 * and once initialised a revision scaled to zero stays Ready.
 */
import { getCondition } from '../../apis/conditions.js';
import { parseGoDuration } from '../../apis/durations.js';
import { Annotations } from '../../apis/keys.js';
import {
  initializeRevisionConditions,
  markContainerExiting,
  markContainerHealthyFalse,
  markContainerHealthyTrue,
  markDeploying,
  markResourceNotOwned,
  markResourcesAvailableFalse,
  markResourcesAvailableTrue,
  propagateDeploymentStatus,
  propagateReplicaStatus,
  revisionConditionSet,
  RevisionConditions,
  RevisionReasons,
} from '../../apis/lifecycle/revision.js';
import type { Deployment, KubeService, Revision } from '../../apis/types.js';
import { isControlledBy } from '../../apis/owner.js';
import { Index, type ReconcilerDeps } from '../context.js';
import type { KindReconciler } from '../framework/driver.js';
import { isSubset } from '../framework/equality.js';
import { Kinds } from '../../kube/kinds.js';
import { markNewObservedGeneration } from '../status.js';
import { makeDeployment, servingContainer, type DeploymentParams } from './resources/deployment.js';
import { deploymentName, kubeServiceName } from './resources/names.js';
import { makeKubeService } from './resources/service.js';

const LEGACY_INITIAL_SCALE = 'autoscaling.knative.dev/initialScale';
const LEGACY_MIN_SCALE = 'autoscaling.knative.dev/minScale';

/** Initial replicas and progress deadline for a revision under the current config. */
export function deploymentParams(rev: Revision, deps: ReconcilerDeps): DeploymentParams {
  const cfg = deps.config();
  const ann = rev.metadata.annotations ?? {};
  let initial = cfg.autoscaler.initialScale;
  const annInitial = parseInt(ann[Annotations.initialScale] ?? ann[LEGACY_INITIAL_SCALE] ?? '', 10);
  // An initial scale of 0 is only honoured when config-autoscaler allows it.
  if (!Number.isNaN(annInitial) && (annInitial > 0 || cfg.autoscaler.allowZeroInitialScale))
    initial = annInitial;
  const minScale = parseInt(ann[Annotations.minScale] ?? ann[LEGACY_MIN_SCALE] ?? '', 10);
  if (!Number.isNaN(minScale) && minScale > initial) initial = minScale;
  const annDeadline = parseGoDuration(ann[Annotations.progressDeadline] ?? '');
  const deadline = Math.round(
    (annDeadline !== undefined && annDeadline > 0 ? annDeadline : cfg.deployment.progressDeadline) / 1000,
  );
  return { initialReplicas: initial, progressDeadlineSeconds: deadline };
}

/** Builds the Revision reconciler. */
export function revisionReconciler(deps: ReconcilerDeps): KindReconciler<Revision> {
  const { listers, client } = deps;
  const now = () => deps.now();

  async function reconcileDeployment(
    rev: Revision,
    params: DeploymentParams,
  ): Promise<Deployment | undefined> {
    const name = deploymentName(rev);
    const have = listers.deployments.get(rev.metadata.namespace, name);
    if (!have) {
      markDeploying(rev.status!, now);
      await client.create(Kinds.deployment, makeDeployment(rev, params));
      return undefined;
    }
    if (!isControlledBy(have, rev)) {
      markResourceNotOwned(rev.status!, 'Deployment', name, now);
      throw new Error(`revision: "${rev.metadata.name}" does not own Deployment: "${name}"`);
    }
    const want = makeDeployment(rev, params);
    // The autoscaler owns replicas after creation; the selector is immutable.
    want.spec.replicas = have.spec.replicas;
    want.spec.selector = have.spec.selector;
    if (isSubset(want.spec, have.spec) && isSubset(want.metadata.labels, have.metadata.labels)) return have;
    const update = structuredClone(have);
    update.spec = want.spec;
    update.metadata.labels = { ...(have.metadata.labels ?? {}), ...want.metadata.labels };
    // Keep annotations other controllers own (e.g. deployment.kubernetes.io/revision).
    update.metadata.annotations = { ...(have.metadata.annotations ?? {}), ...want.metadata.annotations };
    return client.replace(Kinds.deployment, update);
  }

  async function reconcileKubeService(rev: Revision): Promise<void> {
    const name = kubeServiceName(rev);
    const have = listers.kubeServices.get(rev.metadata.namespace, name);
    const want = makeKubeService(rev);
    if (!have) {
      await client.create(Kinds.kubeService, want);
      return;
    }
    if (!isControlledBy(have, rev)) {
      markResourceNotOwned(rev.status!, 'Service', name, now);
      throw new Error(`revision: "${rev.metadata.name}" does not own Service: "${name}"`);
    }
    if (isSubset(want.spec, have.spec) && isSubset(want.metadata.labels, have.metadata.labels)) return;
    const update: KubeService = structuredClone(have);
    update.spec = { ...have.spec, selector: want.spec.selector, ports: want.spec.ports };
    update.metadata.labels = { ...(have.metadata.labels ?? {}), ...want.metadata.labels };
    await client.replace(Kinds.kubeService, update);
  }

  /** A container that keeps failing shows up on the pods before the Deployment gives up. */
  function checkPods(rev: Revision, deployment: Deployment): void {
    const pods = listers.pods
      .byIndex(Index.byRevision, `${rev.metadata.namespace}/${rev.metadata.name}`)
      .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    const pod = pods[0];
    if (!pod) return;
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False')
      markResourcesAvailableFalse(rev.status!, scheduled.reason ?? '', scheduled.message ?? '', now);
    // An init container that keeps failing holds the pod in Pending: say which one and why
    // (kubectl shows the pod as Init:Error, then Init:CrashLoopBackOff).
    for (const init of pod.status?.initContainerStatuses ?? []) {
      const failed = init.state?.terminated ?? init.lastState?.terminated;
      if (init.ready || !failed || failed.exitCode === 0) continue;
      const reason =
        init.state?.waiting?.reason === 'CrashLoopBackOff' ? 'Init:CrashLoopBackOff' : 'Init:Error';
      markContainerHealthyFalse(
        rev.status!,
        reason,
        `Init container ${JSON.stringify(init.name)} failed with exit code ${failed.exitCode}: ${failed.message ?? ''}`.trim(),
        now,
      );
      return;
    }
    const serving = servingContainer(rev)?.name;
    const cs =
      pod.status?.containerStatuses?.find((s) => s.name === serving) ?? pod.status?.containerStatuses?.[0];
    if (!cs) return;
    const terminated = cs.lastState?.terminated ?? cs.state?.terminated;
    if (terminated) {
      markContainerExiting(rev.status!, terminated.exitCode, terminated.message ?? '', now);
    } else if (cs.state?.waiting && hasTimedOut(deployment)) {
      markResourcesAvailableFalse(
        rev.status!,
        cs.state.waiting.reason ?? '',
        cs.state.waiting.message ?? '',
        now,
      );
    }
  }

  return {
    kind: Kinds.revision,
    initializeStatus: (rev) => {
      initializeRevisionConditions(rev.status!, now);
      markNewObservedGeneration(revisionConditionSet, rev, now);
    },
    async reconcileKind(rev) {
      // "Initialised" survives scale to zero: remember whether the containers were ever healthy.
      const wasInitialized = getCondition(rev.status, RevisionConditions.containerHealthy)?.status === 'True';
      const params = deploymentParams(rev, deps);
      const deployment = await reconcileDeployment(rev, params);
      await reconcileKubeService(rev);
      if (!deployment) return; // just created: Deploying until the runtime reports

      propagateDeploymentStatus(rev.status!, deployment, now);
      // The local runtime reports an image it cannot find on the Deployment; Knative's digest
      // resolution would have set it on ContainerHealthy.
      const missing = deployment.status?.conditions?.find(
        (c) =>
          c.type === 'ReplicaFailure' && c.status === 'True' && c.reason === RevisionReasons.containerMissing,
      );
      if (missing)
        markContainerHealthyFalse(rev.status!, RevisionReasons.containerMissing, missing.message ?? '', now);
      const desired = deployment.spec.replicas ?? 1;
      const ready = deployment.status?.readyReplicas ?? 0;
      if (desired > 0 && (deployment.status?.availableReplicas ?? 0) === 0) checkPods(rev, deployment);

      const initialized = wasInitialized || ready > 0 || (desired === 0 && params.initialReplicas === 0);
      const resourcesFailed =
        getCondition(rev.status, RevisionConditions.resourcesAvailable)?.status === 'False';
      if (initialized && !resourcesFailed) {
        markResourcesAvailableTrue(rev.status!, now);
        markContainerHealthyTrue(rev.status!, now);
      }
      propagateReplicaStatus(rev.status!, deployment, now);
    },
  };
}

function hasTimedOut(d: Deployment): boolean {
  return !!d.status?.conditions?.some(
    (c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
  );
}
