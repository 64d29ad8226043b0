/**
 * The state of a Route's gradual rollout (Knative's traffic.Rollout), as Knative keeps it in the
 * KIngress annotation `networking.internal.knative.dev/rollout`: per configuration+tag pair, the
 * revisions being rolled with their shares, and the step timing (Unix nanoseconds). The step
 * engine is the Route reconciler's (controller/route/resources/rollout.ts); this is the data,
 * which `service describe` reads too.
 */

/** One revision in a configuration's rollout: its share of the whole Route's traffic. */
export interface RevisionRollout {
  revisionName: string;
  percent: number;
}

/** Timing and sizing of a configuration's rollout (Unix ns; a zero value is left out). */
export interface RolloutParams {
  /** When the rollout started (the new revision got its first 1%). */
  starttime?: number;
  /** When the next step is due. */
  nextStepTime?: number;
  /** Nanoseconds between two steps. */
  stepDuration?: number;
  /** Percent moved per step. */
  stepSize?: number;
}

/** The rollout of one configuration+tag pair; its revisions (oldest first) sum to `percent`. */
export interface ConfigurationRollout {
  configurationName: string;
  tag?: string;
  percent: number;
  revisions?: RevisionRollout[];
  stepParams: RolloutParams;
}

/** The rollout state of a Route: configurations sorted by tag, then configuration name. */
export interface Rollout {
  configurations?: ConfigurationRollout[];
}

/** The configuration rollouts of one tag (`""`: the default target). */
export function rolloutsByTag(r: Rollout, tag: string): ConfigurationRollout[] {
  return (r.configurations ?? []).filter((c) => (c.tag ?? '') === tag);
}

/** Whether no configuration is mid-rollout (each has at most one revision). */
export function rolloutDone(r: Rollout): boolean {
  return (r.configurations ?? []).every((c) => (c.revisions?.length ?? 0) < 2);
}

/** Consistency of a deserialised rollout; an inconsistent one is discarded. */
export function validateRollout(r: Rollout): boolean {
  for (const c of r.configurations ?? []) {
    if (c.percent > 100) return false;
    const step = c.stepParams?.stepSize ?? 0;
    if (step < 0 || step > c.percent) return false;
    const total = (c.revisions ?? []).reduce((s, rev) => s + rev.percent, 0);
    if (total !== c.percent) return false;
  }
  return true;
}

/** The rollout as Knative serialises it (Go's field order, zero values left out). */
export function serializeRollout(r: Rollout): string {
  const params = (p: RolloutParams) => {
    const o: RolloutParams = {};
    if (p.starttime) o.starttime = Math.trunc(p.starttime);
    if (p.nextStepTime) o.nextStepTime = Math.trunc(p.nextStepTime);
    if (p.stepDuration) o.stepDuration = Math.trunc(p.stepDuration);
    if (p.stepSize) o.stepSize = p.stepSize;
    return o;
  };
  const configurations = (r.configurations ?? []).map((c) => ({
    configurationName: c.configurationName,
    ...(c.tag ? { tag: c.tag } : {}),
    percent: c.percent,
    ...(c.revisions?.length
      ? { revisions: c.revisions.map((x) => ({ revisionName: x.revisionName, percent: x.percent })) }
      : {}),
    stepParams: params(c.stepParams ?? {}),
  }));
  return JSON.stringify(configurations.length ? { configurations } : {});
}

/** A rollout read back from its annotation; undefined when missing, unreadable or inconsistent. */
export function parseRollout(text: string | undefined): Rollout | undefined {
  if (!text) return undefined;
  let r: Rollout;
  try {
    r = JSON.parse(text) as Rollout;
  } catch {
    return undefined;
  }
  if (typeof r !== 'object' || r === null || (r.configurations && !Array.isArray(r.configurations)))
    return undefined;
  for (const c of r.configurations ?? []) {
    if (typeof c?.configurationName !== 'string' || typeof c.percent !== 'number') return undefined;
    c.stepParams ??= {};
  }
  return validateRollout(r) ? r : undefined;
}
