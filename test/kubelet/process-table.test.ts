import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolvePort } from '../../src/lib/kubelet/probe.js';
import {
  pidFilePath,
  processStartTime,
  ProcessTable,
  signalGroup,
} from '../../src/lib/kubelet/process-table.js';
import { isAlive, tempDir } from './helpers.js';

describe('ProcessTable', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  function sleeper(): number {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    cleanups.push(() => signalGroup(child.pid!, 'SIGKILL'));
    return child.pid!;
  }

  it('kills what a previous run recorded, but never a pid whose start time does not match', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const previous = new ProcessTable(t.dir);
    const ours = sleeper();
    const recycled = sleeper();
    previous.add(ours, 'default/a');
    previous.add(recycled, 'default/b');
    // Simulate pid reuse: the record of `recycled` names another process that once had its pid.
    const file = JSON.parse(readFileSync(pidFilePath(t.dir), 'utf8'));
    file.processes[1].startTime = '1';
    writeFileSync(pidFilePath(t.dir), JSON.stringify(file));

    const next = new ProcessTable(t.dir);
    expect(next.sweepLeftovers()).toEqual({ killed: 1, pods: ['default/a', 'default/b'] });
    await vi.waitFor(() => expect(isAlive(ours)).toBe(false), { timeout: 10_000, interval: 20 });
    expect(isAlive(recycled)).toBe(true);
    expect(JSON.parse(readFileSync(pidFilePath(t.dir), 'utf8')).processes).toEqual([]);
  });

  it('reads a stable start time for a live process and none for a missing one', () => {
    const pid = sleeper();
    expect(processStartTime(pid)).toBeDefined();
    expect(processStartTime(pid)).toBe(processStartTime(pid));
    expect(processStartTime(2 ** 22 + 12345)).toBeUndefined();
  });

  it('the watchdog exits quietly on close() without touching anything', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const table = new ProcessTable(t.dir);
    const pid = sleeper();
    table.startWatchdog();
    const watchdog = JSON.parse(readFileSync(join(t.dir, 'runtime-pids.json'), 'utf8')).watchdog
      .pid as number;
    await table.close();
    await vi.waitFor(() => expect(isAlive(watchdog)).toBe(false), { timeout: 10_000, interval: 20 });
    expect(isAlive(pid)).toBe(true);
  });
});

describe('probe ports', () => {
  const target = {
    port: 40000,
    containerPorts: [{ name: 'user-port', containerPort: 8080 }],
    env: {},
    cwd: '/',
  };
  it.each([
    [undefined, 40000],
    [0, 40000],
    [8080, 40000],
    ['user-port', 40000],
    [9000, 9000],
  ])('port %s probes %s', (port, expected) => {
    expect(resolvePort(port, target)).toBe(expected);
  });
});
