/**
 * The watch hub: streams newline-delimited JSON watch events (`{"type":"ADDED","object":{...}}`)
 * for one resource. Without a resourceVersion (or with "0") it starts with a synthetic ADDED per
 * existing object; with one it replays the kept history after it, then follows live commits.
 * A resourceVersion older than the history gets an ERROR event carrying a 410 Expired
 * metav1.Status. `allowWatchBookmarks` adds periodic BOOKMARK events (and one before a timeout
 * closes the stream); `timeoutSeconds` ends the stream cleanly; client disconnects unsubscribe.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../apis/types.js';
import { badRequest, makeStatus } from './errors.js';
import type { Matcher } from './selectors.js';
import type { Store, StoreEvent } from './store.js';
import type { ResourceType } from './types.js';

/** What a watch request asked for. */
export interface WatchRequest {
  type: ResourceType;
  /** Restrict to one namespace (undefined: all namespaces / cluster-scoped). */
  namespace?: string;
  /** Restrict to one object (legacy /watch/.../name paths, or fieldSelector=metadata.name=). */
  name?: string;
  match?: Matcher;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  /** Streaming list (WatchList): initial state as ADDED events, then an initial-events-end BOOKMARK. */
  sendInitialEvents?: boolean;
  /** Turns stored JSON into the event's object JSON (Table rendering, version rewrite). */
  encode(data: string, obj: () => KubeObject): string;
}

/** Server-wide watch settings. */
export interface WatchSettings {
  /** Timeout applied when the client sends none (kube-apiserver picks 30–60 min). */
  defaultTimeoutSeconds: number;
  /** Interval between BOOKMARK events when the client allows them. */
  bookmarkIntervalMs: number;
}

/** Stop a watch whose client has this much unread output: it is not keeping up. */
const MAX_BUFFERED = 64 * 1024 * 1024;

/** Serves a watch request until timeout, client disconnect or server shutdown; returns a closer. */
export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: Store,
  w: WatchRequest,
  settings: WatchSettings,
): () => void {
  const { type } = w;
  const ns = w.namespace;
  let since: number | undefined;
  if (
    !w.sendInitialEvents &&
    w.resourceVersion !== undefined &&
    w.resourceVersion !== '' &&
    w.resourceVersion !== '0'
  ) {
    if (!/^\d+$/.test(w.resourceVersion)) throw badRequest(`invalid resource version: ${w.resourceVersion}`);
    since = Number(w.resourceVersion);
  }

  const inScope = (e: { grp: string; resource: string; namespace: string; name: string }): boolean =>
    e.grp === type.group &&
    e.resource === type.resource &&
    (ns === undefined || e.namespace === ns) &&
    (w.name === undefined || e.name === w.name);

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let closed = false;
  // Events of one commit (or of the replay) are sent in one write: one chunk and one syscall per
  // batch instead of per event, which at a thousand objects per watcher was most of the fan-out.
  let batch: string | undefined;
  const write = (text: string): void => {
    res.write(text);
    if (res.writableLength > MAX_BUFFERED) close();
  };
  const send = (eventType: string, objectJson: string): void => {
    if (closed) return;
    const line = `{"type":"${eventType}","object":${objectJson}}\n`;
    if (batch === undefined) write(line);
    else batch += line;
  };
  const batched = (fn: () => void): void => {
    batch = '';
    try {
      fn();
    } finally {
      const text = batch;
      batch = undefined;
      if (text && !closed) write(text);
    }
  };
  const bookmark = (initialEventsEnd = false): void => {
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    const metadata: Record<string, unknown> = { resourceVersion: String(store.rv) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    send('BOOKMARK', JSON.stringify({ kind: type.kind, apiVersion, metadata }));
  };

  // Highest resourceVersion already delivered: replay and live events may overlap while a
  // group commit is in flight (replay reads uncommitted rows), so anything at or below it is skipped.
  let highWater = since ?? 0;
  const emit = (e: StoreEvent): void => {
    if (e.rv <= highWater || !inScope(e)) return;
    highWater = e.rv;
    let eventType: string = e.type;
    if (w.match) {
      const now = w.match(e.object());
      const before = e.prev ? w.match(e.prev) : undefined;
      if (e.type === 'MODIFIED' && before !== undefined) {
        // Moving in or out of the selector looks like an add or a delete to this watcher.
        if (now && !before) eventType = 'ADDED';
        else if (!now && before) eventType = 'DELETED';
        else if (!now) return;
      } else if (!now) return;
    }
    send(eventType, w.encode(e.data, e.object));
  };

  // Subscribe and replay in the same tick: commits cannot interleave, so nothing is lost or doubled.
  const unsubscribe = store.subscribe((events) => {
    try {
      batched(() => {
        for (const e of events) emit(e);
      });
    } catch (err) {
      // An event this watch cannot render ends this watch only; the client re-lists or resumes.
      process.emitWarning(`knlite watch: ${(err as Error).message}`);
      close();
    }
  });

  const timers: NodeJS.Timeout[] = [];
  const timeout =
    w.timeoutSeconds && w.timeoutSeconds > 0 ? w.timeoutSeconds : settings.defaultTimeoutSeconds;
  timers.push(
    setTimeout(() => {
      if (w.allowWatchBookmarks) bookmark();
      close();
    }, timeout * 1000),
  );
  if (w.allowWatchBookmarks) timers.push(setInterval(() => bookmark(), settings.bookmarkIntervalMs));

  function close(): void {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    res.end();
  }
  req.on('close', close);
  res.on('close', close);
  res.on('error', close);

  if (since !== undefined && since < store.compactedRv) {
    const status = makeStatus(
      410,
      'Expired',
      `too old resource version: ${since} (${store.compactedRv + 1})`,
    );
    send('ERROR', JSON.stringify(status));
    close();
    return close;
  }
  try {
    batched(replay);
  } catch (err) {
    close();
    throw err;
  }
  return close;

  function replay(): void {
    if (since === undefined) {
      highWater = store.rv;
      for (const row of store.list(type.group, type.resource, type.namespaced ? ns : undefined)) {
        if (w.name !== undefined && row.name !== w.name) continue;
        let parsed: KubeObject | undefined;
        const obj = (): KubeObject => (parsed ??= JSON.parse(row.data) as KubeObject);
        if (w.match && !w.match(obj())) continue;
        send('ADDED', w.encode(row.data, obj));
      }
      if (w.sendInitialEvents && w.allowWatchBookmarks) bookmark(true);
    } else {
      for (const e of store.eventsSince(type.group, type.resource, since!)) emit(e);
    }
  }
}
