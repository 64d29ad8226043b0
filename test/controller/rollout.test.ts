/**
 * Gradual rollout, pure: the behaviour of Knative's pkg/reconciler/route/traffic/rollout_test.go
 * (Step, ObserveReady, adjustPercentage, stepRevisions, Validate, done, the JSON round trip), plus
 * building the rollout from resolved targets and turning it back into targets.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfigs, parseConfigs } from '../../src/lib/apis/config/index.js';
import { trafficGroups } from '../../src/lib/controller/route/resources/ingress.js';
import {
  parseRollout,
  rolloutDone,
  rolloutsByTag,
  serializeRollout,
  validateRollout,
  type ConfigurationRollout,
  type Rollout,
  type RolloutParams,
} from '../../src/lib/apis/rollout.js';
import {
  adjustPercentage,
  applyRollout,
  buildRollout,
  observeReady,
  rolloutDurationSeconds,
  stepRevisions,
  stepRollout,
} from '../../src/lib/controller/route/resources/rollout.js';
import type { RevisionTarget } from '../../src/lib/controller/route/resources/traffic.js';
import { route } from './fixtures.js';

/** A configuration rollout: name, share, [revision, percent] pairs, timing, tag. */
const cr = (
  configurationName: string,
  percent: number,
  revisions: [string, number][] = [],
  stepParams: RolloutParams = {},
  tag?: string,
): ConfigurationRollout => ({
  configurationName,
  ...(tag ? { tag } : {}),
  percent,
  revisions: revisions.map(([revisionName, p]) => ({ revisionName, percent: p })),
  stepParams,
});
const ro = (...configurations: ConfigurationRollout[]): Rollout => ({ configurations });
/** Go's cmp with EquateEmpty: compare through the serialised form (zero values left out). */
const norm = (r: Rollout) => JSON.parse(serializeRollout(r)) as unknown;

