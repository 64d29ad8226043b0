/**
 * kn's traffic computation as a table (kn `pkg/commands/traffic/compute_test.go`): starting
 * spec/status traffic + flags → resulting spec.traffic, or kn's error text.
 */
import { describe, expect, it } from 'vitest';
import type { Service, TrafficTarget } from '../../src/lib/apis/types.js';
import { computeTraffic, parseTrafficFlags, unknownRevisionRefs } from '../../src/lib/cli/traffic.js';

// t('tag', 'rev', pct) — rev '@latest' means latestRevision: true.
function t(tag: string, rev: string, percent: number): TrafficTarget {
  const target: TrafficTarget =
    rev === '@latest'
      ? { latestRevision: true, percent }
      : { revisionName: rev, percent, latestRevision: false };
  if (tag) target.tag = tag;
  return target;
}

function svc(spec: TrafficTarget[], status?: TrafficTarget[], latestReady?: string): Service {
  return {
    metadata: { name: 'echo', namespace: 'default' },
    spec: { template: { spec: { containers: [{ image: 'x' }] } }, traffic: spec },
    status: { traffic: status ?? spec, latestReadyRevisionName: latestReady },
  };
}

type Flags = { tag?: string[]; untag?: string[]; traffic?: string[] };
const cases: {
  name: string;
  spec: TrafficTarget[];
  status?: TrafficTarget[];
  latest?: string;
  flags: Flags;
  mutation?: boolean;
  want: TrafficTarget[] | string;
}[] = [
  {
    name: 'tag @latest',
    spec: [t('', '@latest', 100)],
    flags: { tag: ['@latest=latest'] },
    want: [t('latest', '@latest', 100)],
  },
  {
    name: 'bare tag means @latest',
    spec: [t('', '@latest', 100)],
    flags: { tag: ['latest'] },
    want: [t('latest', '@latest', 100)],
  },
  {
    name: 'split between latest and a revision (with %)',
    spec: [t('', '@latest', 100), t('', 'rev-v1', 0)],
    flags: { traffic: ['@latest=10%', 'rev-v1=90'] },
    want: [t('', '@latest', 10), t('', 'rev-v1', 90)],
  },
  {
    name: 'tag two revisions',
    spec: [t('latest', '@latest', 100)],
    flags: { tag: ['echo-v0=stale', 'echo-v1=old'] },
    want: [t('latest', '@latest', 100), t('stale', 'echo-v0', 0), t('old', 'echo-v1', 0)],
  },
  {
    name: 'tag @latest and split with it',
    spec: [t('latest', 'echo-v1', 100)],
    flags: { traffic: ['@latest=2', 'echo-v1=98'], tag: ['@latest=testing'] },
    want: [t('latest', 'echo-v1', 98), t('testing', '@latest', 2)],
  },
  {
    name: 'traffic by tags',
    spec: [t('v1', 'echo-v1', 100)],
    flags: { tag: ['echo-v2=v2'], traffic: ['v1=10', 'v2=90'] },
    want: [t('v1', 'echo-v1', 10), t('v2', 'echo-v2', 90)],
  },
  {
    name: 'untag and retag',
    spec: [t('latest', 'echo-v1', 50), t('', 'echo-v2', 50)],
    flags: { untag: ['latest'], tag: ['echo-v1=old', 'echo-v2=latest'] },
    want: [t('old', 'echo-v1', 50), t('latest', 'echo-v2', 50)],
  },
  {
    name: 'second tag for one revision appends a target',
    spec: [t('latest', 'echo-v1', 50), t('', 'echo-v2', 50)],
    flags: { tag: ['echo-v1=latest', 'echo-v1=current'] },
    want: [t('latest', 'echo-v1', 50), t('', 'echo-v2', 50), t('current', 'echo-v1', 0)],
  },
  {
    name: 'unknown revision is appended',
    spec: [t('', '@latest', 100)],
    flags: { traffic: ['echo-v1=10', '@latest=90'] },
    want: [t('', '@latest', 90), t('', 'echo-v1', 10)],
  },
  {
    name: 'remainder to the one missing target (no new revision)',
    spec: [t('', 'rev-00001', 0), t('', 'rev-00002', 0), t('', 'rev-00003', 100)],
    flags: { traffic: ['rev-00001=10', 'rev-00002=10'] },
    want: [t('', 'rev-00001', 10), t('', 'rev-00002', 10), t('', 'rev-00003', 80)],
  },
  {
    name: 'remainder with @latest named, new revision',
    spec: [t('', 'rev-00001', 0), t('', 'rev-00002', 0), t('', '@latest', 100)],
    status: [
      t('', 'rev-00001', 0),
      t('', 'rev-00002', 0),
      { ...t('', 'rev-00003', 100), latestRevision: true },
    ],
    latest: 'rev-00003',
    mutation: true,
    flags: { traffic: ['rev-00001=10', 'rev-00003=40', '@latest=20'] },
    want: [t('', 'rev-00001', 10), t('', 'rev-00002', 30), t('', '@latest', 20), t('', 'rev-00003', 40)],
  },
  {
    name: 'remainder with @latest named, no new revision',
    spec: [t('', 'rev-00001', 0), t('', 'rev-00002', 0), t('', '@latest', 100)],
    status: [
      t('', 'rev-00001', 0),
      t('', 'rev-00002', 0),
      { ...t('', 'rev-00003', 100), latestRevision: true },
    ],
    latest: 'rev-00003',
    flags: { traffic: ['rev-00001=10', '@latest=20'] },
    want: [t('', 'rev-00001', 10), t('', 'rev-00002', 70), t('', '@latest', 20)],
  },
  {
    name: 'remainder to @latest when a new revision is created',
    spec: [t('', 'rev-00001', 0), t('', 'rev-00002', 0), t('', '@latest', 100)],
    status: [
      t('', 'rev-00001', 0),
      t('', 'rev-00002', 0),
      { ...t('', 'rev-00003', 100), latestRevision: true },
    ],
    latest: 'rev-00003',
    mutation: true,
    flags: { traffic: ['rev-00001=10', 'rev-00003=40', 'rev-00002=30'] },
    want: [t('', 'rev-00001', 10), t('', 'rev-00002', 30), t('', '@latest', 20), t('', 'rev-00003', 40)],
  },
  {
    name: 'untag with traffic prunes the old target',
    spec: [t('', '@latest', 50), t('old', 'echo-v1', 50)],
    flags: { untag: ['old'], traffic: ['@latest=100'] },
    want: [t('', '@latest', 100)],
  },
  // errors (kn's texts)
  {
    name: '@latest twice in --traffic',
    spec: [t('', '@latest', 100)],
    flags: { traffic: ['@latest=90', '@latest=10'] },
    want: 'repetition of identifier @latest is not allowed, use only once with --traffic flag',
  },
  {
    name: 'revision twice in --traffic',
    spec: [t('', '@latest', 100)],
    flags: { traffic: ['echo-v1=50', 'echo-v1=50'] },
    want: 'repetition of revision reference echo-v1 is not allowed, use only once with --traffic flag',
  },
  {
    name: '@latest twice in --tag',
    spec: [t('', '@latest', 100)],
    flags: { tag: ['a', '@latest=b'] },
    want: 'repetition of identifier @latest is not allowed, use only once with --tag flag',
  },
  {
    name: 'percent not a number',
    spec: [t('', '@latest', 100)],
    flags: { traffic: ['@latest=100p'] },
    want: 'error converting given 100p to integer value for traffic distribution',
  },
  {
    name: 'percent negative',
    spec: [t('', '@latest', 100)],
    flags: { traffic: ['@latest=-100'] },
    want: 'invalid value for traffic percent -100, expected 0 <= percent <= 100',
  },
  {
    name: 'sum over 100',
    spec: [t('', '@latest', 100)],
    flags: { traffic: ['@latest=60', 'a=50'] },
    want: 'given traffic percents sum to 110, want <=100',
  },
  {
    name: 'bad pair',
    spec: [t('', '@latest', 100)],
    flags: { traffic: ['a=b=c'] },
    want: 'expecting the value format in value1=value2, given a=b=c',
  },
  {
    name: 'empty value',
    spec: [t('', '@latest', 100)],
    flags: { tag: ['a='] },
    want: 'expecting the value format in value1=value2, given a=',
  },
  {
    name: 'tag exists on latest',
    spec: [t('candidate', '@latest', 100)],
    flags: { tag: ['@latest=current'] },
    want: "tag 'candidate' exists on latest ready revision of service, refusing to overwrite existing tag with 'current', add flag '--untag candidate' in command to untag it",
  },
  {
    name: 'tag used elsewhere (@latest)',
    spec: [t('latest', '@latest', 2), t('stable', 'echo-v2', 98)],
    flags: { tag: ['@latest=stable'] },
    want: "refusing to overwrite existing tag in service, add flag '--untag stable' in command to untag it",
  },
  {
    name: 'tag used elsewhere (revision)',
    spec: [t('latest', '@latest', 2), t('stable', 'echo-v2', 98)],
    flags: { tag: ['echo-v2=latest'] },
    want: "refusing to overwrite existing tag in service, add flag '--untag latest' in command to untag it",
  },
  {
    name: 'untag unknown tags',
    spec: [t('', '@latest', 100)],
    flags: { untag: ['foo', 'bar'] },
    want: 'tag(s) foo, bar not present for any revisions of service echo',
  },
  {
    name: 'too few revisions (no new revision)',
    spec: [t('', 'rev-00001', 0), t('', 'rev-00002', 0), t('', 'rev-00003', 100)],
    flags: { traffic: ['rev-00001=10'] },
    want: 'unable to allocate the remaining traffic: 90%. Reason: incorrect number of revisions specified. Only 1 revision should be missing',
  },
  {
    name: 'too few revisions (new revision)',
    spec: [t('', 'rev-00001', 0), t('', 'rev-00002', 0), t('', '@latest', 100)],
    mutation: true,
    flags: { traffic: ['rev-00001=10', '@latest=20'] },
    want: 'unable to allocate the remaining traffic: 70%. Reason: incorrect number of revisions specified. Only 1 revision should be missing',
  },
  {
    name: 'cannot determine the missing revision',
    spec: [t('', 'a', 50), t('', 'b', 50)],
    flags: { traffic: ['a=20'] },
    status: [t('', 'a', 50), t('x', 'a', 50)],
    want: 'unable to allocate the remaining traffic: 80%. Reason: cannot determine the missing revision',
  },
];

