/** Which strategy serves a kind: one file per kind in this folder, looked up by group/resource. */
import type { Strategy } from '../strategy.js';
import type { ResourceType } from '../types.js';
import { customResourceStrategy } from './custom-resources.js';
import { crdStrategy } from './customresourcedefinitions.js';
import { deploymentStrategy, replicaSetStrategy } from './deployments.js';
import { namespaceStrategy } from './namespaces.js';
import { podStrategy } from './pods.js';
import { roleStrategies } from './rbac.js';
import { secretStrategy } from './secrets.js';
import { serviceStrategy } from './services.js';
import { persistentVolumeClaimStrategy, persistentVolumeStrategy } from './storage.js';

const NONE: Strategy = {};

const BUILTIN: Record<string, Strategy> = {
  '/namespaces': namespaceStrategy,
  '/pods': podStrategy,
  '/services': serviceStrategy,
  '/secrets': secretStrategy,
  '/persistentvolumeclaims': persistentVolumeClaimStrategy,
  '/persistentvolumes': persistentVolumeStrategy,
  'apps/deployments': deploymentStrategy,
  'apps/replicasets': replicaSetStrategy,
  'apiextensions.k8s.io/customresourcedefinitions': crdStrategy,
  ...roleStrategies,
};

/** The strategy of a kind: a custom resource's, a built-in kind's, or none. */
export function strategyFor(type: ResourceType): Strategy {
  if (type.crdName) return customResourceStrategy(type);
  return BUILTIN[`${type.group}/${type.resource}`] ?? NONE;
}
