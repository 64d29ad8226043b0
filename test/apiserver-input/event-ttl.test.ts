/**
 * Events expire after `--event-ttl` (an option here): each write restarts the clock, watchers see
 * the expiry as DELETED, and other kinds are untouched.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.js';
import { CM, configMap, startTestApiServer, type TestServer } from '../support/apiserver.js';

const EV = '/api/v1/namespaces/default/events';
const event = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name },
  involvedObject: { kind: 'ConfigMap', namespace: 'default', name: 'x' },
  reason: 'Test',
  message: 'hello',
  type: 'Normal',
});

describe('event TTL', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestApiServer({ eventTtlMs: 300 });
  });
  afterAll(async () => t.close());

  it('deletes an Event once its TTL has passed since its last write, and nothing else', async () => {
    const created = Date.now();
    expect((await t.req('POST', EV, event('ev-a'))).status).toBe(201);
    expect((await t.req('POST', CM, configMap('survivor'))).status).toBe(201);
    await waitUntil(
      'ev-a to expire',
      async () => (await t.req('GET', `${EV}/ev-a`)).status === 404,
      10_000,
      20,
    );
    expect(Date.now() - created).toBeGreaterThanOrEqual(250);
    expect((await t.req('GET', `${CM}/survivor`)).status).toBe(200);
  });

  it('restarts the TTL on every write', async () => {
    expect((await t.req('POST', EV, event('ev-b'))).status).toBe(201);
    const deadline = Date.now() + 900;
    // Keep writing for three TTLs: the Event must stay while it is being updated.
    await waitUntil(
      'three TTLs of writes',
      async () => {
        const r = await t.req(
          'PATCH',
          `${EV}/ev-b`,
          { count: Date.now() % 1000 },
          {
            'content-type': 'application/merge-patch+json',
          },
        );
        expect(r.status).toBe(200);
        return Date.now() > deadline;
      },
      10_000,
      50,
    );
    await waitUntil(
      'ev-b to expire after its writes stop',
      async () => (await t.req('GET', `${EV}/ev-b`)).status === 404,
      10_000,
      20,
    );
  });
});

describe('event TTL across restarts', () => {
  it('expires Events stored before a restart, counting from their last timestamp', async () => {
    const first = await startTestApiServer();
    expect((await first.req('POST', EV, event('ev-old'))).status).toBe(201);
    await first.server.close();
    // The second server has a short TTL: the Event, written before the restart, is past it soon.
    const second = await startTestApiServer({ dataDir: first.dir, eventTtlMs: 200 });
    try {
      await waitUntil(
        'ev-old to expire',
        async () => (await second.req('GET', `${EV}/ev-old`)).status === 404,
        10_000,
        20,
      );
    } finally {
      await second.close();
      fs.rmSync(first.dir, { recursive: true, force: true });
    }
  });
});