describe('stepRollout (Knative TestStep)', () => {
  const now = 2020;
  const rows: { name: string; cur: Rollout; prev?: Rollout; want: Rollout; next?: number }[] = [
    { name: 'no prev', cur: ro(), want: ro() },
    {
      name: 'prev is empty',
      cur: ro(cr('mick', 100, [['let-it-bleed', 100]])),
      prev: ro(cr('mick', 100)),
      want: ro(cr('mick', 100, [['let-it-bleed', 100]])),
    },
    {
      name: 'simplest, same: the timing of a finished rollout is dropped',
      cur: ro(
        cr('mick', 100, [['let-it-bleed', 100]], {
          nextStepTime: 2009,
          stepDuration: 2020,
          starttime: 2004,
          stepSize: 14,
        }),
      ),
      prev: ro(cr('mick', 100, [['let-it-bleed', 100]])),
      want: ro(cr('mick', 100, [['let-it-bleed', 100]])),
    },
    {
      name: 'simplest, step',
      cur: ro(cr('mick', 100, [['let-it-bleed', 100]])),
      prev: ro(
        cr(
          'mick',
          100,
          [
            ['their-satanic-majesties-request', 95],
            ['let-it-bleed', 5],
          ],
          { nextStepTime: 2019, stepDuration: 5, starttime: 2004, stepSize: 3 },
        ),
      ),
      want: ro(
        cr(
          'mick',
          100,
          [
            ['their-satanic-majesties-request', 92],
            ['let-it-bleed', 8],
          ],
          { nextStepTime: now + 5, stepDuration: 5, starttime: 2004, stepSize: 3 },
        ),
      ),
      next: now + 5,
    },
    {
      name: 'multiple configs step (sorted; the earliest next step is returned)',
      cur: ro(cr('mick', 42, [['let-it-bleed', 42]]), cr('keith', 52, [['beggars-banquet', 52]])),
      prev: ro(
        cr(
          'mick',
          42,
          [
            ['their-satanic-majesties-request', 37],
            ['let-it-bleed', 5],
          ],
          { nextStepTime: 2019, stepDuration: 43, starttime: 1961, stepSize: 3 },
        ),
        cr(
          'keith',
          52,
          [
            ['sticky-fingers', 36],
            ['beggars-banquet', 16],
          ],
          { nextStepTime: 2018, stepDuration: 55, starttime: 1971, stepSize: 4 },
        ),
      ),
      want: ro(
        cr(
          'keith',
          52,
          [
            ['sticky-fingers', 32],
            ['beggars-banquet', 20],
          ],
          { nextStepTime: now + 55, stepDuration: 55, starttime: 1971, stepSize: 4 },
        ),
        cr(
          'mick',
          42,
          [
            ['their-satanic-majesties-request', 34],
            ['let-it-bleed', 8],
          ],
          { nextStepTime: now + 43, stepDuration: 43, starttime: 1961, stepSize: 3 },
        ),
      ),
      next: now + 43,
    },
    {
      name: 'multiple configs step and roll',
      cur: ro(cr('mick', 42, [['let-it-bleed', 42]]), cr('keith', 52, [['tattoo-you', 52]])),
      prev: ro(
        cr(
          'mick',
          42,
          [
            ['their-satanic-majesties-request', 37],
            ['let-it-bleed', 5],
          ],
          { nextStepTime: 2019, stepDuration: 43, starttime: 1961, stepSize: 3 },
        ),
        cr(
          'keith',
          52,
          [
            ['sticky-fingers', 36],
            ['beggars-banquet', 16],
          ],
          { nextStepTime: 2018, stepDuration: 55, starttime: 1971, stepSize: 4 },
        ),
      ),
      want: ro(
        cr(
          'keith',
          52,
          [
            ['sticky-fingers', 36],
            ['beggars-banquet', 15],
            ['tattoo-you', 1],
          ],
          { starttime: 2020 },
        ),
        cr(
          'mick',
          42,
          [
            ['their-satanic-majesties-request', 34],
            ['let-it-bleed', 8],
          ],
          { nextStepTime: now + 43, stepDuration: 43, starttime: 1961, stepSize: 3 },
        ),
      ),
      next: now + 43,
    },
    {
      name: 'simplest, step, when stepsize=0 (first step not observed ready yet)',
      cur: ro(cr('mick', 100, [['let-it-bleed', 100]])),
      prev: ro(
        cr(
          'mick',
          100,
          [
            ['their-satanic-majesties-request', 95],
            ['let-it-bleed', 5],
          ],
          { starttime: 2004 },
        ),
      ),
      want: ro(
        cr(
          'mick',
          100,
          [
            ['their-satanic-majesties-request', 95],
            ['let-it-bleed', 5],
          ],
          { starttime: 2004 },
        ),
      ),
    },
    {
      name: 'when new revision becomes 0%',
      cur: ro(cr('charlie', 0, [['aftermath', 0]])),
      prev: ro(cr('charlie', 100, [['your-satanic-majesties-request', 100]])),
      want: ro(),
    },
    {
      name: "when new config is added but it's 0%",
      cur: ro(cr('charlie', 0, [['aftermath', 0]]), cr('mick', 100, [['between-the-buttons', 100]])),
      prev: ro(cr('mick', 100, [['between-the-buttons', 100]])),
      want: ro(cr('mick', 100, [['between-the-buttons', 100]])),
    },
    {
      name: 'simplest, roll: a new revision starts at 1%, old timing thrown out',
      cur: ro(cr('mick', 100, [['let-it-bleed', 100]])),
      prev: ro(
        cr('mick', 100, [['goat-head-soup', 100]], {
          nextStepTime: 1984,
          starttime: 1981,
          stepDuration: 1988,
          stepSize: 11,
        }),
      ),
      want: ro(
        cr(
          'mick',
          100,
          [
            ['goat-head-soup', 99],
            ['let-it-bleed', 1],
          ],
          { starttime: now },
        ),
      ),
    },
    {
      name: 'roll with percentage change down',
      cur: ro(cr('mick', 33, [['let-it-bleed', 33]])),
      prev: ro(
        cr('mick', 42, [
          ['goat-head-soup', 11],
          ['aftermath', 31],
        ]),
      ),
      want: ro(
        cr(
          'mick',
          33,
          [
            ['goat-head-soup', 2],
            ['aftermath', 30],
            ['let-it-bleed', 1],
          ],
          { starttime: now },
        ),
      ),
    },
    {
      name: 'roll with percentage change up',
      cur: ro(cr('mick', 75, [['let-it-bleed', 75]])),
      prev: ro(
        cr('mick', 25, [
          ['goat-head-soup', 11],
          ['aftermath', 14],
        ]),
      ),
      want: ro(
        cr(
          'mick',
          75,
          [
            ['goat-head-soup', 11],
            ['aftermath', 63],
            ['let-it-bleed', 1],
          ],
          { starttime: now },
        ),
      ),
    },
    {
      name: 'roll, where sum < 100% (the route also targets a revision)',
      cur: ro(cr('brian', 70, [['let-it-bleed', 70]])),
      prev: ro(cr('brian', 70, [['exile-on-main-st', 70]])),
      want: ro(
        cr(
          'brian',
          70,
          [
            ['exile-on-main-st', 69],
            ['let-it-bleed', 1],
          ],
          { starttime: now },
        ),
      ),
    },
    {
      name: 'roll with two existing revisions, no deletes',
      cur: ro(cr('mick', 100, [['sticky-fingers', 100]])),
      prev: ro(
        cr(
          'mick',
          100,
          [
            ['goat-head-soup', 95],
            ['beggars-banquet', 5],
          ],
          { starttime: now - 1982 },
        ),
      ),
      want: ro(
        cr(
          'mick',
          100,
          [
            ['goat-head-soup', 95],
            ['beggars-banquet', 4],
            ['sticky-fingers', 1],
          ],
          { starttime: now },
        ),
      ),
    },
    {
      name: 'roll with delete (two fast successive rolls)',
      cur: ro(cr('mick', 100, [['between-the-buttons', 100]])),
      prev: ro(
        cr(
          'mick',
          100,
          [
            ['goat-head-soup', 99],
            ['bridges-to-babylon', 1],
          ],
          { starttime: now - 1984 },
        ),
      ),
      want: ro(
        cr(
          'mick',
          100,
          [
            ['goat-head-soup', 99],
            ['between-the-buttons', 1],
          ],
          { starttime: now },
        ),
      ),
    },
    {
      name: 'roll with delete (minimal config target): 1% just moves',
      cur: ro(cr('mick', 1, [['between-the-buttons', 1]])),
      prev: ro(cr('mick', 1, [['bridges-to-babylon', 1]])),
      want: ro(cr('mick', 1, [['between-the-buttons', 1]])),
    },
    {
      name: 'new tag, no roll',
      cur: ro(
        cr('mick', 100, [['black-on-blue', 100]]),
        cr('mick', 100, [['black-on-blue', 100]], {}, 'jagger'),
      ),
      prev: ro(cr('mick', 100, [['black-on-blue', 100]])),
      want: ro(
        cr('mick', 100, [['black-on-blue', 100]]),
        cr('mick', 100, [['black-on-blue', 100]], {}, 'jagger'),
      ),
    },
    {
      name: 'deleted config, no roll',
      cur: ro(cr('mick', 100, [["it's-only-rock-n-roll", 100]])),
      prev: ro(cr('keith', 50, [['black-on-blue', 50]]), cr('mick', 50, [["it's-only-rock-n-roll", 50]])),
      want: ro(cr('mick', 100, [["it's-only-rock-n-roll", 100]])),
    },
    {
      name: 'a/b config, roll both: only the one above 1% rolls',
      cur: ro(cr('keith', 99, [['black-on-blue', 99]]), cr('mick', 1, [["it's-only-rock-n-roll", 1]])),
      prev: ro(
        cr('keith', 99, [["can't-get-no-satisfaction", 99]]),
        cr('mick', 1, [['get-off-my-cloud', 1]]),
      ),
      want: ro(
        cr(
          'keith',
          99,
          [
            ["can't-get-no-satisfaction", 98],
            ['black-on-blue', 1],
          ],
          { starttime: now },
        ),
        cr('mick', 1, [["it's-only-rock-n-roll", 1]]),
      ),
    },
    {
      name: 'new config, no roll, newer smaller',
      cur: ro(cr('keith', 50, [['black-on-blue', 50]]), cr('mick', 50, [["it's-only-rock-n-roll", 50]])),
      prev: ro(cr('mick', 100, [["it's-only-rock-n-roll", 100]])),
      want: ro(cr('keith', 50, [['black-on-blue', 50]]), cr('mick', 50, [["it's-only-rock-n-roll", 50]])),
    },
    {
      name: 'new config, no roll, newer larger',
      cur: ro(cr('keith', 50, [['black-on-blue', 50]]), cr('mick', 50, [["it's-only-rock-n-roll", 50]])),
      prev: ro(cr('keith', 100, [['black-on-blue', 100]])),
      want: ro(cr('keith', 50, [['black-on-blue', 50]]), cr('mick', 50, [["it's-only-rock-n-roll", 50]])),
    },
  ];
  it.each(rows)('$name', ({ cur, prev, want, next }) => {
    const got = stepRollout(structuredClone(cur), structuredClone(prev), now);
    expect(norm(got.rollout)).toEqual(norm(want));
    expect(validateRollout(got.rollout)).toBe(true);
    expect(got.nextStepTime).toBe(next ?? 0);
  });
});

