/** core Services: kube-apiserver's defaults; a new Service has an empty load balancer status. */
import type { KubeObject } from '../../apis/types.js';
import type { Strategy } from '../strategy.js';

function defaultService(obj: KubeObject): void {
  const o = obj as Record<string, any>;
  o.spec ??= {};
  o.spec.type ??= 'ClusterIP';
  o.spec.sessionAffinity ??= 'None';
  for (const p of o.spec.ports ?? []) {
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  }
}

export const serviceStrategy: Strategy = {
  applyDefaults: defaultService,
  prepareForCreate(obj) {
    defaultService(obj);
    (obj as Record<string, any>).status ??= { loadBalancer: {} };
  },
};
