import fs from 'node:fs';
import https from 'node:https';
import { CoreV1Api, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.js';
import { CM, configMap, startTestApiServer, type TestServer } from '../support/apiserver.js';

interface WatchEvent {
  type: string;
  object: any;
}

/** Opens a watch stream and collects its events until it ends or is closed. */
function openWatch(
  t: TestServer,
  path: string,
): { events: WatchEvent[]; status: Promise<number>; ended: Promise<void>; close(): void } {
  const events: WatchEvent[] = [];
  let close = (): void => undefined;
  let resolveStatus: (n: number) => void = () => undefined;
  const status = new Promise<number>((r) => (resolveStatus = r));
  const ended = new Promise<void>((resolve) => {
    const req = https.request(
      new URL(path, t.server.url),
      { ca: t.server.caPem, headers: { authorization: `Bearer ${t.server.token}` } },
      (res) => {
        resolveStatus(res.statusCode ?? 0);
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) events.push(JSON.parse(line) as WatchEvent);
          }
        });
        res.on('end', resolve);
        res.on('close', resolve);
      },
    );
    req.on('error', () => resolve());
    req.end();
    close = () => req.destroy();
  });
  return { events, status, ended, close: () => close() };
}

const summary = (events: WatchEvent[]): string[] =>
  events.map((e) => `${e.type} ${e.object?.metadata?.name ?? ''}`.trim());