describe('observeReady (Knative TestObserveReady)', () => {
  const now = 200620092020 + 1982;
  const oldenDays = 198219841988;
  const ancientDays = 14921812;
  const s = 1e9;
  it('times the rollouts that started and have no step duration yet', () => {
    const r = ro(
      cr('has-step', 100, [], { stepDuration: 11 }),
      cr('no-step-no-begin', 100),
      cr('step-begin < 1s', 100, [], { starttime: 200620092020 }),
      cr('step-begin > 1s', 100, [], { starttime: oldenDays }),
      cr('step-begin > 1s, step size round up', 75, [], { starttime: oldenDays }),
      cr('Percent not 100%', 50, [], { starttime: oldenDays }),
      // A first step longer than the whole duration: the rest goes in one final step.
      cr('días antiguos', 13, [], { starttime: ancientDays }),
    );
    observeReady(r, now, 120);
    expect(r.configurations!.map((c) => c.stepParams)).toEqual([
      { stepDuration: 11 },
      {},
      // (120s-1s)/99 steps of 1%.
      { starttime: 200620092020, stepDuration: 1202020202, stepSize: 1, nextStepTime: now + 1202020202 },
      { starttime: oldenDays, stepDuration: 3 * s, stepSize: 3, nextStepTime: now + 3 * s },
      { starttime: oldenDays, stepDuration: 3 * s, stepSize: 2, nextStepTime: now + 3 * s },
      { starttime: oldenDays, stepDuration: 3 * s, stepSize: 1, nextStepTime: now + 3 * s },
      { starttime: ancientDays, stepDuration: s, stepSize: 12, nextStepTime: now + s },
    ]);
  });
});

