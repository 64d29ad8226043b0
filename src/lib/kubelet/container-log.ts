/**
 * One container's log file, written and read the way the kubelet and CRI runtimes do it: the
 * process's stdout and stderr arrive through pipes and every line is stored with the time it was
 * read, as `<RFC 3339 nano time> <stdout|stderr> <F|P> <text>` (F ends a line, P is a piece of a
 * line longer than 16 KiB or cut by the process's exit). Every run of the container appends to the
 * same file; the log remembers where the current and the previous run begin, so `kubectl logs`
 * and `kubectl logs --previous` each read only their run.
 *
 * Reading applies the pod log options kube-apiserver passes to the kubelet: tail lines, a start
 * time, timestamps, a byte limit and follow (until the run ends or the reader goes away).
 */
import { EventEmitter } from 'node:events';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ensurePrivateDir } from '../local/paths.js';

/** The longest line stored in one entry; longer lines are split into P pieces (like CRI's 16 KiB). */
const MAX_ENTRY_BYTES = 16 * 1024;
const READ_CHUNK = 64 * 1024;

/** How a log is read. */
export interface LogReadOptions {
  /** Read the previous run instead of the current one. */
  previous?: boolean;
  /** Keep streaming the current run until it ends or `signal` aborts. */
  follow?: boolean;
  /** Only the last N lines (before following). */
  tailLines?: number;
  /** Only lines written at or after this time (ms since the epoch). */
  sinceMs?: number;
  /** Prefix every line with its RFC 3339 nano timestamp. */
  timestamps?: boolean;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
}

interface Run {
  start: number;
  end?: number;
}

interface Entry {
  time: string;
  partial: boolean;
  text: string;
}

function timestamp(): string {
  // Millisecond clock, written with nanosecond digits like the CRI format.
  return new Date().toISOString().replace('Z', '000000Z');
}

function parseEntry(line: string): Entry | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0) return undefined;
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  return { time: line.slice(0, a), partial: tag === 'P', text: c < 0 ? '' : line.slice(c + 1) };
}

/** A container's log: the writer side for the supervisor, the reader side for `pods/log`. */
export class ContainerLog {
  private runs: Run[] = [];
  private fd?: number;
  private size = 0;
  private readonly pending = new Map<string, string>();
  private readonly events = new EventEmitter();

  constructor(readonly path: string) {
    this.events.setMaxListeners(0);
  }

  /** Whether a run has started (the log has something to read). */
  get hasRun(): boolean {
    return this.runs.length > 0;
  }

  /** Whether a previous (finished) run is kept. */
  get hasPrevious(): boolean {
    return this.runs.length > 1;
  }

  /** Starts a new run: what is written from now on belongs to it. */
  beginRun(): void {
    this.endRun();
    ensurePrivateDir(dirname(this.path));
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
    this.runs = [...this.runs.slice(-1), { start: this.size }];
    this.events.emit('change');
  }

  /** Stores everything `stream` emits as `name` (stdout or stderr) entries of the current run. */
  attach(stream: Readable | null | undefined, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    stream.on('data', (chunk: Buffer) => this.write(name, chunk.toString('utf8')));
    stream.on('error', () => {});
  }