describe('watch', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestApiServer({ historySize: 50, bookmarkIntervalMs: 200 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('streams ADDED/MODIFIED/DELETED as newline-delimited JSON, starting with existing objects', async () => {
    await t.req('POST', CM, configMap('w-existing'));
    const w = openWatch(t, `${CM}?watch=true`);
    expect(await w.status).toBe(200);
    await waitUntil('initial ADDED', () => w.events.some((e) => e.object.metadata.name === 'w-existing'));
    const created = (await t.req('POST', CM, configMap('w-1'))).body;
    await t.req('PUT', `${CM}/w-1`, { ...created, data: { a: 'b' } });
    await t.req('DELETE', `${CM}/w-1`);
    await waitUntil('DELETED w-1', () => w.events.some((e) => e.type === 'DELETED'));
    w.close();
    expect(summary(w.events).filter((s) => s.endsWith('w-1'))).toEqual([
      'ADDED w-1',
      'MODIFIED w-1',
      'DELETED w-1',
    ]);
    const rvs = w.events
      .filter((e) => e.object.metadata.name === 'w-1')
      .map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(new Set(rvs).size).toBe(3);
  });

  it('resumes from a resourceVersion with exactly the later events', async () => {
    const a = (await t.req('POST', CM, configMap('r-a'))).body;
    await t.req('POST', CM, configMap('r-b'));
    await t.req(
      'PATCH',
      `${CM}/r-a`,
      { data: { x: '1' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    const w = openWatch(t, `${CM}?watch=1&resourceVersion=${a.metadata.resourceVersion}`);
    await waitUntil('replayed events', () => w.events.length >= 2);
    await t.req('DELETE', `${CM}/r-b`);
    await waitUntil('live delete', () => w.events.length >= 3);
    w.close();
    expect(summary(w.events)).toEqual(['ADDED r-b', 'MODIFIED r-a', 'DELETED r-b']);
  });

  it('follows the legacy /watch/ path for one object, with selectors moving objects in and out', async () => {
    const w = openWatch(t, '/api/v1/watch/namespaces/default/configmaps/one');
    const ws = openWatch(t, `${CM}?watch=true&labelSelector=sel%3Dyes`);
    await Promise.all([w.status, ws.status]);
    await t.req('POST', CM, configMap('one', {}, { sel: 'no' }));
    await t.req('POST', CM, configMap('two', {}, { sel: 'yes' }));
    await t.req(
      'PATCH',
      `${CM}/one`,
      { metadata: { labels: { sel: 'yes' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    await t.req(
      'PATCH',
      `${CM}/one`,
      { metadata: { labels: { sel: 'no' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    await waitUntil('selector events', () => ws.events.length >= 3 && w.events.length >= 3);
    w.close();
    ws.close();
    expect(summary(w.events)).toEqual(['ADDED one', 'MODIFIED one', 'MODIFIED one']);
    expect(summary(ws.events)).toEqual(['ADDED two', 'ADDED one', 'DELETED one']);
  });

  it('ends the stream after timeoutSeconds, with a BOOKMARK when allowed', async () => {
    const w = openWatch(
      t,
      `${CM}?watch=true&timeoutSeconds=1&allowWatchBookmarks=true&resourceVersion=${(await t.req('GET', CM)).body.metadata.resourceVersion}`,
    );
    await w.ended;
    const bookmarks = w.events.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThan(0);
    expect(bookmarks[0].object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Number(bookmarks[0].object.metadata.resourceVersion)).toBeGreaterThan(0);
    const plain = openWatch(
      t,
      `${CM}?watch=true&timeoutSeconds=1&resourceVersion=${bookmarks[0].object.metadata.resourceVersion}`,
    );
    await plain.ended;
    expect(plain.events.filter((e) => e.type === 'BOOKMARK')).toEqual([]);
  });

  it('answers a resourceVersion older than the history with an ERROR event carrying 410 Expired', async () => {
    const first = (await t.req('POST', CM, configMap('old'))).body;
    // historySize is 50: enough writes push the first one out of the kept history.
    for (let i = 0; i < 80; i++)
      await t.req(
        'PATCH',
        `${CM}/old`,
        { data: { i: `x${i}` } },
        { 'content-type': 'application/merge-patch+json' },
      );
    const w = openWatch(t, `${CM}?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
    await w.ended;
    expect(w.events).toHaveLength(1);
    expect(w.events[0].type).toBe('ERROR');
    expect(w.events[0].object).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
    });
    expect(w.events[0].object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('streams the initial state then an initial-events-end BOOKMARK for sendInitialEvents', async () => {
    await t.req('POST', CM, configMap('wl-a'));
    const rv = (await t.req('GET', CM)).body.metadata.resourceVersion;
    const w = openWatch(
      t,
      `${CM}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=${rv}&timeoutSeconds=1`,
    );
    await w.ended;
    const end = w.events.findIndex(
      (e) => e.type === 'BOOKMARK' && e.object.metadata.annotations?.['k8s.io/initial-events-end'] === 'true',
    );
    expect(end).toBeGreaterThan(0);
    expect(w.events.slice(0, end).every((e) => e.type === 'ADDED')).toBe(true);
    expect(summary(w.events.slice(0, end))).toContain('ADDED wl-a');
  });

  it('rejects a malformed resourceVersion', async () => {
    const res = await t.req('GET', `${CM}?watch=true&resourceVersion=abc`);
    expect(res.status).toBe(400);
  });
});

describe('watch history across restarts', () => {
  it('resumes a watch after a restart from the persisted history', async () => {
    const first = await startTestApiServer();
    const dir = first.dir;
    const a = (await first.req('POST', CM, configMap('persist-a'))).body;
    await first.req('POST', CM, configMap('persist-b'));
    await first.server.close();
    const second = await startTestApiServer({ dataDir: dir });
    try {
      expect((await second.req('GET', `${CM}/persist-a`)).body.metadata.uid).toBe(a.metadata.uid);
      const w = openWatch(second, `${CM}?watch=true&resourceVersion=${a.metadata.resourceVersion}`);
      await waitUntil('replayed event', () => w.events.length >= 1);
      const c = (await second.req('POST', CM, configMap('persist-c'))).body;
      await waitUntil('live event', () => w.events.length >= 2);
      w.close();
      expect(summary(w.events)).toEqual(['ADDED persist-b', 'ADDED persist-c']);
      expect(Number(c.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion) + 1);
    } finally {
      await second.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('client-node informer across server-side watch timeouts', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestApiServer({ watchTimeoutSeconds: 1 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('sees every add, update and delete exactly once while the watch is re-established', async () => {
    const api = t.kc.makeApiClient(CoreV1Api);
    const informer = makeInformer(t.kc, '/api/v1/namespaces/default/configmaps', () =>
      api.listNamespacedConfigMap({ namespace: 'default' }),
    );
    const log: string[] = [];
    let connects = 0;
    informer.on('add', (o: V1ConfigMap) =>
      log.push(`add ${o.metadata!.name} ${JSON.stringify(o.data ?? {})}`),
    );
    informer.on('update', (o: V1ConfigMap) =>
      log.push(`update ${o.metadata!.name} ${JSON.stringify(o.data ?? {})}`),
    );
    informer.on('delete', (o: V1ConfigMap) => log.push(`delete ${o.metadata!.name}`));
    informer.on('connect', () => connects++);
    informer.on('error', (err: unknown) => log.push(`error ${String(err)}`));
    await informer.start();
    try {
      await api.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'inf-1' }, data: { v: '1' } },
      });
      await waitUntil('informer add', () => log.includes('add inf-1 {"v":"1"}'));
      // Let the server end at least one watch (1 s timeout) before the next changes.
      const seen = connects;
      await waitUntil('watch re-established', () => connects > seen, 10_000);
      await api.patchNamespacedConfigMap({
        namespace: 'default',
        name: 'inf-1',
        body: [{ op: 'replace', path: '/data', value: { v: '2' } }],
      });
      await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'inf-2' } } });
      const seen2 = connects;
      await waitUntil('watch re-established again', () => connects > seen2, 10_000);
      await api.deleteNamespacedConfigMap({ namespace: 'default', name: 'inf-1' });
      await waitUntil('informer delete', () => log.includes('delete inf-1'));
      const seen3 = connects;
      await waitUntil('one more re-establish', () => connects > seen3, 10_000);
      expect(log).toEqual(['add inf-1 {"v":"1"}', 'update inf-1 {"v":"2"}', 'add inf-2 {}', 'delete inf-1']);
      expect(informer.list().map((o) => o.metadata!.name)).toEqual(['inf-2']);
    } finally {
      await informer.stop();
    }
  });
});
