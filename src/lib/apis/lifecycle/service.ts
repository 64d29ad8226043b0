/**
 * Service conditions and transitions, ported from Knative Serving's
 * `pkg/apis/serving/v1/service_lifecycle.go`. Reasons and messages are Knative's, verbatim.
 *
 * Every helper is a pure transition over a plain status object (mutated in place): the reconciler
 * uses them to write status, the CLI's describe/wait to read it with the same vocabulary.
 */
import { READY, conditionSet, getCondition, type Clock } from '../conditions.js';
import type { ConfigurationStatus, RouteStatus } from '../types.js';
import { q, resourceNotOwnedMessage, propagateReady, setOrDelete } from './shared.js';

/** Service condition types. */
export const ServiceConditions = {
  ready: READY,
  configurationsReady: 'ConfigurationsReady',
  routesReady: 'RoutesReady',
} as const;

/** Service: Ready depends on ConfigurationsReady and RoutesReady. */
export const serviceConditionSet = conditionSet(READY, [
  ServiceConditions.configurationsReady,
  ServiceConditions.routesReady,
]);

type ServiceStatus = ConfigurationStatus & RouteStatus;

/** Initialises a Service's conditions (Ready and dependents Unknown). */
export function initializeServiceConditions(status: ServiceStatus, now?: Clock): void {
  serviceConditionSet.manage(status, now).initializeConditions();
}

/** Copies latestCreated/latestReady from the Configuration and maps its Ready to ConfigurationsReady. */
export function propagateConfigurationStatus(
  status: ServiceStatus,
  cs: ConfigurationStatus,
  now?: Clock,
): void {
  setOrDelete(status, 'latestCreatedRevisionName', cs.latestCreatedRevisionName);
  setOrDelete(status, 'latestReadyRevisionName', cs.latestReadyRevisionName);
  const ready = getCondition(cs, READY);
  if (ready) propagateReady(serviceConditionSet, status, ServiceConditions.configurationsReady, ready, now);
}

/** Copies url/address/traffic from the Route and maps its Ready to RoutesReady. */
export function propagateRouteStatus(status: ServiceStatus, rs: RouteStatus, now?: Clock): void {
  setOrDelete(status, 'url', rs.url);
  setOrDelete(status, 'address', rs.address ? structuredClone(rs.address) : undefined);
  setOrDelete(status, 'traffic', rs.traffic ? structuredClone(rs.traffic) : undefined);
  const ready = getCondition(rs, READY);
  if (ready) propagateReady(serviceConditionSet, status, ServiceConditions.routesReady, ready, now);
}

/** ConfigurationsReady False NotOwned: a Configuration of that name exists and is not ours. */
export function markConfigurationNotOwned(status: ServiceStatus, name: string, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markFalse(
      ServiceConditions.configurationsReady,
      'NotOwned',
      resourceNotOwnedMessage('Configuration', name),
    );
}

/** RoutesReady False NotOwned: a Route of that name exists and is not ours. */
export function markRouteNotOwned(status: ServiceStatus, name: string, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markFalse(ServiceConditions.routesReady, 'NotOwned', resourceNotOwnedMessage('Route', name));
}

/** ConfigurationsReady Unknown OutOfDate: the Configuration hasn't observed its latest generation. */
export function markConfigurationNotReconciled(status: ServiceStatus, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markUnknown(
      ServiceConditions.configurationsReady,
      'OutOfDate',
      'The Configuration is still working to reflect the latest desired specification.',
    );
}

/** RoutesReady Unknown OutOfDate: the Route hasn't observed its latest generation. */
export function markRouteNotReconciled(status: ServiceStatus, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markUnknown(
      ServiceConditions.routesReady,
      'OutOfDate',
      'The Route is still working to reflect the latest desired specification.',
    );
}

/** RoutesReady Unknown TrafficNotMigrated (Knative's MarkRouteNotYetReady). */
export function markRouteNotYetReady(status: ServiceStatus, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markUnknown(
      ServiceConditions.routesReady,
      'TrafficNotMigrated',
      'Traffic is not yet migrated to the latest revision.',
    );
}

/** RoutesReady False RevisionNameTaken: a BYO revision name belongs to a conflicting Revision. */
export function markRevisionNameTaken(status: ServiceStatus, name: string, now?: Clock): void {
  serviceConditionSet
    .manage(status, now)
    .markFalse(
      ServiceConditions.routesReady,
      'RevisionNameTaken',
      `The revision name ${q(name)} is taken by a conflicting Revision, so traffic will not be migrated`,
    );
}