  /** Appends text to the current run (the supervisor's own messages go to stderr). */
  write(name: 'stdout' | 'stderr', text: string): void {
    if (this.fd === undefined) this.beginRun();
    let buffer = (this.pending.get(name) ?? '') + text;
    const out: string[] = [];
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      out.push(this.entry(name, 'F', buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
    }
    while (Buffer.byteLength(buffer) > MAX_ENTRY_BYTES) {
      out.push(this.entry(name, 'P', buffer.slice(0, MAX_ENTRY_BYTES / 4)));
      buffer = buffer.slice(MAX_ENTRY_BYTES / 4);
    }
    this.pending.set(name, buffer);
    if (out.length) this.append(out.join(''));
  }

  /** Ends the current run: stores unfinished lines as pieces and wakes followers. */
  endRun(): void {
    if (this.fd === undefined) return;
    const rest: string[] = [];
    for (const [name, text] of this.pending) if (text) rest.push(this.entry(name, 'P', text));
    this.pending.clear();
    if (rest.length) this.append(rest.join(''));
    closeSync(this.fd);
    this.fd = undefined;
    const run = this.runs[this.runs.length - 1];
    if (run) run.end = this.size;
    this.events.emit('change');
  }

  /** The current run's text (without timestamps): its last `maxBytes` / `maxLines`. */
  tail(maxBytes: number, maxLines: number): string {
    const run = this.runs[this.runs.length - 1];
    if (!run) return '';
    const from = Math.max(run.start, (run.end ?? this.size) - maxBytes * 2);
    const entries = this.readEntries(from, run.end ?? this.size, from > run.start);
    const text = entries.map((e) => e.text + (e.partial ? '' : '\n')).join('');
    return text
      .slice(-maxBytes)
      .split('\n')
      .slice(-maxLines - 1)
      .join('\n')
      .trim();
  }

  /**
   * Writes the chosen run to `out` with the options applied; resolves when done (for `follow`,
   * when the run ends or `signal` aborts). Throws when the run does not exist.
   */
  async read(out: Writable, opts: LogReadOptions, signal?: AbortSignal): Promise<void> {
    const index = this.runs.length - (opts.previous ? 2 : 1);
    const run = this.runs[index];
    if (!run) throw new Error(opts.previous ? 'no previous run' : 'no run');
    let budget = opts.limitBytes ?? Infinity;
    const emit = (entries: Entry[]): boolean => {
      for (const e of entries) {
        if (opts.sinceMs !== undefined && Date.parse(e.time) < opts.sinceMs) continue;
        let text = (opts.timestamps ? `${e.time} ` : '') + e.text + (e.partial ? '' : '\n');
        if (Buffer.byteLength(text) > budget) text = Buffer.from(text).subarray(0, budget).toString('utf8');
        budget -= Buffer.byteLength(text);
        if (text) out.write(text);
        if (budget <= 0) return false;
      }
      return true;
    };
    const end = run.end ?? this.size;
    let entries = this.readEntries(run.start, end, false);
    if (opts.tailLines !== undefined) entries = tailEntries(entries, opts.tailLines);
    let offset = end;
    if (!emit(entries) || !opts.follow || run.end !== undefined || opts.previous) return;
    // Follow: read what the current run appends until it ends (or another run replaced it).
    await new Promise<void>((resolve) => {
      const finish = () => {
        this.events.off('change', onChange);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const onChange = () => {
        const now = run.end ?? this.size;
        if (now > offset) {
          const more = this.readEntries(offset, now, false);
          offset = now;
          if (!emit(more)) return finish();
        }
        if (run.end !== undefined || this.runs[this.runs.length - 1] !== run) finish();
      };
      this.events.on('change', onChange);
      signal?.addEventListener('abort', finish);
      if (signal?.aborted) finish();
    });
  }

  private entry(name: string, tag: 'F' | 'P', text: string): string {
    return `${timestamp()} ${name} ${tag} ${text}\n`;
  }

  private append(text: string): void {
    if (this.fd === undefined) return;
    const buf = Buffer.from(text, 'utf8');
    writeSync(this.fd, buf);
    this.size += buf.length;
    this.events.emit('change');
  }

  // Entries stored between two byte offsets; `skipFirst` drops a line cut by a mid-line start.
  private readEntries(from: number, to: number, skipFirst: boolean): Entry[] {
    if (to <= from) return [];
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return [];
    }
    const chunks: Buffer[] = [];
    try {
      for (let pos = from; pos < to;) {
        const buf = Buffer.alloc(Math.min(READ_CHUNK, to - pos));
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n <= 0) break;
        chunks.push(buf.subarray(0, n));
        pos += n;
      }
    } finally {
      closeSync(fd);
    }
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (skipFirst) lines.shift();
    return lines.map(parseEntry).filter((e): e is Entry => e !== undefined);
  }
}

// The last `n` lines, counting P pieces with the F that ends them (or the run) as one line.
function tailEntries(entries: Entry[], n: number): Entry[] {
  let lines = entries.length > 0 && entries[entries.length - 1]!.partial ? 1 : 0;
  if (lines > n) return [];
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i]!.partial) continue;
    if (++lines > n) return entries.slice(i + 1);
  }
  return entries;
}
