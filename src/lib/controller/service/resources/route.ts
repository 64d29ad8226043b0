/** Desired Route of a Service (Knative's `MakeRoute`). */
import { Labels, SERVING_V1 } from '../../../apis/keys.js';
import type { Route, Service } from '../../../apis/types.js';
import { controllerRef } from '../../../apis/owner.js';
import { LAST_APPLIED } from './configuration.js';

/**
 * The Route a Service wants: Service labels + service label (no UID), Service annotations minus
 * last-applied (rollout-duration kept), the Service's traffic with `configurationName=<svc>` on every
 * target that does not pin a revision; controlled by the Service.
 */
export function makeRoute(svc: Service): Route {
  const annotations = { ...(svc.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  const traffic = structuredClone(svc.spec.traffic ?? []).map((t) =>
    t.revisionName ? t : { ...t, configurationName: svc.metadata.name },
  );
  return {
    apiVersion: SERVING_V1,
    kind: 'Route',
    metadata: {
      name: svc.metadata.name,
      namespace: svc.metadata.namespace,
      labels: { ...(svc.metadata.labels ?? {}), [Labels.service]: svc.metadata.name! },
      annotations,
      ownerReferences: [controllerRef(svc, SERVING_V1, 'Service')],
    },
    spec: { traffic },
  };
}