describe('adjustPercentage (Knative TestAdjustPercentage)', () => {
  const revs = (...ps: number[]) => ps.map((p) => ['r', p] as [string, number]);
  it.each([
    ['noop, 100%', 100, cr('c', 100, revs(71, 29)), [71, 29]],
    ['noop, 42%', 42, cr('c', 42, revs(21, 21)), [21, 21]],
    ['raise, 42% -> 75%: the newest gets the difference', 75, cr('c', 42, revs(21, 21)), [21, 54]],
    ['lower, 75%->42%, lose 1', 42, cr('c', 75, revs(21, 54)), [42]],
    ['lower, 75%->42%, lose 1, update 2, keep 3', 42, cr('c', 75, revs(21, 22, 32)), [10, 32]],
    ['lower, 75%->42%, lose 2, update 3', 42, cr('c', 75, revs(10, 5, 60)), [42]],
    ['go to 0%', 0, cr('c', 75, revs(10, 5, 60)), []],
  ])('%s', (_name, goal, prev, want) => {
    adjustPercentage(goal, prev);
    expect((prev.revisions ?? []).map((r) => r.percent)).toEqual(want);
  });
});

describe('stepRevisions (Knative TestStepRevisions)', () => {
  const revs = (...ps: number[]) => ps.map((p, i) => [`r${i}`, p] as [string, number]);
  it.each([
    [
      'noop (1): too soon',
      1982,
      cr('c', 75, revs(10, 5, 60), { nextStepTime: 1984, stepSize: 10 }),
      [10, 5, 60],
      { nextStepTime: 1984, stepSize: 10 },
    ],
    [
      'noop (2): done',
      1982,
      cr('c', 10, revs(10), { nextStepTime: 1984, stepDuration: 10, stepSize: 10 }),
      [10],
      { nextStepTime: 1984, stepDuration: 10, stepSize: 10 },
    ],
    [
      'step last, exact time',
      1984,
      cr('c', 90, revs(30, 60), { nextStepTime: 1984, stepSize: 10, stepDuration: 55 }),
      [20, 70],
      { nextStepTime: 1984 + 55, stepDuration: 55, stepSize: 10 },
    ],
    [
      'step last, delete some',
      1988,
      cr('c', 90, revs(22, 5, 3, 60), { nextStepTime: 1984, stepSize: 10, stepDuration: 55 }),
      [20, 70],
      { nextStepTime: 1988 + 55, stepDuration: 55, stepSize: 10 },
    ],
    [
      'over target now: capped at the share, timing reset',
      1988,
      cr('c', 15, revs(5, 1, 1, 8), { nextStepTime: 1984, stepSize: 10, stepDuration: 77 }),
      [15],
      {},
    ],
    [
      'the very last step',
      2006,
      cr('c', 15, revs(5, 1, 1, 8), { nextStepTime: 1984, starttime: 1977, stepDuration: 77, stepSize: 8 }),
      [15],
      {},
    ],
  ])('%s', (_name, now, cfg, percents, params) => {
    stepRevisions(cfg, now);
    expect(cfg.revisions!.map((r) => r.percent)).toEqual(percents);
    expect(cfg.stepParams).toEqual(params);
  });

  it('the newest revision is the one kept', () => {
    const c = cr('c', 100, revs(5, 95), { nextStepTime: 1, stepSize: 10, stepDuration: 1 });
    stepRevisions(c, 1);
    expect(c.revisions).toEqual([{ revisionName: 'r1', percent: 100 }]);
  });
});

