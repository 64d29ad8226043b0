import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeFigures,
  histogramQuantile,
  makeMetricsSource,
  makeScrape,
  parsePrometheusText,
} from '../../src/lib/rollout/metrics.js';

const TEXT_BEFORE = `# HELP knlite_requests_total Requests handled by the gateway
# TYPE knlite_requests_total counter
knlite_requests_total{namespace="default",service="hello",revision="hello-00001",code="200"} 100
knlite_requests_total{namespace="default",service="hello",revision="hello-00002",code="200"} 10
knlite_requests_total{namespace="default",service="other",revision="other-00001",code="500"} 7
# TYPE knlite_request_duration_seconds histogram
knlite_request_duration_seconds_bucket{le="0.1",namespace="default",service="hello",revision="hello-00002"} 10
knlite_request_duration_seconds_bucket{le="0.5",namespace="default",service="hello",revision="hello-00002"} 10
knlite_request_duration_seconds_bucket{le="+Inf",namespace="default",service="hello",revision="hello-00002"} 10
knlite_request_duration_seconds_sum{namespace="default",service="hello",revision="hello-00002"} 0.3
`;

const TEXT_AFTER = `knlite_requests_total{namespace="default",service="hello",revision="hello-00001",code="200"} 300
knlite_requests_total{namespace="default",service="hello",revision="hello-00002",code="200"} 80
knlite_requests_total{namespace="default",service="hello",revision="hello-00002",code="503"} 30
knlite_requests_total{namespace="default",service="other",revision="other-00001",code="500"} 70
knlite_request_duration_seconds_bucket{le="0.1",namespace="default",service="hello",revision="hello-00002"} 60
knlite_request_duration_seconds_bucket{le="0.5",namespace="default",service="hello",revision="hello-00002"} 110
knlite_request_duration_seconds_bucket{le="+Inf",namespace="default",service="hello",revision="hello-00002"} 110
`;

describe('parsePrometheusText', () => {
  it('reads names, labels and values, skipping comments', () => {
    const samples = parsePrometheusText('# c\nfoo{a="x\\"y",b="2"} 3.5\nbar 1e3\nbaz{le="+Inf"} +Inf\n\n');
    expect(samples).toEqual([
      { name: 'foo', labels: { a: 'x"y', b: '2' }, value: 3.5 },
      { name: 'bar', labels: {}, value: 1000 },
      { name: 'baz', labels: { le: '+Inf' }, value: Infinity },
    ]);
  });
});

describe('histogramQuantile', () => {
  it.each([
    [
      'no observations',
      0.99,
      [
        { le: 0.1, count: 0 },
        { le: Infinity, count: 0 },
      ],
      undefined,
    ],
    [
      'interpolates inside a bucket',
      0.99,
      [
        { le: 0.1, count: 50 },
        { le: 0.5, count: 100 },
        { le: Infinity, count: 100 },
      ],
      0.492,
    ],
    [
      'first bucket starts at 0',
      0.5,
      [
        { le: 0.2, count: 10 },
        { le: Infinity, count: 10 },
      ],
      0.1,
    ],
    [
      'rank in +Inf answers the highest finite bound',
      0.99,
      [
        { le: 0.1, count: 50 },
        { le: Infinity, count: 100 },
      ],
      0.1,
    ],
    [
      'unsorted input',
      0.5,
      [
        { le: Infinity, count: 4 },
        { le: 1, count: 4 },
        { le: 0.5, count: 0 },
      ],
      0.75,
    ],
  ])('%s', (_name, q, buckets, want) => {
    const got = histogramQuantile(q, buckets);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(want, 6);
  });
});

describe('computeFigures', () => {
  it('computes per-revision rate, error rate and p99 between two scrapes', () => {
    const before = makeScrape(parsePrometheusText(TEXT_BEFORE), 'default', 'hello', 0);
    const after = makeScrape(parsePrometheusText(TEXT_AFTER), 'default', 'hello', 10_000);
    const figures = computeFigures(before, after);
    expect([...figures.keys()]).toEqual(['hello-00001', 'hello-00002']);
    expect(figures.get('hello-00001')).toEqual({
      revision: 'hello-00001',
      requests: 200,
      rps: 20,
      errorRate: 0,
      p99Ms: undefined,
    });
    const cand = figures.get('hello-00002')!;
    expect(cand.requests).toBe(100);
    expect(cand.rps).toBe(10);
    expect(cand.errorRate).toBeCloseTo(0.3);
    // Window buckets: ≤0.1: 50, ≤0.5: 100 → p99 = 0.1 + 0.4·(99−50)/50 = 0.492 s.
    expect(cand.p99Ms).toBeCloseTo(492);
  });

  it('treats a counter that went down as restarted', () => {
    const before = makeScrape(parsePrometheusText(TEXT_AFTER), 'default', 'hello', 0);
    const after = makeScrape(parsePrometheusText(TEXT_BEFORE), 'default', 'hello', 1000);
    expect(computeFigures(before, after).get('hello-00002')?.requests).toBe(10);
  });

  it('reports no error rate without requests', () => {
    const s = makeScrape(parsePrometheusText(TEXT_BEFORE), 'default', 'hello', 0);
    expect(computeFigures(s, { ...s, at: 1000 }).get('hello-00002')).toMatchObject({
      requests: 0,
      rps: 0,
      errorRate: undefined,
      p99Ms: undefined,
    });
  });
});

describe('makeMetricsSource', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end(TEXT_AFTER));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('scrapes one service over HTTP', async () => {
    const scrape = await makeMetricsSource(url, 'default', 'hello').scrape();
    expect(scrape.requests.get('hello-00002')?.get('503')).toBe(30);
    expect(scrape.requests.has('other-00001')).toBe(false);
  });
});