describe('computeTraffic (kn compute.go)', () => {
  it.each(cases)('$name', ({ spec, status, latest, flags, mutation, want }) => {
    const run = (): TrafficTarget[] =>
      computeTraffic(svc(spec, status, latest), parseTrafficFlags(flags), { mutation });
    if (typeof want === 'string') expect(run).toThrow(want);
    else expect(run()).toEqual(want);
  });

  it('tag on create implies @latest=100', () => {
    const s: Service = { metadata: { name: 'echo' }, spec: { template: { spec: { containers: [{}] } } } };
    expect(computeTraffic(s, parseTrafficFlags({ tag: ['v1'] }), { create: true })).toEqual([
      { latestRevision: true, percent: 100, tag: 'v1' },
    ]);
  });

  it('does not mutate its input', () => {
    const s = svc([t('', '@latest', 100)]);
    const copy = structuredClone(s);
    computeTraffic(s, parseTrafficFlags({ tag: ['x'], traffic: ['@latest=100'] }));
    expect(s).toEqual(copy);
  });

  it('finds references that are neither revisions, tags nor @latest', () => {
    const s = svc([t('stable', 'echo-00001', 100)]);
    const edits = parseTrafficFlags({ traffic: ['latest=90', 'stable=10'], tag: ['echo-00009=x'] });
    expect(unknownRevisionRefs(edits, s, ['echo-00001'])).toEqual(['latest', 'echo-00009']);
  });
});