describe('validateRollout, rolloutDone, rolloutsByTag, JSON', () => {
  it.each([
    ['config > 100%', ro(cr('keith', 101, [['black-on-blue', 101]]))],
    ['step larger than total', ro(cr('keith', 71, [['black-on-blue', 71]], { stepSize: 75 }))],
    ['step negative', ro(cr('keith', 71, [['black-on-blue', 71]], { stepSize: -1 }))],
    ['rev more than config', ro(cr('keith', 42, [['black-on-blue', 43]]))],
    [
      'revs more than config',
      ro(
        cr('keith', 42, [
          ['black-on-blue', 41],
          ['smith', 3],
        ]),
      ),
    ],
    [
      '2nd config > 100%',
      ro(cr('rob', 10, [['roy', 10]]), cr('keith', 101, [['black-on-blue', 101]], {}, 'richards')),
    ],
  ])('invalid: %s', (_name, r) => {
    expect(validateRollout(r)).toBe(false);
    expect(parseRollout(JSON.stringify(r))).toBeUndefined();
  });

  it('done: none, one or zero revisions; not done with several', () => {
    const many = cr('many', 100, [
      ['black-on-blue', 83],
      ['flowers', 17],
    ]);
    const r: Rollout = {
      configurations: [
        { configurationName: 'nil', percent: 100, stepParams: {} },
        cr('one', 100, [['roy', 100]]),
        cr('no', 0),
        many,
      ],
    };
    expect(rolloutDone(r)).toBe(false);
    r.configurations!.pop();
    expect(rolloutDone(r)).toBe(true);
  });

  it('by tag: the default tag is ""', () => {
    const r = ro(cr('a', 50), cr('b', 50), cr('a', 100, [], {}, 'x'), cr('a', 100, [], {}, 'y'));
    expect(rolloutsByTag(r, '').map((c) => c.configurationName)).toEqual(['a', 'b']);
    expect(rolloutsByTag(r, 'x')).toEqual([cr('a', 100, [], {}, 'x')]);
    expect(rolloutsByTag(r, 'z')).toEqual([]);
  });

  it("round-trips through Knative's JSON shape; garbage and inconsistent state read as none", () => {
    const r = ro(
      cr('one', 100, [['roy', 100]]),
      cr(
        'two',
        100,
        [
          ['black-on-blue', 83],
          ['flowers', 17],
        ],
        { starttime: 1.7e18, nextStepTime: 1.7e18 + 3e9, stepDuration: 3e9, stepSize: 3 },
        'tag',
      ),
    );
    const text = serializeRollout(r);
    expect(JSON.parse(text)).toEqual({
      configurations: [
        {
          configurationName: 'one',
          percent: 100,
          revisions: [{ revisionName: 'roy', percent: 100 }],
          stepParams: {},
        },
        {
          configurationName: 'two',
          tag: 'tag',
          percent: 100,
          revisions: [
            { revisionName: 'black-on-blue', percent: 83 },
            { revisionName: 'flowers', percent: 17 },
          ],
          stepParams: { starttime: 1.7e18, nextStepTime: 1.7e18 + 3e9, stepDuration: 3e9, stepSize: 3 },
        },
      ],
    });
    expect(parseRollout(text)).toEqual(r);
    expect(serializeRollout(ro())).toBe('{}');
    expect(parseRollout('{}')).toEqual({});
    expect(parseRollout('not json')).toBeUndefined();
    expect(parseRollout('{"configurations":[{"percent":"x"}]}')).toBeUndefined();
    expect(parseRollout(undefined)).toBeUndefined();
  });
});

