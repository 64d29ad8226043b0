/**
 * kn's traffic flags as pure functions (kn `pkg/commands/flags/traffic.go`, `pkg/traffic/compute.go`): parse and validate `--traffic`, `--tag`, `--untag` before anything is
 * changed, work out the automatic remainder, then apply untag → tag → traffic → prune to
 * spec.traffic. Error texts are kn's.
 */
import type { Service, TrafficTarget } from '../apis/types.js';
import { invalidValue } from '../client/errors.js';
import { splitPair } from './kv.js';

/** The identifier of the target that follows the latest ready revision. */
export const LATEST = '@latest';

/** Parsed traffic flags in the order given. */
export interface TrafficEdits {
  /** [revisionRef, tag] from --tag. */
  tags: [string, string][];
  /** Tags from --untag. */
  untags: string[];
  /** [revisionRef or tag, percent] from --traffic. */
  traffic: [string, number][];
}

/** Whether any traffic flag was given. */
export function hasTrafficEdits(e: TrafficEdits): boolean {
  return e.tags.length > 0 || e.untags.length > 0 || e.traffic.length > 0;
}

// A value without '=' means @latest=<value> (kn: `--traffic 80`, `--tag current`).
function refPair(value: string): [string, string] {
  return value.includes('=') ? splitPair(value) : [LATEST, value];
}

/** Parses and validates --tag/--untag/--traffic (kn, the checks that need no cluster state). */
export function parseTrafficFlags(f: {
  tag?: readonly string[];
  untag?: readonly string[];
  traffic?: readonly string[];
}): TrafficEdits {
  const tags = (f.tag ?? []).map(refPair);
  if (tags.filter(([ref]) => ref === LATEST).length > 1) {
    throw invalidValue('repetition of identifier @latest is not allowed, use only once with --tag flag');
  }
  const traffic: [string, number][] = [];
  const seen = new Set<string>();
  for (const raw of f.traffic ?? []) {
    const [ref, pctText] = refPair(raw);
    if (seen.has(ref)) {
      throw invalidValue(
        ref === LATEST
          ? 'repetition of identifier @latest is not allowed, use only once with --traffic flag'
          : `repetition of revision reference ${ref} is not allowed, use only once with --traffic flag`,
      );
    }
    seen.add(ref);
    const text = pctText.endsWith('%') ? pctText.slice(0, -1) : pctText;
    if (!/^-?\d+$/.test(text))
      throw invalidValue(`error converting given ${pctText} to integer value for traffic distribution`);
    const pct = Number(text);
    if (pct < 0 || pct > 100)
      throw invalidValue(`invalid value for traffic percent ${pct}, expected 0 <= percent <= 100`);
    traffic.push([ref, pct]);
  }
  const sum = traffic.reduce((a, [, p]) => a + p, 0);
  if (sum > 100) throw invalidValue(`given traffic percents sum to ${sum}, want <=100`);
  return { tags, untags: [...(f.untag ?? [])], traffic };
}

/**
 * When --traffic sums to less than 100, finds who gets the rest (kn PR #1483/#1514/#1617): with a
 * new revision the refs must cover every routed target and the rest goes to @latest (or, if @latest
 * is named, to the first unnamed target); without one, exactly one routed target may be missing and
 * it gets the rest. Returns the completed list.
 */
export function allocateRemainder(
  traffic: [string, number][],
  status: { traffic?: TrafficTarget[]; latestReadyRevisionName?: string } | undefined,
  mutation: boolean,
): [string, number][] {
  const sum = traffic.reduce((a, [, p]) => a + p, 0);
  if (traffic.length === 0 || sum === 100) return traffic;
  const remaining = 100 - sum;
  const targets = status?.traffic ?? [];
  const refs = new Set(traffic.map(([r]) => r));
  const expected = mutation ? targets.length : targets.length - 1;
  if (traffic.length !== expected) {
    throw invalidValue(
      `unable to allocate the remaining traffic: ${remaining}%. Reason: incorrect number of revisions specified. Only 1 revision should be missing`,
    );
  }
  if (mutation && !refs.has(LATEST)) return [...traffic, [LATEST, remaining]];
  const referenced = (t: TrafficTarget): boolean =>
    (t.revisionName !== undefined && refs.has(t.revisionName)) ||
    (t.tag !== undefined && refs.has(t.tag)) ||
    // Without a new revision, @latest means the current latest ready revision.
    (!mutation &&
      refs.has(LATEST) &&
      (t.latestRevision === true || t.revisionName === status?.latestReadyRevisionName));
  const missing = targets.find((t) => !referenced(t));
  if (!missing?.revisionName) {
    throw invalidValue(
      `unable to allocate the remaining traffic: ${remaining}%. Reason: cannot determine the missing revision`,
    );
  }
  return [...traffic, [missing.revisionName, remaining]];
}

