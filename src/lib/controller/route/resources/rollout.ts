/**
 * Gradual rollout (Knative's pkg/reconciler/route/traffic/rollout.go): when a configuration target
 * gets a new latest-ready revision and a rollout duration is set, traffic moves to it in steps.
 * The new revision starts at 1%; once the KIngress carrying that 1% is ready, the time the first
 * step took fixes the step duration and size for the rest of the rollout; each step then moves
 * `stepSize` percent from the older revisions (oldest last, newest drained first) to the newest,
 * until it holds the whole share and the others are dropped.
 *
 * The state (apis/rollout.ts) lives, serialised in Knative's JSON shape, in the KIngress annotation
 * `networking.internal.knative.dev/rollout`. Times are Unix nanoseconds, as Knative's. Pure.
 */
import { getKey } from '../../../apis/autoscaling-validation.js';
import type { KnativeConfigs } from '../../../apis/config/index.js';
import { parseGoDuration } from '../../../apis/durations.js';
import { Annotations, LegacyAnnotations } from '../../../apis/keys.js';
import { rolloutsByTag, type ConfigurationRollout, type Rollout } from '../../../apis/rollout.js';
import type { Route } from '../../../apis/types.js';
import type { RevisionTarget } from './traffic.js';

const NS_PER_SECOND = 1e9;

/** The rollout duration of a Route in seconds: its annotation (either spelling), else config-network's. */
export function rolloutDurationSeconds(route: Route, cfg: KnativeConfigs): number {
  const [, v] = getKey(route.metadata.annotations, [
    Annotations.rolloutDuration,
    LegacyAnnotations.rolloutDuration,
  ]);
  // The webhook refuses bad values; one that slipped through counts as unset, as in Knative.
  const ms = v ? parseGoDuration(v) : undefined;
  const secs = ms !== undefined && ms > 0 ? Math.trunc(ms / 1000) : 0;
  return secs > 0 ? secs : cfg.network.rolloutDurationSeconds;
}

/**
 * The rollout the traffic asks for now (Knative's BuildRollout): per traffic group (the default
 * one `""` and each tag, see trafficGroups), every latest-revision target with a non-zero share,
 * all of it on its revision.
 */
export function buildRollout(groups: ReadonlyMap<string, readonly RevisionTarget[]>): Rollout {
  const configurations: ConfigurationRollout[] = [];
  for (const [tag, group] of groups) {
    for (const t of consolidate(group)) {
      if (!t.latestRevision || t.percent === 0 || !t.configurationName) continue;
      configurations.push({
        configurationName: t.configurationName,
        ...(tag ? { tag } : {}),
        percent: t.percent,
        revisions: [{ revisionName: t.revisionName, percent: t.percent }],
        stepParams: {},
      });
    }
  }
  return sortRollout({ configurations });
}

/** A group's targets joined per revision (the first entry kept, shares added); a lone one gets 100%. */
export function consolidate(targets: readonly RevisionTarget[]): RevisionTarget[] {
  const byName = new Map<string, RevisionTarget>();
  for (const t of targets) {
    const cur = byName.get(t.revisionName);
    if (cur) cur.percent += t.percent;
    else byName.set(t.revisionName, { ...t });
  }
  const out = [...byName.values()];
  if (out.length === 1) out[0].percent = 100;
  return out;
}

function sortRollout(r: Rollout): Rollout {
  r.configurations?.sort((a, b) => {
    const ta = a.tag ?? '';
    const tb = b.tag ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.configurationName < b.configurationName ? -1 : a.configurationName > b.configurationName ? 1 : 0;
  });
  return r;
}

/**
 * Called when the KIngress carrying a new rollout's first 1% turned ready: configurations that
 * started but have no step duration yet get their timing, with the time that first step took
 * (at least 1s) as the shortest step. In place.
 */
