import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../src/lib/runtime/ports.js';
import { exampleDir, httpGet } from './helpers.js';

describe('examples', () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    }
  });

  async function start(name: string, env: Record<string, string> = {}): Promise<number> {
    const port = await freePort();
    const child = spawn(process.execPath, ['server.js'], {
      cwd: exampleDir(name),
      env: { PATH: process.env.PATH, PORT: String(port), ...env },
      stdio: 'ignore',
    });
    children.push(child);
    await vi.waitFor(() => httpGet(port, '/healthz'), { timeout: 15_000, interval: 50 });
    return port;
  }

  it('hello greets TARGET and names its revision', async () => {
    const port = await start('hello', { TARGET: 'knlite', K_REVISION: 'hello-00002' });
    expect(await httpGet(port)).toEqual({ status: 200, body: 'Hello knlite! (hello-00002)\n' });
    expect(await httpGet(port, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
  });

  it('hello defaults to World and exits on SIGTERM', async () => {
    const port = await start('hello');
    expect((await httpGet(port)).body).toBe('Hello World! (local)\n');
    const child = children[0]!;
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('autoscale sleeps, computes primes, allocates and answers with the asked status', async () => {
    const port = await start('autoscale', { K_REVISION: 'autoscale-00001' });
    expect(await httpGet(port, '/?sleep=10&prime=100&bloat=1')).toEqual({
      status: 200,
      body: 'Slept for 10 milliseconds.\nThe largest prime less than 100 is 97.\nAllocated 1 Mb of memory.\nRevision: autoscale-00001\n',
    });
    expect(await httpGet(port, '/?prime=1')).toMatchObject({
      body: 'There are no primes smaller than 1.\nRevision: autoscale-00001\n',
    });
    expect(await httpGet(port, '/?status=500')).toEqual({ status: 500, body: 'Revision: autoscale-00001\n' });
  });
});
