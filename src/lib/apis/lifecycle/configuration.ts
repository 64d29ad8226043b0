/**
 * Configuration conditions and transitions, ported from Knative Serving's
 * `pkg/apis/serving/v1/configuration_lifecycle.go`. Reasons and messages are Knative's, verbatim.
 *
 * Every helper is a pure transition over a plain status object (mutated in place): the reconciler
 * uses them to write status, the CLI's describe/wait to read it with the same vocabulary.
 */
import { READY, conditionSet, type Clock } from '../conditions.js';
import type { ConfigurationStatus } from '../types.js';
import { q } from './shared.js';

/** Configuration: only Ready, no dependents. */
export const configurationConditionSet = conditionSet(READY, []);

/** Initialises a Configuration's Ready condition (Unknown). */
export function initializeConfigurationConditions(status: ConfigurationStatus, now?: Clock): void {
  configurationConditionSet.manage(status, now).initializeConditions();
}

/** Records the latest created revision; Ready goes Unknown (no reason) until it is also latest ready. */
export function setLatestCreatedRevisionName(status: ConfigurationStatus, name: string, now?: Clock): void {
  status.latestCreatedRevisionName = name;
  if (status.latestReadyRevisionName !== name) {
    configurationConditionSet.manage(status, now).markUnknown(READY, '', '');
  }
}

/** Records the latest ready revision; Ready goes True once it equals the latest created one. */
export function setLatestReadyRevisionName(status: ConfigurationStatus, name: string, now?: Clock): void {
  status.latestReadyRevisionName = name;
  if (status.latestReadyRevisionName === status.latestCreatedRevisionName) {
    configurationConditionSet.manage(status, now).markTrue(READY);
  }
}

/** Ready False RevisionFailed: the latest created revision failed with its Ready message. */
export function markLatestCreatedFailed(
  status: ConfigurationStatus,
  name: string,
  message: string,
  now?: Clock,
): void {
  configurationConditionSet
    .manage(status, now)
    .markFalse(READY, 'RevisionFailed', `Revision ${q(name)} failed with message: ${message}.`);
}

/** Ready False RevisionFailed: creating the revision failed. */
export function markRevisionCreationFailed(status: ConfigurationStatus, message: string, now?: Clock): void {
  configurationConditionSet
    .manage(status, now)
    .markFalse(READY, 'RevisionFailed', `Revision creation failed with message: ${message}.`);
}

/** Ready False RevisionDeleted: the latest ready revision was deleted. */
export function markLatestReadyDeleted(status: ConfigurationStatus, now?: Clock): void {
  configurationConditionSet
    .manage(status, now)
    .markFalse(READY, 'RevisionDeleted', `Revision ${q(status.latestReadyRevisionName ?? '')} was deleted.`);
}