export function observeReady(r: Rollout, nowNs: number, durationSecs: number): void {
  for (const c of r.configurations ?? []) {
    const p = (c.stepParams ??= {});
    if (!p.stepDuration && (p.starttime ?? 0) > 0) {
      const minStepSec = Math.max(1, Math.ceil((nowNs - p.starttime!) / NS_PER_SECOND));
      computeProperties(c, nowNs, minStepSec, durationSecs);
    }
  }
}

// Equal steps over what is left of the duration: at most one per percent still to move, and at
// least one; the step size is rounded (rounding down would nearly double the time of big moves).
function computeProperties(
  c: ConfigurationRollout,
  nowNs: number,
  minStepSec: number,
  durationSecs: number,
): void {
  const secs = Math.max(1, durationSecs - minStepSec);
  let numSteps = Math.max(1, secs / minStepSec);
  const remPercent = c.percent - 1;
  if (remPercent < numSteps) numSteps = remPercent;
  const stepDuration = (secs / numSteps) * NS_PER_SECOND;
  c.stepParams.stepDuration = Math.trunc(stepDuration);
  c.stepParams.stepSize = Math.round(remPercent / numSteps);
  c.stepParams.nextStepTime = Math.trunc(nowNs + stepDuration);
}

/**
 * Merges the previous rollout state with the one the traffic asks for now (Knative's Step): a
 * configuration whose latest revision changed starts a new rollout at 1%, one mid-rollout takes a
 * step when due, changed shares are adjusted. Returns the new state and the earliest next step
 * time (0: none scheduled). Without a previous state the current one is returned as is.
 */
export function stepRollout(
  cur: Rollout,
  prev: Rollout | undefined,
  nowNs: number,
): { rollout: Rollout; nextStepTime: number } {
  if (!prev?.configurations?.length) return { rollout: cur, nextStepTime: 0 };
  const byTag = (r: Rollout) => {
    const m = new Map<string, ConfigurationRollout[]>();
    for (const c of r.configurations ?? []) m.set(c.tag ?? '', [...(m.get(c.tag ?? '') ?? []), c]);
    return m;
  };
  const currConfigs = byTag(cur);
  const prevConfigs = byTag(prev);
  const out: ConfigurationRollout[] = [];
  let next = Infinity;
  for (const [tag, ccfgs] of currConfigs) {
    const pcfgs = prevConfigs.get(tag);
    // A new tag has nothing to roll from: it goes to 100% at once.
    if (!pcfgs) {
      out.push(ccfgs[0]);
      continue;
    }
    // Both lists are sorted by configuration name: walk them together.
    for (let i = 0, j = 0; i < ccfgs.length;) {
      const c = ccfgs[i];
      if (j >= pcfgs.length) {
        out.push(c);
        i++;
      } else if (c.configurationName === pcfgs[j].configurationName) {
        if (c.percent > 1) {
          const stepped = stepConfig(c, pcfgs[j], nowNs);
          out.push(stepped);
          const nst = stepped.stepParams.nextStepTime ?? 0;
          if (nst > 0 && nst < next) next = nst;
        } else if (c.percent === 1) {
          // 1% cannot be split: the common A/B case just moves.
          out.push(c);
        }
        // 0%: not rolled out at all.
        i++;
        j++;
      } else if (c.configurationName < pcfgs[j].configurationName) {
        if (c.percent !== 0) out.push(c);
        i++;
      } else {
        j++; // a configuration that left the traffic
      }
    }
  }
  return {
    rollout: sortRollout({ configurations: out }),
    nextStepTime: next === Infinity ? 0 : next,
  };
}

/**
 * Adjusts a previous rollout to a changed share of its configuration: an increase goes to the
 * newest revision, a decrease is taken from the oldest ones first (dropping those it empties).
 */
export function adjustPercentage(goal: number, cr: ConfigurationRollout): void {
  const revs = cr.revisions ?? [];
  const diff = goal - cr.percent;
  if (goal === 0) {
    cr.revisions = undefined;
  } else if (diff > 0) {
    revs[revs.length - 1].percent += diff;
  } else if (diff < 0) {
    let left = -diff;
    let i = 0;
    while (left > 0 && i < revs.length) {
      if (revs[i].percent > left) {
        revs[i].percent -= left;
        break;
      }
      left -= revs[i].percent;
      i++;
    }
    cr.revisions = revs.slice(i);
  }
}

