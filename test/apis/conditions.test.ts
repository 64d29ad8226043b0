import { describe, expect, it } from 'vitest';
import { conditionSet, formatTime, getCondition, isFailed, isReady } from '../../src/lib/apis/conditions.js';
import type { KnStatus } from '../../src/lib/apis/types.js';

/** A clock that returns the times it is given, advancing one second per call after the list ends. */
function clock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let t = start;
  const fn = () => new Date(t);
  fn.tick = (s = 1) => {
    t += s * 1000;
  };
  return fn;
}

const set = conditionSet('Ready', ['A', 'B']);

describe('conditionSet', () => {
  it('initializes Ready and dependents Unknown, sorted by type', () => {
    const s: KnStatus = {};
    set.manage(s, clock()).initializeConditions();
    expect(s.conditions).toEqual([
      { type: 'A', status: 'Unknown', lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'B', status: 'Unknown', lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'Ready', status: 'Unknown', lastTransitionTime: '2026-01-01T00:00:00Z' },
    ]);
  });

  it('initializes missing dependents True when Ready is already True', () => {
    const s: KnStatus = { conditions: [{ type: 'Ready', status: 'True' }] };
    set.manage(s).initializeConditions();
    expect(getCondition(s, 'A')?.status).toBe('True');
    expect(getCondition(s, 'B')?.status).toBe('True');
  });

  it('Ready becomes True only when every dependent is True', () => {
    const s: KnStatus = {};
    const m = set.manage(s);
    m.initializeConditions();
    m.markTrue('A');
    expect(getCondition(s, 'Ready')?.status).toBe('Unknown');
    m.markTrue('B');
    expect(getCondition(s, 'Ready')).toMatchObject({ status: 'True' });
    expect(getCondition(s, 'Ready')?.reason).toBeUndefined();
    expect(m.isHappy()).toBe(true);
  });

  it('markFalse on a dependent copies reason and message to Ready', () => {
    const s: KnStatus = {};
    const m = set.manage(s);
    m.initializeConditions();
    m.markFalse('A', 'Broken', 'it broke');
    expect(getCondition(s, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Broken',
      message: 'it broke',
    });
  });

  it('markUnknown keeps Ready False when another dependent is False (reason kept)', () => {
    const s: KnStatus = {};
    const m = set.manage(s);
    m.initializeConditions();
    m.markFalse('A', 'Broken', 'it broke');
    m.markUnknown('B', 'Waiting', 'wait');
    expect(getCondition(s, 'Ready')).toMatchObject({ status: 'False', reason: 'Broken' });
  });

  it('markUnknown sets Ready False with its own reason when Ready was not False', () => {
    const s: KnStatus = {
      conditions: [
        { type: 'A', status: 'False', reason: 'X' },
        { type: 'B', status: 'True' },
        { type: 'Ready', status: 'Unknown' },
      ],
    };
    set.manage(s).markUnknown('B', 'Waiting', 'wait');
    expect(getCondition(s, 'Ready')).toMatchObject({ status: 'False', reason: 'Waiting', message: 'wait' });
  });

  it('markTrue copies the most recently transitioned False dependent, else Unknown', () => {
    const now = clock();
    const s: KnStatus = {};
    const m = set.manage(s, now);
    m.initializeConditions();
    now.tick();
    m.markUnknown('B', 'Slow', 'slow');
    m.markTrue('A');
    expect(getCondition(s, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'Slow', message: 'slow' });
    // Same second: the in-memory order decides, like Go's nanosecond timestamps.
    m.markFalse('A', 'First', 'first');
    m.markFalse('B', 'Second', 'second');
    m.markTrue('C-not-a-dependent');
    expect(getCondition(s, 'Ready')).toMatchObject({ status: 'False', reason: 'Second' });
  });

  it('Info conditions never affect Ready', () => {
    const s: KnStatus = {};
    const m = set.manage(s);
    m.initializeConditions();
    m.markTrue('A');
    m.markTrue('B');
    m.markFalse('Active', 'NoTraffic', 'The target is not receiving traffic.');
    expect(getCondition(s, 'Active')).toMatchObject({ severity: 'Info', status: 'False' });
    expect(getCondition(s, 'Ready')?.status).toBe('True');
  });

  it('only advances lastTransitionTime when content changes', () => {
    const now = clock();
    const s: KnStatus = {};
    const m = set.manage(s, now);
    m.initializeConditions();
    m.markFalse('A', 'R', 'm');
    const before = getCondition(s, 'A')!.lastTransitionTime;
    now.tick(10);
    m.markFalse('A', 'R', 'm');
    expect(getCondition(s, 'A')!.lastTransitionTime).toBe(before);
    m.markFalse('A', 'R', 'other');
    expect(getCondition(s, 'A')!.lastTransitionTime).toBe('2026-01-01T00:00:10Z');
  });

  it('clearCondition removes only non-terminal conditions', () => {
    const s: KnStatus = {};
    const m = set.manage(s);
    m.initializeConditions();
    m.markTrue('Active');
    m.clearCondition('Active');
    m.clearCondition('A');
    expect(s.conditions!.map((c) => c.type)).toEqual(['A', 'B', 'Ready']);
  });

  it('a set without dependents: markTrue(Ready) stays True', () => {
    const s: KnStatus = {};
    const m = conditionSet('Ready', []).manage(s);
    m.markUnknown('Ready', '', '');
    expect(getCondition(s, 'Ready')).toEqual({
      type: 'Ready',
      status: 'Unknown',
      lastTransitionTime: expect.any(String),
    });
    m.markTrue('Ready');
    expect(m.isHappy()).toBe(true);
  });
});

describe('isReady / isFailed', () => {
  const obj = (generation: number, observed: number, status: 'True' | 'False' | 'Unknown') => ({
    metadata: { generation },
    status: { observedGeneration: observed, conditions: [{ type: 'Ready', status }] },
  });
  it.each([
    [1, 1, 'True', true, false],
    [2, 1, 'True', false, false],
    [1, 1, 'False', false, true],
    [2, 1, 'False', false, false],
    [1, 1, 'Unknown', false, false],
  ] as const)('gen %i observed %i Ready %s → ready %s failed %s', (g, o, st, ready, failed) => {
    expect(isReady(obj(g, o, st))).toBe(ready);
    expect(isFailed(obj(g, o, st))).toBe(failed);
  });
});

describe('formatTime', () => {
  it('renders RFC 3339 with whole seconds', () => {
    expect(formatTime(new Date('2026-03-04T05:06:07.891Z'))).toBe('2026-03-04T05:06:07Z');
  });
});
