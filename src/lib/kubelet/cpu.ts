/**
 * CPU usage of pod processes for the HPA-class autoscaler: utime+stime from /proc/<pid>/stat,
 * summed over every member of the pod's process group (so `sh → node` or a worker pool counts as
 * one pod), turned into millicores from the delta between two samples. Linux only; elsewhere the
 * meter reports nothing. Resident memory per group comes from the same files.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100; // USER_HZ is 100 on every mainstream Linux architecture
    }
  }
  return clockTicks;
}

/**
 * One scan of /proc: per process group id, the sum of `value` over its processes' stat fields
 * (the fields after "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt
 * cmajflt utime stime ... rss at index 21).
 */
function sumByGroup(value: (fields: string[]) => number): Map<number, number> {
  const byGroup = new Map<number, number>();
  if (process.platform !== 'linux') return byGroup;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return byGroup;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited between readdir and read
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    byGroup.set(pgrp, (byGroup.get(pgrp) ?? 0) + value(fields));
  }
  return byGroup;
}

/** Total CPU ticks (user+system) per process group id, from one scan of /proc. */
export function cpuTicksByGroup(): Map<number, number> {
  return sumByGroup((fields) => Number(fields[11]) + Number(fields[12]));
}

let pageSize: number | undefined;

/** Resident memory in bytes per process group id, from one scan of /proc (`rss` of /proc/<pid>/stat). */
export function rssBytesByGroup(): Map<number, number> {
  if (process.platform === 'linux' && pageSize === undefined) {
    try {
      pageSize = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
    } catch {
      pageSize = 4096;
    }
  }
  const page = pageSize ?? 4096;
  return sumByGroup((fields) => Number(fields[21]) * page);
}

interface Sample {
  at: number;
  ticks: number;
  millicores: number;
}

/** Turns successive tick samples per key into millicores (1000 = one core fully busy). */
export class CpuMeter {
  private readonly samples = new Map<string, Sample>();

  /**
   * Samples the groups of `pods` (key → process group id) and returns millicores per key. A key seen
   * for the first time reports 0; samples closer than `minIntervalMs` reuse the previous value.
   */
  measure(pods: Map<string, number>, now = Date.now(), minIntervalMs = 250): Map<string, number> {
    const result = new Map<string, number>();
    const due = [...pods.keys()].some((key) => {
      const last = this.samples.get(key);
      return !last || now - last.at >= minIntervalMs;
    });
    const ticks = due ? cpuTicksByGroup() : undefined;
    for (const [key, pgid] of pods) {
      const last = this.samples.get(key);
      if (!ticks || (last && now - last.at < minIntervalMs)) {
        result.set(key, last?.millicores ?? 0);
        continue;
      }
      const current = ticks.get(pgid) ?? 0;
      // millicores = Δticks / CLK_TCK (cpu-seconds) ÷ Δt (seconds) × 1000
      const millicores =
        last && now > last.at
          ? Math.max(0, ((current - last.ticks) / ticksPerSecond() / ((now - last.at) / 1000)) * 1000)
          : 0;
      this.samples.set(key, { at: now, ticks: current, millicores });
      result.set(key, Math.round(millicores));
    }
    for (const key of this.samples.keys()) if (!pods.has(key)) this.samples.delete(key);
    return result;
  }
}
