/**
 * Traffic resolution (pkg/reconciler/route/traffic): flattens a Route's spec.traffic onto concrete
 * Revisions, all or nothing. Any bad target yields a TargetError and the caller keeps the
 * previous status.traffic. Pure: reads only the listers it is given.
 */
import { getCondition, isReady, READY } from '../../../apis/conditions.js';
import { Labels } from '../../../apis/keys.js';
import {
  markConfigurationFailed,
  markConfigurationNotReady,
  markMissingTrafficTarget,
  markRevisionFailed,
  markRevisionNotOwned,
  markRevisionNotReady,
} from '../../../apis/lifecycle/route.js';
import type { Configuration, Revision, Route, RouteStatus, TrafficTarget } from '../../../apis/types.js';
import type { Lister } from '../../../kube/store.js';

/** A reason a target cannot be routed; `failure` errors override earlier non-failures. */
export interface TargetError {
  failure: boolean;
  describe: string;
  mark(status: RouteStatus, now?: () => Date): void;
}

const missing = (kind: 'Revision' | 'Configuration', name: string): TargetError => ({
  failure: true,
  describe: `${kind} "${name}" referenced in traffic not found.`,
  mark: (s, now) => markMissingTrafficTarget(s, kind, name, now),
});

const unreadyConfiguration = (config: Configuration): TargetError => {
  const failure = getCondition(config.status, READY)?.status === 'False';
  return {
    failure,
    describe: `Configuration "${config.metadata.name}" has no ready revision`,
    mark: (s, now) =>
      failure
        ? markConfigurationFailed(s, config.metadata.name!, now)
        : markConfigurationNotReady(s, config.metadata.name!, now),
  };
};

const unreadyRevision = (rev: Revision): TargetError => {
  const failure = getCondition(rev.status, READY)?.status === 'False';
  return {
    failure,
    describe: `Revision "${rev.metadata.name}" is not ready`,
    mark: (s, now) =>
      failure
        ? markRevisionFailed(s, rev.metadata.name!, now)
        : markRevisionNotReady(s, rev.metadata.name!, now),
  };
};

const notOwned = (rev: Revision, service: string): TargetError => ({
  failure: true,
  describe: `Revision "${rev.metadata.name}" does not belong to Service "${service}"`,
  mark: (s, now) =>
    markRevisionNotOwned(s, rev.metadata.name!, service, rev.metadata.labels?.[Labels.service], now),
});

/** A resolved target: the spec entry flattened onto a revision (configurationName kept for grouping). */
export interface RevisionTarget extends TrafficTarget {
  revisionName: string;
  percent: number;
}

/** The outcome of resolution: targets in spec order, or the error to report. */
export type TrafficResult =
  { targets: RevisionTarget[]; error?: undefined } | { targets?: undefined; error: TargetError };

/** Resolves `route.spec.traffic` against the caches (Knative's BuildTrafficConfiguration). */
export function resolveTraffic(
  route: Route,
  configurations: Lister<Configuration>,
  revisions: Lister<Revision>,
): TrafficResult {
  const ns = route.metadata.namespace;
  const owningService = route.metadata.labels?.[Labels.service];
  let deferred: TargetError | undefined;
  // The first error sticks unless a later one is a hard failure (traffic.go deferTargetError).
  const defer = (e: TargetError) => {
    if (!deferred || e.failure) deferred = e;
  };
  const flat: RevisionTarget[] = [];

  for (const tt of route.spec.traffic ?? []) {
    if (tt.revisionName) {
      const rev = revisions.get(ns, tt.revisionName);
      if (!rev) {
        defer(missing('Revision', tt.revisionName));
        continue;
      }
      if (owningService && rev.metadata.labels?.[Labels.service] !== owningService) {
        defer(notOwned(rev, owningService));
        continue;
      }
      if (!isReady(rev)) {
        defer(unreadyRevision(rev));
        continue;
      }
      const configName = rev.metadata.labels?.[Labels.configuration];
      if (configName && !configurations.get(ns, configName)) {
        defer(missing('Configuration', configName));
        continue;
      }
      flat.push({
        ...structuredClone(tt),
        configurationName: configName,
        revisionName: rev.metadata.name!,
        percent: tt.percent ?? 0,
      });
    } else if (tt.configurationName) {
      const config = configurations.get(ns, tt.configurationName);
      if (!config) {
        defer(missing('Configuration', tt.configurationName));
        continue;
      }
      const lrr = config.status?.latestReadyRevisionName;
      if (!lrr) {
        defer(unreadyConfiguration(config));
        continue;
      }
      const rev = revisions.get(ns, lrr);
      if (!rev) {
        defer(missing('Revision', lrr));
        continue;
      }
      flat.push({ ...structuredClone(tt), revisionName: rev.metadata.name!, percent: tt.percent ?? 0 });
    }
  }
  if (deferred) return { error: deferred };
  return { targets: mergeTargets(flat) };
}

/** Targets with the same (tag, revision, latestRevision) are merged with their percents added. */
export function mergeTargets(targets: RevisionTarget[]): RevisionTarget[] {
  const out: RevisionTarget[] = [];
  for (const t of targets) {
    const same = out.find(
      (o) =>
        (o.tag ?? '') === (t.tag ?? '') &&
        o.revisionName === t.revisionName &&
        !!o.latestRevision === !!t.latestRevision,
    );
    if (same) same.percent += t.percent;
    else out.push({ ...t });
  }
  return out;
}

/** status.traffic entries: tag, revisionName, latestRevision, percent (always), url only on tagged ones. */
export function makeStatusTraffic(
  targets: RevisionTarget[],
  tagUrl: (tag: string) => string,
): TrafficTarget[] {
  return targets.map((t) => {
    const out: TrafficTarget = {};
    if (t.tag) out.tag = t.tag;
    out.revisionName = t.revisionName;
    out.latestRevision = t.latestRevision ?? false;
    out.percent = t.percent;
    if (t.tag) out.url = tagUrl(t.tag);
    return out;
  });
}
