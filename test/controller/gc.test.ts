import { describe, expect, it } from 'vitest';
import { DISABLED, type GCConfig } from '../../src/lib/apis/config/gc.js';
import { collect } from '../../src/lib/controller/gc/resources/collect.js';
import { gcReconciler } from '../../src/lib/controller/gc/reconciler.js';
import { defaultConfigs } from '../../src/lib/apis/config/index.js';
import {
  configuration,
  revision,
  stampedBy,
  withAnnotations,
  withCreated,
  withLabels,
  withStatus,
  World,
  NOW,
} from './fixtures.js';

const H = 3_600_000;
const cfg = configuration('foo', withStatus({ latestReadyRevisionName: 'foo-00010' }));
const now = NOW.getTime();
const iso = (ms: number) => new Date(ms).toISOString();
/** A reserve revision created `age` hours ago and last active `idle` hours ago. */
const rev = (n: number, age: number, idle = age, ...more: ((r: any) => void)[]) =>
  revision(
    `foo-${String(n).padStart(5, '0')}`,
    stampedBy(cfg, n),
    withCreated(iso(now - age * H)),
    withLabels({ 'serving.knative.dev/routingState': 'reserve' }),
    withAnnotations({ 'serving.knative.dev/routingStateModified': iso(now - idle * H) }),
    ...more,
  );
const gc = (o: Partial<GCConfig>): GCConfig => ({
  retainSinceCreateTime: 48 * H,
  retainSinceLastActiveTime: 15 * H,
  minNonActiveRevisions: 20,
  maxNonActiveRevisions: 1000,
  ...o,
});

describe('revision GC (collect)', () => {
  it.each([
    [
      'defaults keep 20 non-active revisions (the latest ready one is never a candidate)',
      gc({}),
      25,
      ['foo-00001', 'foo-00002', 'foo-00003', 'foo-00004'],
    ],
    [
      'min 2: stale ones go, oldest first, down to min',
      gc({ minNonActiveRevisions: 2 }),
      5,
      ['foo-00001', 'foo-00002', 'foo-00003'],
    ],
    [
      'max 3 with time checks disabled: the oldest go',
      gc({
        minNonActiveRevisions: 0,
        maxNonActiveRevisions: 3,
        retainSinceCreateTime: DISABLED,
        retainSinceLastActiveTime: DISABLED,
      }),
      5,
      ['foo-00001', 'foo-00002'],
    ],
    [
      'everything disabled: nothing',
      gc({
        minNonActiveRevisions: 0,
        maxNonActiveRevisions: DISABLED,
        retainSinceCreateTime: DISABLED,
        retainSinceLastActiveTime: DISABLED,
      }),
      5,
      [],
    ],
  ])('%s', (_n, settings, count, expected) => {
    const revs = Array.from({ length: count }, (_, i) => rev(i + 1, 100 - i));
    expect(collect(cfg, revs, settings, now).delete).toEqual(expected);
  });

  it('never collects active, pending, no-gc or latest ready revisions', () => {
    const revs = [
      rev(1, 100),
      rev(2, 100, 100, withLabels({ 'serving.knative.dev/routingState': 'active' })),
      rev(3, 100, 100, withLabels({ 'serving.knative.dev/routingState': 'pending' })),
      rev(4, 100, 100, withAnnotations({ 'serving.knative.dev/no-gc': 'TRUE' })),
      rev(10, 100),
    ];
    expect(collect(cfg, revs, gc({ minNonActiveRevisions: 0 }), now).delete).toEqual(['foo-00001']);
  });

  it('recently active or recently created revisions are not stale yet', () => {
    const revs = [rev(1, 100, 1), rev(2, 10, 100), rev(3, 100, 100)];
    const out = collect(cfg, revs, gc({ minNonActiveRevisions: 0 }), now);
    expect(out.delete).toEqual(['foo-00003']);
    expect(out.recheckAfter).toBe(14 * H);
  });

  it('the reconciler deletes what collect picks', async () => {
    const w = new World([cfg, rev(1, 100), rev(2, 100), rev(3, 1)]);
    const config = { ...defaultConfigs(), gc: gc({ minNonActiveRevisions: 0 }) };
    const result = await w.reconcile(gcReconciler(w.deps(config)), 'default/foo');
    expect(w.summary()).toEqual(['delete Revision foo-00001', 'delete Revision foo-00002']);
    // foo-00003 turns stale in 47h (create time); rechecks are capped at an hour.
    expect(result).toEqual({ requeueAfter: H });
  });
});
