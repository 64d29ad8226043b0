/**
 * The embedded API server's storage: one SQLite database (WAL; a write is on disk before it is
 * acknowledged, see `commit`) holding every object as JSON keyed by group/resource/namespace/
 * name, a global monotonic resourceVersion (one per write), an owner index for garbage collection
 * and a bounded event history that watches replay from. All methods are synchronous: the router
 * runs check-then-write without interleaving because Node runs one handler at a time.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { KubeObject } from '../apis/types.js';

/** Where an object lives. `namespace` is '' for cluster-scoped objects. */
export interface ObjectKey {
  grp: string;
  resource: string;
  namespace: string;
  name: string;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change, as watches see it. `data` is the object's JSON at `rv`. */
export interface StoreEvent extends ObjectKey {
  type: EventType;
  rv: number;
  data: string;
  /** The object before this change (live events only; replayed ones do not carry it). */
  prev?: KubeObject;
  /** Parsed `data`, cached. */
  object(): KubeObject;
}

/** A raw row of a list: the JSON text of each object, parsed only when needed. */
export interface StoredRow {
  namespace: string;
  name: string;
  data: string;
}

type Listener = (events: StoreEvent[]) => void;

/** Writes committed together: their events, who waits for them, and the counters to undo them. */
interface Batch {
  events: StoreEvent[];
  waiters: { resolve: () => void; reject: (e: unknown) => void }[];
  rv: number;
  compacted: number;
  writesSincePrune: number;
}

/** How many events watches can resume from (older resourceVersions get 410 Gone). */
export const DEFAULT_HISTORY = 10_000;

function makeEvent(
  key: ObjectKey,
  type: EventType,
  rv: number,
  data: string,
  prev?: KubeObject,
  parsed?: KubeObject,
): StoreEvent {
  let cached = parsed;
  return {
    ...key,
    type,
    rv,
    data,
    prev,
    object: () => (cached ??= JSON.parse(data) as KubeObject),
  };
}

/** SQLite-backed object store with a global resourceVersion and watch history. */
export class Store {
  private readonly db: Database.Database;
  private currentRv: number;
  private compacted: number;
  private writesSincePrune = 0;
  /** The open group-commit batch: the writes that will share the next COMMIT and fsync. */
  private pending: Batch | undefined;
  /** The committed batch whose WAL fsync is in flight (at most one). */
  private syncing: Batch | undefined;
  /** The write-ahead log, opened to fsync it off the event loop (see `commit`). */
  private readonly walFd: number;
  private readonly listeners = new Set<Listener>();
  private readonly stmts;

