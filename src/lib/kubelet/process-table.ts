/**
 * The runtime's record of every process group it started, kept in `<dataDir>/runtime-pids.json`
 * (written atomically: temp file + rename) so that a later runtime can stop what an earlier one left
 * behind when the daemon died without cleaning up (`kill -9`, OOM, power loss of the terminal).
 *
 * Before killing a recorded pid we check it is still the process we started: its start time (field
 * 22 of /proc/<pid>/stat on Linux, `ps -o lstart=` elsewhere) must equal the recorded one, so a
 * recycled pid is never touched. Children run in their own process group (spawned detached), and
 * the whole group is signalled so grandchildren (sh → node, npm → node) go too.
 *
 * While a runtime is alive, a small watchdog process holds a pipe to it; when the pipe closes
 * because the daemon died (even by SIGKILL) the watchdog kills the recorded groups at once. The
 * startup sweep remains the backstop when the watchdog itself was killed too.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One recorded child process (the leader of its own process group). */
export interface PidRecord {
  pid: number;
  startTime: string;
  /** `namespace/pod` the process belongs to. */
  pod: string;
  argv0?: string;
}

interface PidFile {
  daemonPid: number;
  watchdog?: PidRecord;
  processes: PidRecord[];
}

/** Path of the pid records file inside a runtime data dir. */
export function pidFilePath(dataDir: string): string {
  return join(dataDir, 'runtime-pids.json');
}

/** The start time of `pid` as an opaque string, or undefined when no such process exists. */
export function processStartTime(pid: number): string | undefined {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 2 (comm) may contain spaces and parentheses; fields after the last ')' are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[19]; // field 22 overall: starttime in clock ticks since boot
    } catch {
      return undefined;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return out === '' ? undefined : out;
  } catch {
    return undefined;
  }
}

/** Sends `signal` to the process group led by `pid` (falls back to the pid alone). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {}
  }
}

/** Kills recorded processes that are still the ones recorded; returns how many were killed. */
export function killRecorded(records: PidRecord[]): number {
  let killed = 0;
  for (const record of records) {
    if (processStartTime(record.pid) !== record.startTime) continue;
    signalGroup(record.pid, 'SIGKILL');
    killed++;
  }
  return killed;
}

/** The live table of this runtime's processes, mirrored to disk on every change. */
export class ProcessTable {
  private readonly path: string;
  private readonly records = new Map<number, PidRecord>();
  private watchdog?: ChildProcess;
  private watchdogRecord?: PidRecord;

  constructor(dataDir: string) {
    this.path = pidFilePath(dataDir);
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
  }

  /** Stops whatever a previous runtime on this data dir left running; returns the pods it had. */
  sweepLeftovers(): { killed: number; pods: string[] } {
    let previous: PidFile | undefined;
    try {
      previous = JSON.parse(readFileSync(this.path, 'utf8')) as PidFile;
    } catch {
      previous = undefined;
    }
    if (!previous) return { killed: 0, pods: [] };
    const processes = previous.processes ?? [];
    // The old watchdog may still be waiting on a pipe nobody holds; it goes first.
    if (previous.watchdog) killRecorded([previous.watchdog]);
    const killed = killRecorded(processes);
    this.flush();
    return { killed, pods: processes.map((p) => p.pod) };
  }

  /** Records a freshly spawned process. */
  add(pid: number, pod: string, argv0?: string): void {
    const startTime = processStartTime(pid);
    if (startTime === undefined) return; // already gone
    this.records.set(pid, { pid, startTime, pod, argv0 });
    this.flush();
  }

  /** Forgets a process that exited. */
  remove(pid: number): void {
    if (this.records.delete(pid)) this.flush();
  }

  /** Starts the watchdog that kills every recorded group if this process dies without `close()`. */
  startWatchdog(): void {
    const child = spawn(process.execPath, ['-e', WATCHDOG_SCRIPT, this.path], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    child.on('error', () => {});
    child.stdin?.on('error', () => {});
    this.watchdog = child;
    if (child.pid) {
      const startTime = processStartTime(child.pid);
      if (startTime) this.watchdogRecord = { pid: child.pid, startTime, pod: '', argv0: 'watchdog' };
    }
    this.flush();
  }

  /** Empties the table and lets the watchdog go (call after every process has been stopped). */
  async close(): Promise<void> {
    this.records.clear();
    this.watchdogRecord = undefined;
    this.flush();
    const watchdog = this.watchdog;
    this.watchdog = undefined;
    if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) {
      const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
      watchdog.stdin?.end(); // the table on disk is empty now, so the watchdog has nothing to kill
      await exited;
    }
  }

  private flush(): void {
    const file: PidFile = {
      daemonPid: process.pid,
      watchdog: this.watchdogRecord,
      processes: [...this.records.values()],
    };
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}

// Runs in its own process group (so a Ctrl-C to the daemon's terminal does not reach it first);
// waits for stdin to close, then kills the groups recorded in the file whose start time still matches.
const WATCHDOG_SCRIPT = `
const fs = require('node:fs');
const file = process.argv[1];
for (const s of ['SIGINT', 'SIGHUP', 'SIGQUIT']) process.on(s, () => {});
function startTime(pid) {
  try { const st = fs.readFileSync('/proc/' + pid + '/stat', 'utf8'); return st.slice(st.lastIndexOf(')') + 2).split(' ')[19]; }
  catch { return process.platform === 'linux' ? undefined : null; }
}
function sweep() {
  let records = [];
  try { records = JSON.parse(fs.readFileSync(file, 'utf8')).processes || []; } catch {}
  for (const r of records) {
    const st = startTime(r.pid);
    if (st === undefined || (st !== null && st !== r.startTime)) continue;
    try { process.kill(-r.pid, 'SIGKILL'); } catch { try { process.kill(r.pid, 'SIGKILL'); } catch {} }
  }
  process.exit(0);
}
process.stdin.on('data', () => {});
process.stdin.on('end', sweep);
process.stdin.on('error', sweep);
process.stdin.on('close', sweep);
`;
