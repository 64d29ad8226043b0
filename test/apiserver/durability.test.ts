import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.js';
import { CM, configMap, request } from '../support/apiserver.js';

interface Child {
  proc: ChildProcess;
  server: { url: string; token: string; caPem: string };
  exited: Promise<void>;
}

const CHILD = fileURLToPath(new URL('../support/apiserver-child.ts', import.meta.url));
const children: ChildProcess[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'knlite-durable-'));

function startChild(dataDir: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(proc);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const lines = createInterface(proc.stdout!);
    lines.once('line', (line) => resolve({ proc, server: JSON.parse(line), exited }));
    proc.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('durability', () => {
  it('keeps every acknowledged write across kill -9 in the middle of a burst', async () => {
    const first = await startChild(dir);
    const acked: string[] = [];
    let stop = false;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const name = `burst-${w}-${i}`;
        try {
          const res = await request(first.server, 'POST', CM, configMap(name, { i: String(i) }));
          if (res.status === 201) acked.push(name);
        } catch {
          return; // the server died mid-request: this write was never acknowledged
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await waitUntil('some writes acknowledged', () => acked.length >= 100, 60_000, 5);
    first.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await first.exited;
    expect(first.proc.signalCode).toBe('SIGKILL');

    const db = new Database(path.join(dir, 'state.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const second = await startChild(dir);
    try {
      const list = await request(second.server, 'GET', CM);
      expect(list.status).toBe(200);
      const stored = new Set<string>(
        list.body.items.map((i: { metadata: { name: string } }) => i.metadata.name),
      );
      const missing = acked.filter((n) => !stored.has(n));
      expect(missing).toEqual([]);
      // The restarted server keeps counting resourceVersions upwards.
      const maxRv = Math.max(
        ...list.body.items.map((i: { metadata: { resourceVersion: string } }) =>
          Number(i.metadata.resourceVersion),
        ),
      );
      const next = await request(second.server, 'POST', CM, configMap('after-restart'));
      expect(Number(next.body.metadata.resourceVersion)).toBeGreaterThan(maxRv);
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
  }, 120_000);
});
