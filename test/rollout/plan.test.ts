import { describe, expect, it } from 'vitest';
import type { Revision, Service, TrafficTarget } from '../../src/lib/apis/types.js';
import { Labels } from '../../src/lib/apis/keys.js';
import {
  distribute,
  formatDuration,
  makeBlueGreenPlan,
  makeCanaryPlan,
  parseDuration,
  parseErrorRate,
  parseSteps,
  previousRevision,
  resolveCandidate,
  rolloutCommandLine,
  withPercentages,
  withTag,
  withoutTag,
} from '../../src/lib/rollout/plan.js';

function service(traffic: TrafficTarget[] | undefined, latestReady = 'hello-00002'): Service {
  return {
    metadata: { name: 'hello', namespace: 'default' },
    spec: { template: { spec: { containers: [{ image: 'x' }] } }, traffic },
    status: { latestReadyRevisionName: latestReady },
  };
}

function revision(name: string, gen: number, ready = true): Revision {
  return {
    metadata: {
      name,
      namespace: 'default',
      labels: { [Labels.service]: 'hello', [Labels.configurationGeneration]: String(gen) },
    },
    spec: { containers: [] },
    status: {
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', message: ready ? undefined : 'boom' }],
    },
  };
}

describe('parseSteps', () => {
  it.each([
    ['10,25,50,100', [10, 25, 50, 100]],
    ['100', [100]],
    ['5%, 50%,100%', [5, 50, 100]],
  ])('%s', (input, want) => expect(parseSteps(input)).toEqual(want));

  it.each([
    ['10,5,100', 'steps must increase and end at 100, got 10,5,100'],
    ['10,50', 'steps must increase and end at 100, got 10,50'],
    ['10,10,100', 'steps must increase and end at 100, got 10,10,100'],
    ['0,100', 'steps must be whole percentages between 1 and 100, got 0,100'],
    ['10,abc,100', 'steps must be whole percentages between 1 and 100, got 10,abc,100'],
    ['10,150', 'steps must be whole percentages between 1 and 100, got 10,150'],
    ['', 'steps must be whole percentages between 1 and 100, got '],
  ])('rejects %j', (input, msg) => expect(() => parseSteps(input)).toThrow(msg));
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['1h', 3_600_000],
  ])('%s', (input, want) => expect(parseDuration(input)).toBe(want));

  it.each(['abc', '30', '', '0s', '1x', '30s!', '-1s'])('rejects %j', (input) =>
    expect(() => parseDuration(input)).toThrow(`interval "${input}" is not a duration (use e.g. 30s or 2m)`),
  );

  it('names the flag', () =>
    expect(() => parseDuration('fast', 'max-p99', 'use e.g. 500ms')).toThrow(
      'max-p99 "fast" is not a duration (use e.g. 500ms)',
    ));
});

describe('parseErrorRate', () => {
  it.each([
    ['1%', 0.01],
    ['0.5%', 0.005],
    ['0.01', 0.01],
    ['0', 0],
    ['100%', 1],
  ])('%s', (input, want) => expect(parseErrorRate(input)).toBeCloseTo(want));

  it.each(['5', 'abc', '101%', '-1%'])('rejects %j', (input) =>
    expect(() => parseErrorRate(input)).toThrow(
      `max-error-rate "${input}" is not a rate (use e.g. 1% or 0.01)`,
    ),
  );
});

describe('distribute', () => {
  it.each([
    [75, [60, 40], [45, 30]],
    [50, [1, 1, 1], [17, 17, 16]],
    [0, [100], [0]],
    [90, [100], [90]],
    [10, [0, 0], [0, 0]],
  ])('%i over %j', (total, weights, want) => expect(distribute(total, weights)).toEqual(want));
});

