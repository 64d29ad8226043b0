/**
 * Which revisions a service's route sends traffic to, and under which tags: the index the revision
 * commands and printers read (TRAFFIC/TAGS columns, refusing to delete a revision still routed to).
 */
import type { Service, TrafficTarget } from './types.js';

/** The traffic one revision receives from its service's route (status.traffic). */
export interface RevisionTraffic {
  /** Sum of the percents of every target naming the revision. */
  percent: number;
  /** Tags of those targets, in traffic-block order. */
  tags: string[];
  /** The service whose route sends the traffic. */
  service: string;
}

/** Traffic by `namespace/revision`, gathered from services' status.traffic. */
export type TrafficIndex = Map<string, RevisionTraffic>;

/** Index key of a revision. */
export function trafficKey(namespace: string | undefined, revision: string): string {
  return `${namespace ?? ''}/${revision}`;
}

/**
 * Builds the traffic index from services: status.traffic is what the route actually does (latest
 * targets carry the resolved revision name there); spec.traffic tags of revisions not yet in the
 * status are added so a tag-only reference is still seen.
 */
export function indexTraffic(services: Service[]): TrafficIndex {
  const index: TrafficIndex = new Map();
  const add = (svc: Service, t: TrafficTarget, countPercent: boolean): void => {
    const rev = t.revisionName ?? (t.latestRevision ? svc.status?.latestReadyRevisionName : undefined);
    if (!rev) return;
    const key = trafficKey(svc.metadata.namespace, rev);
    const entry = index.get(key) ?? { percent: 0, tags: [], service: svc.metadata.name ?? '' };
    if (countPercent) entry.percent += t.percent ?? 0;
    if (t.tag && !entry.tags.includes(t.tag)) entry.tags.push(t.tag);
    index.set(key, entry);
  };
  for (const svc of services) {
    for (const t of svc.status?.traffic ?? []) add(svc, t, true);
    for (const t of svc.spec.traffic ?? []) add(svc, t, false);
  }
  return index;
}
