/**
 * Service reconciler (pkg/reconciler/service): a Service owns a Configuration and a Route of its own
 * name, keeps them in line with its spec, and reflects their status.
 */
import {
  initializeServiceConditions,
  markConfigurationNotOwned,
  markConfigurationNotReconciled,
  markRevisionNameTaken,
  markRouteNotOwned,
  markRouteNotReconciled,
  markRouteNotYetReady,
  propagateConfigurationStatus,
  propagateRouteStatus,
  serviceConditionSet,
  ServiceConditions,
} from '../../apis/lifecycle/service.js';
import { getCondition } from '../../apis/conditions.js';
import type { Configuration, KubeObject, Route, Service, TrafficTarget } from '../../apis/types.js';
import { checkNameAvailability } from '../configuration/byo-name.js';
import { isControlledBy } from '../../apis/owner.js';
import { type ReconcilerDeps } from '../context.js';
import { defaultServiceSpec, defaultTraffic } from '../defaults.js';
import type { KindReconciler } from '../framework/driver.js';
import { semanticEqual } from '../framework/equality.js';
import { Kinds, type Kind } from '../../kube/kinds.js';
import { markNewObservedGeneration } from '../status.js';
import { makeConfiguration } from './resources/configuration.js';
import { makeRoute } from './resources/route.js';

/** Builds the Service reconciler. */
export function serviceReconciler(deps: ReconcilerDeps): KindReconciler<Service> {
  const { listers, client, recorder } = deps;
  const now = () => deps.now();

  /** Creates a child the Service owns, recording Knative's Created / CreationFailed events. */
  async function createChild<T extends KubeObject>(
    svc: Service,
    kind: Kind,
    label: string,
    desired: T,
  ): Promise<T> {
    const name = desired.metadata.name;
    try {
      const created = (await client.create(kind, desired)) as T;
      recorder.event(svc, 'Normal', 'Created', `Created ${label} "${name}"`);
      return created;
    } catch (err) {
      recorder.event(
        svc,
        'Warning',
        'CreationFailed',
        `Failed to create ${label} "${name}": ${(err as Error).message}`,
      );
      throw new Error(`failed to create ${label}: ${(err as Error).message}`);
    }
  }

  /** Gets, creates or clobbers the Configuration; undefined when another owner holds the name. */
  async function reconcileConfiguration(svc: Service): Promise<Configuration> {
    const name = svc.metadata.name!;
    const existing = listers.configurations.get(svc.metadata.namespace, name);
    if (!existing) return createChild(svc, Kinds.configuration, 'Configuration', makeConfiguration(svc));
    if (!isControlledBy(existing, svc)) {
      markConfigurationNotOwned(svc.status!, name, now);
      throw new Error(`service: "${name}" does not own configuration: "${name}"`);
    }
    const desired = makeConfiguration(svc, existing);
    const have = structuredClone(existing);
    // Compare against the existing copy with current defaults applied, as Knative does.
    defaultServiceSpec({ template: have.spec.template });
    if (sameMeta(have, desired) && semanticEqual(have.spec, desired.spec)) return existing;
    // "Clobbering": overwrite spec, labels and annotations, keep everything else.
    const update = { ...structuredClone(existing), spec: desired.spec };
    update.metadata.labels = desired.metadata.labels;
    update.metadata.annotations = desired.metadata.annotations;
    return client.replace(Kinds.configuration, update);
  }

  async function reconcileRoute(svc: Service): Promise<Route> {
    const name = svc.metadata.name!;
    const existing = listers.routes.get(svc.metadata.namespace, name);
    if (!existing) return createChild(svc, Kinds.route, 'Route', makeRoute(svc));
    if (!isControlledBy(existing, svc)) {
      markRouteNotOwned(svc.status!, name, now);
      throw new Error(`service: "${name}" does not own route: "${name}"`);
    }
    const desired = makeRoute(svc);
    const have = structuredClone(existing);
    defaultTraffic(have.spec.traffic);
    if (sameMeta(have, desired) && semanticEqual(have.spec, desired.spec)) return existing;
    const update = { ...structuredClone(existing), spec: desired.spec };
    update.metadata.labels = desired.metadata.labels;
    update.metadata.annotations = desired.metadata.annotations;
    return client.replace(Kinds.route, update);
  }

  /** RoutesReady True but the Route's traffic doesn't yet point at the latest ready revision. */
  function checkRoutesNotReady(svc: Service, config: Configuration, route: Route): void {
    if (getCondition(svc.status, ServiceConditions.routesReady)?.status !== 'True') return;
    const want = route.spec.traffic ?? [];
    const got = route.status?.traffic ?? [];
    if (want.length !== got.length) return markRouteNotYetReady(svc.status!, now);
    const normalise = (t: TrafficTarget): TrafficTarget => {
      const { url: _u, latestRevision: _l, ...rest } = t;
      if (rest.configurationName === config.metadata.name) {
        rest.revisionName = config.status?.latestReadyRevisionName;
        delete rest.configurationName;
      }
      return rest;
    };
    if (!semanticEqual(got.map(normalise), want.map(normalise))) markRouteNotYetReady(svc.status!, now);
  }

  return {
    kind: Kinds.service,
    setDefaults: (svc) => defaultServiceSpec(svc.spec),
    initializeStatus: (svc) => {
      initializeServiceConditions(svc.status!, now);
      markNewObservedGeneration(serviceConditionSet, svc, now);
    },
    async reconcileKind(svc) {
      const config = await reconcileConfiguration(svc);
      if (config.metadata.generation !== config.status?.observedGeneration) {
        markConfigurationNotReconciled(svc.status!, now);
        // BYO revision names serialise Configuration then Route: wait until the Configuration caught up.
        if (config.spec.template?.metadata?.name) return;
      } else {
        propagateConfigurationStatus(svc.status!, config.status ?? {}, now);
      }

      // Never point the Route at a pre-existing Revision someone else owns under the BYO name.
      const availability = checkNameAvailability(config, listers.revisions);
      if (availability.state === 'taken') {
        markRevisionNameTaken(svc.status!, config.spec.template.metadata!.name!, now);
        return;
      }

      const route = await reconcileRoute(svc);
      if (route.metadata.generation !== route.status?.observedGeneration) {
        markRouteNotReconciled(svc.status!, now);
      } else {
        propagateRouteStatus(svc.status!, route.status ?? {}, now);
      }
      checkRoutesNotReady(svc, config, route);
    },
  };
}

function sameMeta(have: KubeObject, want: KubeObject): boolean {
  return (
    semanticEqual(have.metadata.labels ?? {}, want.metadata.labels ?? {}) &&
    semanticEqual(have.metadata.annotations ?? {}, want.metadata.annotations ?? {})
  );
}