describe('makeCanaryPlan', () => {
  const cases: {
    name: string;
    traffic: TrafficTarget[] | undefined;
    candidate: string;
    steps: number[];
    tag?: string;
    latest?: string;
    want: TrafficTarget[][];
  }[] = [
    {
      name: 'one pinned previous revision',
      traffic: [{ revisionName: 'hello-00001', percent: 100 }],
      candidate: 'hello-00002',
      steps: [10, 50, 100],
      want: [
        [
          { revisionName: 'hello-00001', percent: 90 },
          { revisionName: 'hello-00002', percent: 10 },
        ],
        [
          { revisionName: 'hello-00001', percent: 50 },
          { revisionName: 'hello-00002', percent: 50 },
        ],
        [{ revisionName: 'hello-00002', percent: 100 }],
      ],
    },
    {
      name: 'two previous revisions split proportionally, tags kept at 0%',
      traffic: [
        { revisionName: 'hello-00001', percent: 60, tag: 'stable' },
        { revisionName: 'hello-00002', percent: 40 },
      ],
      candidate: 'hello-00003',
      latest: 'hello-00003',
      steps: [25, 100],
      tag: 'candidate',
      want: [
        [
          { revisionName: 'hello-00001', percent: 45, tag: 'stable' },
          { revisionName: 'hello-00002', percent: 30 },
          { tag: 'candidate', revisionName: 'hello-00003', percent: 25 },
        ],
        [
          { revisionName: 'hello-00001', percent: 0, tag: 'stable' },
          { tag: 'candidate', revisionName: 'hello-00003', percent: 100 },
        ],
      ],
    },
    {
      name: '@latest target of an older latest keeps following it',
      traffic: undefined,
      candidate: 'hello-00001',
      steps: [50, 100],
      want: [
        [
          { latestRevision: true, percent: 50 },
          { revisionName: 'hello-00001', percent: 50 },
        ],
        [{ revisionName: 'hello-00001', percent: 100 }],
      ],
    },
    {
      name: 'candidate already has 10%: its pinned target grows, earlier steps skipped',
      traffic: [
        { revisionName: 'hello-00001', percent: 90 },
        { revisionName: 'hello-00002', percent: 10 },
      ],
      candidate: 'hello-00002',
      steps: [5, 10, 30, 100],
      want: [
        [
          { revisionName: 'hello-00001', percent: 70 },
          { revisionName: 'hello-00002', percent: 30 },
        ],
        [{ revisionName: 'hello-00002', percent: 100 }],
      ],
    },
    {
      name: 'a tagged @latest target resolving to the candidate gives its tag up',
      traffic: [
        { revisionName: 'hello-00001', percent: 100 },
        { latestRevision: true, percent: 0, tag: 'candidate' },
      ],
      candidate: 'hello-00002',
      steps: [100],
      tag: 'candidate',
      want: [[{ tag: 'candidate', revisionName: 'hello-00002', percent: 100 }]],
    },
  ];
  it.each(cases)('$name', ({ traffic, candidate, steps, tag, latest, want }) => {
    const svc = service(traffic, latest);
    const plan = makeCanaryPlan({ service: svc, candidate, steps, intervalMs: 1000, tag });
    expect(plan.steps.map((s) => s.traffic)).toEqual(want);
    expect(plan.rollback).toEqual(traffic ?? [{ latestRevision: true, percent: 100 }]);
    for (const s of plan.steps) expect(s.traffic.reduce((a, t) => a + (t.percent ?? 0), 0)).toBe(100);
  });

  it('refuses a candidate that already has all the traffic', () => {
    expect(() =>
      makeCanaryPlan({ service: service(undefined), candidate: 'hello-00002', steps: [100], intervalMs: 1 }),
    ).toThrow("revision 'hello-00002' already receives 100% of the traffic of service 'hello'");
  });

  it('refuses a tag used by another revision', () => {
    const svc = service([{ revisionName: 'hello-00001', percent: 100, tag: 'candidate' }]);
    expect(() =>
      makeCanaryPlan({
        service: svc,
        candidate: 'hello-00002',
        steps: [100],
        intervalMs: 1,
        tag: 'candidate',
      }),
    ).toThrow("tag 'candidate' is already used by another target of service 'hello'");
  });
});