/**
 * One step, when due: `stepSize` percent moves from the older revisions (newest of them first) to
 * the newest, capped at the configuration's share; emptied revisions are dropped; on the last step
 * the timing is cleared.
 */
export function stepRevisions(goal: ConfigurationRollout, nowNs: number): void {
  const revs = goal.revisions ?? [];
  if (nowNs < (goal.stepParams.nextStepTime ?? 0) || revs.length < 2) return;
  const stepSize = goal.stepParams.stepSize ?? 0;
  let remaining = stepSize;
  let writePos = revs.length - 1;
  let readPos = revs.length - 2;
  while (remaining > 0 && readPos >= 0) {
    if (revs[readPos].percent > remaining) {
      revs[readPos].percent -= remaining;
      break;
    }
    remaining -= revs[readPos].percent;
    writePos--;
    readPos--;
  }
  revs[writePos] = revs[revs.length - 1];
  revs[writePos].percent = Math.min(revs[writePos].percent + stepSize, goal.percent);
  goal.revisions = revs.slice(0, writePos + 1);
  if (goal.revisions.length > 1) goal.stepParams.nextStepTime = nowNs + (goal.stepParams.stepDuration ?? 0);
  else goal.stepParams = {};
}

function stepConfig(
  goal: ConfigurationRollout,
  prev: ConfigurationRollout,
  nowNs: number,
): ConfigurationRollout {
  const ret: ConfigurationRollout = {
    configurationName: goal.configurationName,
    ...(goal.tag ? { tag: goal.tag } : {}),
    percent: goal.percent,
    revisions: goal.revisions,
    stepParams: {},
  };
  if (prev.revisions?.length) adjustPercentage(goal.percent, prev);
  const prevRevs = prev.revisions ?? [];
  const goalRev = goal.revisions![0];
  // The same latest revision as before (or nothing before): no new rollout; step one in progress.
  if (prevRevs.length === 0 || goalRev.revisionName === prevRevs[prevRevs.length - 1].revisionName) {
    if (prevRevs.length > 1) {
      ret.revisions = prevRevs;
      ret.stepParams = { ...prev.stepParams };
      // No step size yet: the first 1% has not been observed ready.
      if ((ret.stepParams.stepSize ?? 0) > 0) stepRevisions(ret, nowNs);
    }
    return ret;
  }
  // A new revision: start the rollout now; its timing is computed once the 1% is observed ready.
  ret.stepParams.starttime = nowNs;
  // The 1% for it comes from the newest revision that still has traffic.
  for (let i = prevRevs.length - 1; i >= 0; i--) {
    if (prevRevs[i].percent > 0) {
      prevRevs[i].percent--;
      break;
    }
  }
  ret.revisions = [
    ...prevRevs.filter((r) => r.percent !== 0),
    { revisionName: goalRev.revisionName, percent: 1 },
  ];
  return ret;
}

/**
 * Targets with the rollout applied (Knative's GetRevisionTrafficTargets and the ingress splits): a
 * latest-revision target whose configuration is mid-rollout in `tag` becomes one entry per
 * revision of the rollout, each with its current share.
 */
export function applyRollout(
  targets: readonly RevisionTarget[],
  r: Rollout,
  tagOf: (t: RevisionTarget) => string,
): RevisionTarget[] {
  const out: RevisionTarget[] = [];
  for (const t of targets) {
    const cr = t.latestRevision
      ? rolloutsByTag(r, tagOf(t)).find((c) => c.configurationName === t.configurationName)
      : undefined;
    if (!cr || (cr.revisions?.length ?? 0) < 2) {
      out.push(t);
      continue;
    }
    for (const rev of cr.revisions!) out.push({ ...t, revisionName: rev.revisionName, percent: rev.percent });
  }
  return out;
}
