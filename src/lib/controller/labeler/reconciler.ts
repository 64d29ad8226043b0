/**
 * Labeler (pkg/reconciler/labeler): keeps the `serving.knative.dev/routes` annotation on the
 * Configurations and Revisions a Route sends traffic to, and the Revisions' `routingState` label
 * (pending → active → reserve) with `routingStateModified`. It never touches Route status; its
 * finalizer removes the Route from everything it marked.
 */
import { isFailed, isReady } from '../../apis/conditions.js';
import { Annotations, Finalizers, Labels, RoutingState } from '../../apis/keys.js';
import type { Configuration, KubeObject, Revision, Route } from '../../apis/types.js';
import { controllerOf } from '../../apis/owner.js';
import { Index, type ReconcilerDeps } from '../context.js';
import type { KindReconciler } from '../framework/driver.js';
import { Kinds, type Kind } from '../../kube/kinds.js';
import { isNotFound } from '../../kube/errors.js';
import { routesList } from '../service/resources/configuration.js';

/** The Configurations and Revisions a Route references (spec ∪ status; latestCreated for latest targets). */
export function referencedBy(
  route: Route,
  deps: Pick<ReconcilerDeps, 'listers'>,
): { configurations: Set<string>; revisions: Set<string> } {
  const { configurations, revisions } = deps.listers;
  const ns = route.metadata.namespace;
  const cfgs = new Set<string>();
  const revs = new Set<string>();
  for (const tt of [...(route.status?.traffic ?? []), ...(route.spec.traffic ?? [])]) {
    if (tt.revisionName) {
      const rev = revisions.get(ns, tt.revisionName);
      if (!rev) continue;
      revs.add(rev.metadata.name!);
      const owner = controllerOf(rev);
      if (owner?.kind === 'Configuration' && configurations.get(ns, owner.name)) cfgs.add(owner.name);
    } else if (tt.configurationName) {
      const config = configurations.get(ns, tt.configurationName);
      if (!config) continue;
      cfgs.add(config.metadata.name!);
      // The latest created revision is routed as soon as it is ready: mark it active up front.
      const lcr = config.status?.latestCreatedRevisionName;
      if (lcr && revisions.get(ns, lcr)) revs.add(lcr);
    }
  }
  return { configurations: cfgs, revisions: revs };
}

const routeNames = (obj: KubeObject): string[] =>
  (obj.metadata.annotations?.[Annotations.routes] ?? '').split(',').filter(Boolean);

/** RFC 3339 UTC without fractional seconds, as Knative writes routingStateModified. */
const stamp = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Builds the labeler (a second reconciler on Routes). */
export function labelerReconciler(deps: ReconcilerDeps): KindReconciler<Route> {
  const { listers, client } = deps;

  /** Merge-patches the routes annotation (and, for revisions, routingState) if they change. */
  async function sync(
    kind: Kind,
    obj: Revision | Configuration,
    routes: string[],
    isRevision: boolean,
  ): Promise<void> {
    const current = routeNames(obj).sort().join(',');
    const next = routesList(...routes);
    const annotations: Record<string, string | null> = {};
    const labels: Record<string, string | null> = {};
    if (current !== next) annotations[Annotations.routes] = next || null;
    if (isRevision) {
      const state = next ? RoutingState.active : RoutingState.reserve;
      if (obj.metadata.labels?.[Labels.routingState] !== state) {
        labels[Labels.routingState] = state;
        annotations[Annotations.routingStateModified] = stamp(deps.now());
      }
    }
    if (Object.keys(annotations).length === 0 && Object.keys(labels).length === 0) return;
    const metadata: Record<string, unknown> = {};
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    if (Object.keys(labels).length) metadata.labels = labels;
    try {
      await client.patch(kind, obj.metadata.namespace, obj.metadata.name!, { metadata });
    } catch (err) {
      if (!isNotFound(err)) throw err; // gone meanwhile: nothing to label
    }
  }

  /** Removes `route` from everything that lists it but is not in `keep`. */
  async function clearNotListed(
    route: Route,
    keep: { configurations: Set<string>; revisions: Set<string> },
  ): Promise<void> {
    const name = route.metadata.name!;
    const key = `${route.metadata.namespace}/${name}`;
    for (const rev of listers.revisions.byIndex(Index.byRoute, key)) {
      if (keep.revisions.has(rev.metadata.name!)) continue;
      await sync(
        Kinds.revision,
        rev,
        routeNames(rev).filter((r) => r !== name),
        true,
      );
    }
    for (const config of listers.configurations.byIndex(Index.byRoute, key)) {
      if (keep.configurations.has(config.metadata.name!)) continue;
      await sync(
        Kinds.configuration,
        config,
        routeNames(config).filter((r) => r !== name),
        false,
      );
    }
  }

  return {
    kind: Kinds.route,
    finalizer: Finalizers.route,
    writesStatus: false,
    async reconcileKind(route) {
      const refs = referencedBy(route, deps);
      const name = route.metadata.name!;
      const ns = route.metadata.namespace;
      for (const c of [...refs.configurations].sort()) {
        const config = listers.configurations.get(ns, c)!;
        await sync(Kinds.configuration, config, [...routeNames(config), name], false);
      }
      for (const r of [...refs.revisions].sort()) {
        const rev = listers.revisions.get(ns, r)!;
        await sync(Kinds.revision, rev, [...routeNames(rev), name], true);
      }
      // Only drop routing once the Route has settled, so traffic in flight keeps its revisions active.
      if (isReady(route) || isFailed(route)) await clearNotListed(route, refs);
    },
    async finalizeKind(route) {
      await clearNotListed(route, { configurations: new Set(), revisions: new Set() });
    },
  };
}