/**
 * Applies traffic edits to a service's spec.traffic (kn): untag, tag, traffic (only when
 * --traffic is given or `forceLatest100` for create --tag), prune untagged 0% targets. Pure: returns a
 * new list. `mutation` = the same update also creates a new revision.
 */
export function computeTraffic(
  svc: Service,
  edits: TrafficEdits,
  opts: { mutation?: boolean; create?: boolean } = {},
): TrafficTarget[] {
  let traffic = edits.traffic;
  if (opts.create && edits.tags.length && traffic.length === 0) traffic = [[LATEST, 100]];
  traffic = allocateRemainder(traffic, svc.status, opts.mutation ?? false);

  // Knative's default when spec.traffic is empty: all traffic to the latest ready revision.
  let targets: TrafficTarget[] = (
    svc.spec.traffic?.length ? svc.spec.traffic : [{ latestRevision: true, percent: 100 }]
  ).map((t) => ({ ...t }));

  // 1. untag
  const missingTags: string[] = [];
  for (const tag of edits.untags) {
    const t = targets.find((x) => x.tag === tag);
    if (t) delete t.tag;
    else missingTags.push(tag);
  }
  if (missingTags.length) {
    throw invalidValue(
      `tag(s) ${missingTags.join(', ')} not present for any revisions of service ${svc.metadata.name}`,
    );
  }

  // 2. tag
  for (const [ref, tag] of edits.tags) targets = applyTag(targets, ref, tag);

  // 3. traffic
  if (traffic.length) {
    for (const t of targets) t.percent = 0;
    for (const [ref, pct] of traffic) {
      let t: TrafficTarget | undefined;
      if (ref === LATEST) {
        t = targets.find((x) => x.latestRevision === true);
        if (!t) targets.push((t = { latestRevision: true, percent: 0 }));
      } else {
        // Tags win over revision names.
        t = targets.find((x) => x.tag === ref) ?? targets.find((x) => x.revisionName === ref);
        if (!t) targets.push((t = { revisionName: ref, percent: 0, latestRevision: false }));
      }
      t.percent = pct;
    }
  }

  // 4. prune targets that carry neither traffic nor a tag
  return targets.filter((t) => (t.percent ?? 0) > 0 || t.tag);
}

function refuseOverwrite(tag: string): never {
  throw invalidValue(
    `refusing to overwrite existing tag in service, add flag '--untag ${tag}' in command to untag it`,
  );
}

function applyTag(targets: TrafficTarget[], ref: string, tag: string): TrafficTarget[] {
  if (ref === LATEST) {
    const latest = targets.find((t) => t.latestRevision === true);
    if (latest?.tag === tag) return targets;
    if (targets.some((t) => t.tag === tag)) refuseOverwrite(tag);
    if (latest?.tag) {
      throw invalidValue(
        `tag '${latest.tag}' exists on latest ready revision of service, refusing to overwrite existing tag with '${tag}', add flag '--untag ${latest.tag}' in command to untag it`,
      );
    }
    if (latest) latest.tag = tag;
    else targets.push({ latestRevision: true, percent: 0, tag });
    return targets;
  }
  if (targets.some((t) => t.revisionName === ref && t.tag === tag && t.latestRevision !== true))
    return targets;
  if (targets.some((t) => t.tag === tag)) refuseOverwrite(tag);
  // Tagging by name never reuses the latestRevision target.
  const first = targets.find((t) => t.revisionName === ref && t.latestRevision !== true);
  if (first && !first.tag) first.tag = tag;
  else targets.push({ revisionName: ref, tag, percent: 0, latestRevision: false });
  return targets;
}

/**
 * References in --traffic/--tag that name no known revision and no tag (kn issue #445: a typo such as
 * `latest=90` would otherwise hang until the wait times out).
 */
export function unknownRevisionRefs(
  edits: TrafficEdits,
  svc: Service,
  revisionNames: readonly string[],
): string[] {
  const known = new Set<string>([LATEST, ...revisionNames]);
  const tags = new Set<string>(
    [...(svc.spec.traffic ?? []).map((t) => t.tag ?? ''), ...edits.tags.map(([, t]) => t)].filter(Boolean),
  );
  const unknown = [
    ...edits.traffic.map(([ref]) => ref).filter((ref) => !known.has(ref) && !tags.has(ref)),
    ...edits.tags.map(([ref]) => ref).filter((ref) => !known.has(ref)),
  ];
  return [...new Set(unknown)];
}
