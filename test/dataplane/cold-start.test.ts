/** Cold starts per stage: seconds since queued, one histogram series per stage, p50/p99 of first bytes. */
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ColdStarts } from '../../src/lib/dataplane/cold-start.js';

describe('ColdStarts', () => {
  it('records each stage once, relative to the first queued request', async () => {
    let t = 1_000_000;
    const registry = new Registry();
    const cs = new ColdStarts(registry, () => t);
    cs.queued('default/hello-00001');
    t += 10;
    cs.queued('default/hello-00001'); // a second waiter joins the same cold start
    cs.mark('default/hello-00001', 'scale_decided');
    t += 200;
    cs.mark('default/hello-00001', 'process_spawned');
    t += 100;
    cs.mark('default/hello-00001', 'ready');
    cs.mark('default/hello-00001', 'ready'); // first time only
    cs.firstByte('default/hello-00001', t + 5);
    cs.firstByte('default/hello-00001', t + 50); // no cold start running any more
    expect(cs.summary('default/hello-00001')).toEqual({
      count: 1,
      last: {
        at: new Date(1_000_000).toISOString(),
        stages: { queued: 0, scale_decided: 0.01, process_spawned: 0.21, ready: 0.31, first_byte: 0.315 },
      },
      p50: 0.315,
      p99: 0.315,
    });
    const text = await registry.metrics();
    expect(text).toMatch(
      /^knlite_cold_start_seconds_sum\{namespace="default",revision="hello-00001",stage="first_byte"\} 0\.315$/m,
    );
  });

  it('an abandoned cold start is not recorded; quantiles over several', () => {
    let t = 0;
    const cs = new ColdStarts(new Registry(), () => t);
    cs.queued('ns/r');
    cs.abandon('ns/r');
    cs.firstByte('ns/r', 5);
    expect(cs.summary('ns/r')).toBeUndefined();
    for (const ms of [100, 200, 300, 400]) {
      cs.queued('ns/r');
      cs.firstByte('ns/r', t + ms);
      t += 1000;
    }
    expect(cs.summary('ns/r')).toMatchObject({ count: 4, p50: 0.2, p99: 0.4 });
  });
});