describe('rollouts from and back to traffic targets', () => {
  const t = (o: Partial<RevisionTarget> & { revisionName: string; percent: number }): RevisionTarget => o;
  const targets = [
    t({ configurationName: 'foo', latestRevision: true, revisionName: 'foo-2', percent: 70, tag: 'cur' }),
    t({ configurationName: 'foo', latestRevision: false, revisionName: 'foo-1', percent: 30 }),
    t({ configurationName: 'foo', latestRevision: false, revisionName: 'foo-1', percent: 0, tag: 'old' }),
  ];

  it('one configuration rollout per traffic group for latest targets with a share (tag groups at 100%)', () => {
    expect(buildRollout(trafficGroups(targets))).toEqual(
      ro(cr('foo', 70, [['foo-2', 70]]), cr('foo', 100, [['foo-2', 100]], {}, 'cur')),
    );
    // Latest targets of one revision in the default group are joined.
    const twoTags = [
      t({ configurationName: 'foo', latestRevision: true, revisionName: 'foo-2', percent: 50, tag: 'a' }),
      t({ configurationName: 'foo', latestRevision: true, revisionName: 'foo-2', percent: 50, tag: 'b' }),
    ];
    expect(rolloutsByTag(buildRollout(trafficGroups(twoTags)), '')).toEqual([
      cr('foo', 100, [['foo-2', 100]]),
    ]);
    expect(buildRollout(trafficGroups([targets[1]]))).toEqual(ro());
  });

  it('a latest target mid-rollout becomes one target per rolled revision; others stay', () => {
    const r = ro(
      cr('foo', 70, [
        ['foo-1', 49],
        ['foo-2', 21],
      ]),
      cr('foo', 100, [['foo-2', 100]], {}, 'cur'),
    );
    expect(applyRollout(targets, r, () => '')).toEqual([
      { ...targets[0], revisionName: 'foo-1', percent: 49 },
      { ...targets[0], revisionName: 'foo-2', percent: 21 },
      targets[1],
      targets[2],
    ]);
    // By its own tag ("cur"), that target is done rolling.
    expect(applyRollout(targets, r, (x) => x.tag ?? '')).toEqual(targets);
  });

  it('rollout duration: the annotation (either spelling) wins over config-network; 0 = instant', () => {
    const cfg = parseConfigs((n) =>
      n === 'config-network'
        ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n }, data: { 'rollout-duration': '120' } }
        : undefined,
    );
    const annotated = (k: string, v: string) => {
      const r = route('foo');
      r.metadata.annotations = { [k]: v };
      return r;
    };
    expect(rolloutDurationSeconds(route('foo'), defaultConfigs())).toBe(0);
    expect(rolloutDurationSeconds(route('foo'), cfg)).toBe(120);
    expect(
      rolloutDurationSeconds(annotated('serving.knative.dev/rollout-duration', '5m'), defaultConfigs()),
    ).toBe(300);
    expect(
      rolloutDurationSeconds(annotated('serving.knative.dev/rolloutDuration', '90s'), defaultConfigs()),
    ).toBe(90);
    expect(rolloutDurationSeconds(annotated('serving.knative.dev/rollout-duration', '0s'), cfg)).toBe(120);
  });
});
