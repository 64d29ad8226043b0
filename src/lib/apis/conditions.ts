/**
 * Condition algebra, a faithful port of knative.dev/pkg `apis/condition_set.go`.
 *
 * A condition set has one "happy" condition (`Ready`) and a list of dependents. Dependents have
 * severity Error (serialised as an absent `severity`) and drive the happy condition; any other
 * condition (e.g. a Revision's `Active`) has severity `Info` and never affects Ready.
 * Conditions are kept sorted by type, and `lastTransitionTime` only moves when a condition's
 * content (status, reason, message, severity) changes.
 */
import type { Condition, KnStatus, KubeObject } from './types.js';

/** The top-level condition type of every Knative "living" condition set. */
export const READY = 'Ready';

type Status = Condition['status'];

/** A clock; injectable so tests get deterministic `lastTransitionTime`s. */
export type Clock = () => Date;

/**
 * Go keeps transition times in memory at nanosecond precision, so within one reconcile "the most
 * recently transitioned dependent" is well defined even when the serialised (second precision)
 * timestamps tie. We emulate that with a global sequence stamped on every condition object we
 * create; it is only consulted when two timestamps are equal.
 */
const setOrder = new WeakMap<Condition, number>();
let sequence = 0;

/** Formats a time like metav1.Time: RFC 3339, UTC, whole seconds. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Manages the conditions of one status object (apis.ConditionManager). */
export interface ConditionManager {
  /** Adds the happy condition (Unknown) and every missing dependent (True if Ready is True, else Unknown). */
  initializeConditions(): void;
  /** Sets `type` True (no reason) and recomputes the happy condition. */
  markTrue(type: string): void;
  /** Sets `type` True with a reason and message and recomputes the happy condition. */
  markTrueWithReason(type: string, reason: string, message: string): void;
  /** Sets `type` Unknown; the happy condition becomes Unknown too unless a dependent is False. */
  markUnknown(type: string, reason: string, message: string): void;
  /** Sets `type` False; a dependent also makes the happy condition False with the same reason. */
  markFalse(type: string, reason: string, message: string): void;
  /** Returns the condition of `type`, if present. */
  getCondition(type: string): Condition | undefined;
  /** Whether the happy condition is True. */
  isHappy(): boolean;
  /** Removes a non-terminal condition (Knative refuses to clear Ready or a dependent). */
  clearCondition(type: string): void;
  /** Writes `cond` as-is (with severity filled in), only touching lastTransitionTime on change. */
  setCondition(cond: Condition): void;
}

/** A set of condition types with one happy condition (apis.ConditionSet). */
export interface ConditionSet {
  readonly happy: string;
  readonly dependents: readonly string[];
  /** Returns a manager that reads and writes `status.conditions` in place. */
  manage(status: KnStatus, now?: Clock): ConditionManager;
}

/** Builds a condition set: `conditionSet('Ready', ['ConfigurationsReady', 'RoutesReady'])`. */
export function conditionSet(happy: string, deps: string[]): ConditionSet {
  const dependents = [...deps];
  return {
    happy,
    dependents,
    manage: (status, now = () => new Date()) => new Manager(happy, dependents, status, now),
  };
}

class Manager implements ConditionManager {
  constructor(
    private readonly happy: string,
    private readonly dependents: readonly string[],
    private readonly status: KnStatus,
    private readonly now: Clock,
  ) {}

  private isTerminal(type: string): boolean {
    return type === this.happy || this.dependents.includes(type);
  }

  private severity(type: string): Condition['severity'] {
    return this.isTerminal(type) ? '' : 'Info';
  }

  /** Builds a condition the way Go serialises it: empty reason/message/severity omitted. */
  private make(type: string, status: Status, reason = '', message = ''): Condition {
    const cond: Condition = { type, status };
    const severity = this.severity(type);
    if (severity) cond.severity = severity;
    if (reason) cond.reason = reason;
    if (message) cond.message = message;
    return cond;
  }

  getCondition(type: string): Condition | undefined {
    return this.status.conditions?.find((c) => c.type === type);
  }

  isHappy(): boolean {
    return this.getCondition(this.happy)?.status === 'True';
  }

  setCondition(cond: Condition): void {
    const next: Condition = normalise({ ...cond, severity: cond.severity ?? this.severity(cond.type) });
    const others: Condition[] = [];
    for (const c of this.status.conditions ?? []) {
      if (c.type !== next.type) {
        others.push(c);
      } else if (sameContent(c, next)) {
        // Only the transition time would change: leave the condition (and its time) alone.
        return;
      }
    }
    next.lastTransitionTime = formatTime(this.now());
    setOrder.set(next, ++sequence);
    others.push(next);
    // Sorted by type for the convenience of consumers (kubectl, kn describe).
    others.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
    this.status.conditions = others;
  }