describe('makeBlueGreenPlan', () => {
  it('tags the candidate at 0%, then flips', () => {
    const svc = service([{ revisionName: 'hello-00001', percent: 100 }]);
    const plan = makeBlueGreenPlan({ service: svc, candidate: 'hello-00002', intervalMs: 0, tag: 'green' });
    expect(plan.steps).toEqual([
      {
        percent: 0,
        traffic: [
          { revisionName: 'hello-00001', percent: 100 },
          { tag: 'green', revisionName: 'hello-00002', percent: 0 },
        ],
      },
      { percent: 100, traffic: [{ tag: 'green', revisionName: 'hello-00002', percent: 100 }] },
    ]);
  });
});

describe('tag and percentage edits', () => {
  const start: TrafficTarget[] = [
    { latestRevision: true, percent: 80 },
    { revisionName: 'hello-00001', percent: 20, tag: 'old' },
  ];
  it('withTag tags an untagged pinned target or appends', () => {
    expect(withTag([{ revisionName: 'a', percent: 100 }], 'a', 'x')).toEqual([
      { revisionName: 'a', percent: 100, tag: 'x' },
    ]);
    expect(withTag(start, 'hello-00002', 'new')).toEqual([
      ...start,
      { tag: 'new', revisionName: 'hello-00002', percent: 0 },
    ]);
  });
  it('withoutTag clears and prunes', () => {
    expect(withoutTag([...start, { tag: 'new', revisionName: 'hello-00002', percent: 0 }], 'new')).toEqual(
      start,
    );
    expect(withoutTag(start, 'old')).toEqual([start[0], { revisionName: 'hello-00001', percent: 20 }]);
  });
  it('withPercentages follows kn --traffic', () => {
    expect(withPercentages(start, { 'hello-00001': 75, 'hello-00002': 25 })).toEqual([
      { revisionName: 'hello-00001', percent: 75, tag: 'old' },
      { revisionName: 'hello-00002', percent: 25 },
    ]);
    expect(() => withPercentages(start, { 'hello-00001': 70, 'hello-00002': 20 })).toThrow(
      'percentages must sum to 100, got 90',
    );
  });
});

describe('resolveCandidate and previousRevision', () => {
  const revs = [revision('hello-00003', 3, false), revision('hello-00002', 2), revision('hello-00001', 1)];
  it('resolves @latest and names', () => {
    expect(resolveCandidate(service(undefined), revs, '@latest')).toBe('hello-00002');
    expect(resolveCandidate(service(undefined), revs, 'hello-00001')).toBe('hello-00001');
  });
  it('refuses unknown and not-ready revisions', () => {
    expect(() => resolveCandidate(service(undefined), revs, 'nope')).toThrow(
      "revision 'nope' not found for service 'hello' in namespace 'default'",
    );
    expect(() => resolveCandidate(service(undefined), revs, 'hello-00003')).toThrow(
      "revision 'hello-00003' is not ready, refusing to send it traffic: boom",
    );
  });
  it('finds the previous ready revision of the main one', () => {
    expect(previousRevision(service(undefined), revs)).toBe('hello-00001');
    expect(previousRevision(service([{ revisionName: 'hello-00001', percent: 100 }]), revs)).toBeUndefined();
  });
});

describe('command lines', () => {
  it('formats durations and the rollout command', () => {
    expect([500, 1000, 30_000, 90_000, 120_000].map(formatDuration)).toEqual([
      '500ms',
      '1s',
      '30s',
      '1m30s',
      '2m',
    ]);
    const plan = makeCanaryPlan({
      service: service([{ revisionName: 'hello-00001', percent: 100 }]),
      candidate: 'hello-00002',
      steps: [10, 100],
      intervalMs: 30_000,
      checks: { maxErrorRate: 0.01, maxP99Ms: 500 },
      tag: 'candidate',
    });
    expect(rolloutCommandLine(plan)).toBe(
      'knlite traffic rollout hello --to hello-00002 --steps 10,100 --interval 30s --max-error-rate 1% --max-p99 500ms --tag candidate',
    );
  });
});
