/** apps Deployments and ReplicaSets: kube-apiserver's defaults; status is the controller's. */
import type { KubeObject } from '../../apis/types.js';
import type { Strategy } from '../strategy.js';

function defaultReplicas(obj: KubeObject): Record<string, any> {
  const o = obj as Record<string, any>;
  o.spec ??= {};
  o.spec.replicas ??= 1;
  return o;
}

function defaultDeployment(obj: KubeObject): void {
  const o = defaultReplicas(obj);
  o.spec.revisionHistoryLimit ??= 10;
  o.spec.progressDeadlineSeconds ??= 600;
  o.spec.strategy ??= {};
  o.spec.strategy.type ??= 'RollingUpdate';
  if (o.spec.strategy.type === 'RollingUpdate') {
    o.spec.strategy.rollingUpdate ??= {};
    o.spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    o.spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
}

export const deploymentStrategy: Strategy = {
  applyDefaults: defaultDeployment,
  prepareForCreate(obj) {
    defaultDeployment(obj);
    (obj as Record<string, unknown>).status = {};
  },
};

export const replicaSetStrategy: Strategy = {
  applyDefaults: defaultReplicas,
  prepareForCreate(obj) {
    defaultReplicas(obj);
    (obj as Record<string, unknown>).status = {};
  },
};