  clearCondition(type: string): void {
    // Terminal conditions can't be cleared (Knative returns an error; we ignore the request).
    if (this.isTerminal(type) || !this.getCondition(type)) return;
    this.status.conditions = (this.status.conditions ?? []).filter((c) => c.type !== type);
  }

  markTrue(type: string): void {
    this.setCondition(this.make(type, 'True'));
    this.recomputeHappiness(type);
  }

  markTrueWithReason(type: string, reason: string, message: string): void {
    this.setCondition(this.make(type, 'True', reason, message));
    this.recomputeHappiness(type);
  }

  markUnknown(type: string, reason: string, message: string): void {
    this.setCondition(this.make(type, 'Unknown', reason, message));
    let isDependent = false;
    for (const dep of this.dependents) {
      // Failed conditions trump Unknown ones: make sure the happy condition is False.
      if (this.getCondition(dep)?.status === 'False') {
        if (this.getCondition(this.happy)?.status !== 'False') this.markFalse(this.happy, reason, message);
        return;
      }
      if (dep === type) isDependent = true;
    }
    if (isDependent) this.setCondition(this.make(this.happy, 'Unknown', reason, message));
  }

  markFalse(type: string, reason: string, message: string): void {
    const types = [type];
    if (this.dependents.includes(type)) types.push(this.happy);
    for (const t of types) this.setCondition(this.make(t, 'False', reason, message));
  }

  initializeConditions(): void {
    let happy = this.getCondition(this.happy);
    if (!happy) {
      this.setCondition(this.make(this.happy, 'Unknown'));
      happy = this.getCondition(this.happy)!;
    }
    // A True happy condition implies every dependent is True.
    const status: Status = happy.status === 'True' ? 'True' : 'Unknown';
    for (const dep of this.dependents) {
      if (!this.getCondition(dep)) this.setCondition(this.make(dep, status));
    }
  }

  private recomputeHappiness(type: string): void {
    const unhappy = this.findUnhappyDependent();
    if (unhappy) {
      this.setCondition(this.make(this.happy, unhappy.status, unhappy.reason, unhappy.message));
    } else if (type !== this.happy) {
      this.setCondition(this.make(this.happy, 'True'));
    }
  }

  private findUnhappyDependent(): Condition | undefined {
    if (this.dependents.length === 0) return undefined;
    const deps = (this.status.conditions ?? []).filter((c) => !c.severity && c.type !== this.happy);
    // Most recently transitioned first; a stable sort keeps type order among exact ties.
    deps.sort(byRecency);
    const failed = deps.find((c) => c.status === 'False');
    if (failed) return failed;
    const unknown = deps.find((c) => c.status === 'Unknown');
    if (unknown) return unknown;
    // Something was never initialised.
    if (this.dependents.length !== deps.length) return { type: '', status: 'Unknown' };
    return undefined;
  }
}

function byRecency(a: Condition, b: Condition): number {
  const ta = Date.parse(a.lastTransitionTime ?? '') || 0;
  const tb = Date.parse(b.lastTransitionTime ?? '') || 0;
  if (ta !== tb) return tb - ta;
  return (setOrder.get(b) ?? 0) - (setOrder.get(a) ?? 0);
}

/** Drops empty optional fields so comparisons and the wire format match Go's `omitempty`. */
function normalise(c: Condition): Condition {
  const out: Condition = { type: c.type, status: c.status };
  if (c.severity) out.severity = c.severity;
  if (c.lastTransitionTime) out.lastTransitionTime = c.lastTransitionTime;
  if (c.reason) out.reason = c.reason;
  if (c.message) out.message = c.message;
  return out;
}

function sameContent(a: Condition, b: Condition): boolean {
  return (
    a.status === b.status &&
    (a.severity || '') === (b.severity || '') &&
    (a.reason || '') === (b.reason || '') &&
    (a.message || '') === (b.message || '')
  );
}

/** Returns the condition of `type` from a status, if present. */
export function getCondition(status: KnStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

type WithStatus = Pick<KubeObject, 'metadata'> & { status?: KnStatus };

/** Whether the reconciler has observed the object's current generation. */
export function isObserved(obj: WithStatus): boolean {
  return (obj.status?.observedGeneration ?? 0) === (obj.metadata.generation ?? 0);
}

/** Knative's IsReady(): observedGeneration == generation and Ready True. */
export function isReady(obj: WithStatus): boolean {
  return isObserved(obj) && getCondition(obj.status, READY)?.status === 'True';
}

/** Knative's IsFailed(): observedGeneration == generation and Ready False. */
export function isFailed(obj: WithStatus): boolean {
  return isObserved(obj) && getCondition(obj.status, READY)?.status === 'False';
}
