/**
 * Lifecycle helpers every kind shares: Knative's quoting and not-owned message, copying a child's
 * Ready onto a parent's condition, Go's omitempty. The condition-set machinery itself is
 * `../conditions.ts`.
 */
import { type Clock, type ConditionSet } from '../conditions.js';
import type { Condition, KnStatus } from '../types.js';

/** Go's `%q` for the plain strings Knative quotes in its messages. */
export function q(s: string): string {
  return JSON.stringify(s);
}

/** Knative's "There is an existing %s %q that we do not own." (`ResourceNotOwnedMessage`). */
export function resourceNotOwnedMessage(kind: string, name: string): string {
  return `There is an existing ${kind} ${q(name)} that we do not own.`;
}

/** Copies a child's Ready condition onto `type` of `status` with the same status/reason/message. */
export function propagateReady(
  set: ConditionSet,
  status: KnStatus,
  type: string,
  child: Condition,
  now?: Clock,
) {
  const m = set.manage(status, now);
  if (child.status === 'True') m.markTrue(type);
  else if (child.status === 'False') m.markFalse(type, child.reason ?? '', child.message ?? '');
  else m.markUnknown(type, child.reason ?? '', child.message ?? '');
}

/** Sets `obj[key] = value`, or removes the key when value is undefined (Go's omitempty). */
export function setOrDelete<T extends object, K extends keyof T>(
  obj: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value === undefined || value === '') delete obj[key];
  else obj[key] = value;
}
