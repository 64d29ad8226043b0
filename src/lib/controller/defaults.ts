/**
 * The subset of Knative's webhook defaulting the reconcilers rely on, applied in memory before
 * `reconcileKind` (genreconciler calls SetDefaults too): on a cluster without knlite's admission the
 * stored objects may lack them. Idempotent; never written back.
 */
import { DEFAULT_CONTAINER_NAME } from '../apis/keys.js';
import type { ConfigurationSpec, RevisionSpec, RouteSpec, TrafficTarget } from '../apis/types.js';

/** Route/Service traffic defaults: latestRevision = (no revisionName), percent = 0. */
export function defaultTraffic(traffic: TrafficTarget[] | undefined): void {
  for (const t of traffic ?? []) {
    t.latestRevision ??= !t.revisionName;
    t.percent ??= 0;
  }
}

/** Container names (`user-container`, or `user-container-<i>` with several). */
export function defaultRevisionSpec(spec: RevisionSpec | undefined): void {
  if (!spec?.containers) return;
  const many = spec.containers.length > 1;
  spec.containers.forEach((c, i) => {
    if (!c.name) c.name = many ? `${DEFAULT_CONTAINER_NAME}-${i}` : DEFAULT_CONTAINER_NAME;
  });
}

/** Service defaults: empty traffic → 100% latest; per-target and template defaults. */
export function defaultServiceSpec(spec: ConfigurationSpec & RouteSpec): void {
  if (!spec.traffic || spec.traffic.length === 0) spec.traffic = [{ percent: 100, latestRevision: true }];
  defaultTraffic(spec.traffic);
  defaultRevisionSpec(spec.template?.spec);
}