  constructor(
    dataDir: string,
    private readonly history = DEFAULT_HISTORY,
  ) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, 'state.db');
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL: COMMIT writes the WAL without syncing it; `commit` syncs the WAL itself (fdatasync,
    // as SQLite's FULL does) on libuv's thread pool and acknowledges the batch only then, so an
    // acknowledged write survives kill -9 and power loss as with FULL, without blocking the event
    // loop for every sync.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS objects (
        grp TEXT NOT NULL, resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
        uid TEXT NOT NULL, rv INTEGER NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (grp, resource, namespace, name)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS objects_uid ON objects(uid);
      CREATE INDEX IF NOT EXISTS objects_ns ON objects(namespace);
      CREATE TABLE IF NOT EXISTS owners (
        owner_uid TEXT NOT NULL, grp TEXT NOT NULL, resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
        PRIMARY KEY (owner_uid, grp, resource, namespace, name)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS owners_dep ON owners(grp, resource, namespace, name);
      CREATE TABLE IF NOT EXISTS events (
        rv INTEGER PRIMARY KEY, type TEXT NOT NULL,
        grp TEXT NOT NULL, resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS events_res ON events(grp, resource, rv);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    // The WAL and shared-memory files exist now (the schema write created them): keep all private.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) {
      if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
    }
    // The WAL stays this one file while the connection is open (SQLite rewinds it, never replaces
    // it), so fsyncing this descriptor makes every committed frame durable.
    this.walFd = fs.openSync(`${file}-wal`, 'a', 0o600);
    this.stmts = {
      get: this.db.prepare<[string, string, string, string], { data: string }>(
        'SELECT data FROM objects WHERE grp = ? AND resource = ? AND namespace = ? AND name = ?',
      ),
      byUid: this.db.prepare<[string], ObjectKey>(
        'SELECT grp, resource, namespace, name FROM objects WHERE uid = ?',
      ),
      listAll: this.db.prepare<[string, string, string, string], StoredRow>(
        'SELECT namespace, name, data FROM objects WHERE grp = ? AND resource = ? AND (namespace, name) > (?, ?) ORDER BY namespace, name',
      ),
      countRes: this.db.prepare<[], { grp: string; resource: string; n: number }>(
        'SELECT grp, resource, COUNT(*) AS n FROM objects GROUP BY grp, resource',
      ),
      inNamespace: this.db.prepare<[string], ObjectKey>(
        'SELECT grp, resource, namespace, name FROM objects WHERE namespace = ?',
      ),
      dependents: this.db.prepare<[string], ObjectKey>(
        'SELECT grp, resource, namespace, name FROM owners WHERE owner_uid = ?',
      ),
      ownerUids: this.db.prepare<[], { owner_uid: string }>('SELECT DISTINCT owner_uid FROM owners'),
      insert: this.db.prepare(
        'INSERT INTO objects (grp, resource, namespace, name, uid, rv, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      update: this.db.prepare(
        'UPDATE objects SET uid = ?, rv = ?, data = ? WHERE grp = ? AND resource = ? AND namespace = ? AND name = ?',
      ),
      remove: this.db.prepare(
        'DELETE FROM objects WHERE grp = ? AND resource = ? AND namespace = ? AND name = ?',
      ),
      clearOwners: this.db.prepare(
        'DELETE FROM owners WHERE grp = ? AND resource = ? AND namespace = ? AND name = ?',
      ),
      addOwner: this.db.prepare(
        'INSERT OR IGNORE INTO owners (owner_uid, grp, resource, namespace, name) VALUES (?, ?, ?, ?, ?)',
      ),
      event: this.db.prepare(
        'INSERT INTO events (rv, type, grp, resource, namespace, name, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      eventsSince: this.db.prepare<
        [string, string, number],
        {
          rv: number;
          type: EventType;
          grp: string;
          resource: string;
          namespace: string;
          name: string;
          data: string;
        }
      >(
        'SELECT rv, type, grp, resource, namespace, name, data FROM events WHERE grp = ? AND resource = ? AND rv > ? ORDER BY rv',
      ),
      prune: this.db.prepare('DELETE FROM events WHERE rv <= ?'),
      maxRv: this.db.prepare<[], { rv: number | null }>('SELECT MAX(rv) AS rv FROM events'),
      getMeta: this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: this.db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
    };
    const metaRv = Number(this.stmts.getMeta.get('rv')?.value ?? 0);
    this.currentRv = Math.max(metaRv, this.stmts.maxRv.get()?.rv ?? 0);
    this.compacted = Number(this.stmts.getMeta.get('compacted')?.value ?? 0);
  }

  /** The latest resourceVersion handed out. */
  get rv(): number {
    return this.currentRv;
  }

  /** Watches from a resourceVersion below this get 410 Gone. */
  get compactedRv(): number {
    return this.compacted;
  }

  /** Reads one object (a fresh copy the caller may mutate). */
  get(grp: string, resource: string, namespace: string, name: string): KubeObject | undefined {
    const row = this.stmts.get.get(grp, resource, namespace, name);
    return row ? (JSON.parse(row.data) as KubeObject) : undefined;
  }

  /** Where the object with this uid lives, if it exists. */
  keyOfUid(uid: string): ObjectKey | undefined {
    return this.stmts.byUid.get(uid);
  }

  /** Lists raw rows sorted by namespace then name, starting strictly after `after`. */
  *list(
    grp: string,
    resource: string,
    namespace: string | undefined,
    after?: { namespace: string; name: string },
  ): IterableIterator<StoredRow> {
    if (namespace !== undefined) {
      if (after && after.namespace > namespace) return;
      const start = after && after.namespace === namespace ? after.name : '';
      // Walk the primary key from (namespace, start) and stop at the next namespace: no index hop.
      for (const row of this.stmts.listAll.iterate(grp, resource, namespace, start)) {
        if (row.namespace !== namespace) return;
        yield row;
      }
    } else {
      // (namespace, name) > ('', '') holds for every row: names are never empty.
      yield* this.stmts.listAll.iterate(grp, resource, after?.namespace ?? '', after?.name ?? '');
    }
  }

  /** Every object stored in a namespace, across all resources. */
  keysInNamespace(namespace: string): ObjectKey[] {
    return this.stmts.inNamespace.all(namespace);
  }

  /** Objects whose ownerReferences name this uid. */
  dependentsOf(ownerUid: string): ObjectKey[] {
    return this.stmts.dependents.all(ownerUid);
  }

  /** Every uid that some object names as its owner. */
  ownerUids(): string[] {
    return this.stmts.ownerUids.all().map((r) => r.owner_uid);
  }

  /** Object counts per `resource.group`. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.stmts.countRes.all()) out[r.grp ? `${r.resource}.${r.grp}` : r.resource] = r.n;
    return out;
  }

  /** Stores a new object (the caller checked it does not exist), stamping the next resourceVersion. */
  create(grp: string, resource: string, obj: KubeObject): KubeObject {
    return this.write(grp, resource, obj, 'ADDED');
  }

  /** Replaces an existing object, stamping the next resourceVersion. */
  update(grp: string, resource: string, obj: KubeObject, prev?: KubeObject): KubeObject {
    return this.write(grp, resource, obj, 'MODIFIED', prev);
  }

  /** Removes an object; the DELETED event carries the object at a new resourceVersion. */
  delete(grp: string, resource: string, obj: KubeObject): KubeObject {
    return this.write(grp, resource, obj, 'DELETED');
  }

  private write(
    grp: string,
    resource: string,
    obj: KubeObject,
    type: EventType,
    prev?: KubeObject,
  ): KubeObject {
    const key: ObjectKey = {
      grp,
      resource,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name!,
    };
    const rv = this.currentRv + 1;
    obj.metadata.resourceVersion = String(rv);
    const data = JSON.stringify(obj);
    // Prune in batches (at most every 500 writes) so the history stays within ~1.2x its size.
    const prune =
      this.writesSincePrune + 1 >= Math.min(500, Math.max(1, Math.floor(this.history / 5))) &&
      rv - this.history > this.compacted;
    if (!this.pending) {
      this.db.exec('BEGIN IMMEDIATE');
      this.pending = {
        events: [],
        waiters: [],
        rv: this.currentRv,
        compacted: this.compacted,
        writesSincePrune: this.writesSincePrune,
      };
      // Group commit: at the end of this event-loop turn, or, while the previous batch's fsync is
      // in flight, as soon as it lands (so every write arriving meanwhile shares the next fsync).
      if (!this.syncing) setImmediate(() => this.commit());
    }
    // Nested in the batch's transaction, this is a savepoint: a failing write undoes only itself.
    this.tx(() => {
      const k = [key.grp, key.resource, key.namespace, key.name] as const;
      if (type === 'ADDED') this.stmts.insert.run(...k, obj.metadata.uid ?? '', rv, data);
      else if (type === 'MODIFIED') this.stmts.update.run(obj.metadata.uid ?? '', rv, data, ...k);
      else this.stmts.remove.run(...k);
      if (type !== 'ADDED') this.stmts.clearOwners.run(...k);
      if (type !== 'DELETED')
        for (const ref of obj.metadata.ownerReferences ?? [])
          if (ref.uid) this.stmts.addOwner.run(ref.uid, ...k);
      this.stmts.event.run(rv, type, ...k, data);
      if (prune) {
        this.stmts.prune.run(rv - this.history);
        this.stmts.setMeta.run('compacted', String(rv - this.history));
        this.stmts.setMeta.run('rv', String(rv));
      }
    });
    this.currentRv = rv;
    if (prune) {
      this.compacted = rv - this.history;
      this.writesSincePrune = 0;
    } else this.writesSincePrune++;
    this.pending.events.push(makeEvent(key, type, rv, data, prev, obj));
    return obj;
  }

  /**
   * Commits the open batch, then fsyncs the WAL on the thread pool; once that lands, tells
   * subscribers and waiters and commits the batch that gathered meanwhile. A failed COMMIT rolls
   * the whole batch back and fails every waiter: nothing was acknowledged.
   */
  commit(): void {
    const batch = this.pending;
    if (!batch || this.syncing) return;
    this.pending = undefined;
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      try {
        this.db.exec('ROLLBACK');
      } catch {}
      this.currentRv = batch.rv;
      this.compacted = batch.compacted;
      this.writesSincePrune = batch.writesSincePrune;
      for (const w of batch.waiters) w.reject(err);
      return;
    }
    this.syncing = batch;
    fs.fdatasync(this.walFd, (err) => {
      if (this.syncing !== batch) return; // close() synced and settled it already
      this.syncing = undefined;
      this.settle(batch, err ?? undefined);
      if (this.pending) this.commit();
    });
  }

  // Listeners run once the batch is durable: a watcher never sees a write that could still be lost.
  // A failed fsync fails the waiters (nothing is acknowledged) but the writes are committed and
  // visible, so watchers are told all the same.
  private settle(batch: Batch, err?: Error): void {
    for (const l of this.listeners) {
      try {
        l(batch.events);
      } catch (e) {
        // The writes are committed: a failing subscriber must not turn them into errors for the writers.
        process.emitWarning(`knlite store: event subscriber failed: ${(e as Error)?.stack ?? String(e)}`);
      }
    }
    for (const w of batch.waiters) {
      if (err) w.reject(err);
      else w.resolve();
    }
  }

  /** Resolves once every write made so far is committed to disk (rejects if that commit failed). */
  flushed(): Promise<void> {
    const batch = this.pending ?? this.syncing;
    if (!batch) return Promise.resolve();
    return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }));
  }

  private tx(fn: () => void): void {
    this.db.transaction(fn)();
  }

  /** Events of one resource after `rv`, oldest first (from the kept history). */
  eventsSince(grp: string, resource: string, rv: number): StoreEvent[] {
    return this.stmts.eventsSince.all(grp, resource, rv).map((r) => makeEvent(r, r.type, r.rv, r.data));
  }

  /** Subscribes to committed events; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `PRAGMA integrity_check` and returns its verdict ('ok' when intact). */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  /** Closes the database. */
  close(): void {
    if (!this.db.open) return;
    // Commit what is open and make it, and any batch still syncing, durable before closing.
    const batches = [this.syncing, this.pending].filter((b): b is Batch => b !== undefined);
    this.syncing = undefined;
    let err: Error | undefined;
    try {
      if (this.pending) this.db.exec('COMMIT');
      this.pending = undefined;
      fs.fdatasyncSync(this.walFd);
    } catch (e) {
      err = e as Error;
    }
    for (const b of batches) this.settle(b, err);
    this.listeners.clear();
    this.db.close();
    fs.closeSync(this.walFd);
  }
}
