/** Desired Configuration of a Service (Knative's `MakeConfigurationFromExisting`). */
import { Annotations, Labels, SERVING_V1 } from '../../../apis/keys.js';
import type { Configuration, Service } from '../../../apis/types.js';
import { controllerRef } from '../../../apis/owner.js';

/** Annotation kubectl apply leaves behind; never copied to children. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Legacy spelling of the rollout-duration annotation. */
const ROLLOUT_DURATION_LEGACY = 'serving.knative.dev/rolloutDuration';

/** Sorted, de-duplicated comma list (the routes annotation format). */
export function routesList(...lists: (string | undefined)[]): string {
  const names = new Set<string>();
  for (const l of lists) for (const n of (l ?? '').split(',')) if (n.trim()) names.add(n.trim());
  return [...names].sort().join(',');
}

/**
 * The Configuration a Service wants: Service labels + service/serviceUID; Service annotations minus
 * last-applied and rollout-duration, plus the routes annotation (existing ∪ {service}); spec =
 * the Service's template; controlled by the Service.
 */
export function makeConfiguration(svc: Service, existing?: Configuration): Configuration {
  const annotations = { ...(svc.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  delete annotations[Annotations.rolloutDuration];
  delete annotations[ROLLOUT_DURATION_LEGACY];
  annotations[Annotations.routes] = routesList(
    existing?.metadata.annotations?.[Annotations.routes],
    svc.metadata.name,
  );
  return {
    apiVersion: SERVING_V1,
    kind: 'Configuration',
    metadata: {
      name: svc.metadata.name,
      namespace: svc.metadata.namespace,
      labels: {
        ...(svc.metadata.labels ?? {}),
        [Labels.service]: svc.metadata.name!,
        [Labels.serviceUID]: svc.metadata.uid!,
      },
      annotations,
      ownerReferences: [controllerRef(svc, SERVING_V1, 'Service')],
    },
    spec: { template: structuredClone(svc.spec.template) },
  };
}
