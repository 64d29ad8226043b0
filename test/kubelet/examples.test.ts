import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../src/lib/kubelet/ports.js';
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

  it.each(['hello', 'autoscale'])(
    '%s binds $HOST when told (the runtime sets 127.0.0.1), every interface otherwise',
    async (name) => {
      const loopback = await start(name, { HOST: '127.0.0.1' });
      expect(listeningOn(loopback)).toEqual(['127.0.0.1']);
      const open = await start(name);
      expect(listeningOn(open)).not.toContain('127.0.0.1');
    },
  );

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

// Local addresses of the sockets listening on `port`, from /proc/net/tcp{,6} (hex, little-endian IPv4).
function listeningOn(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A = LISTEN
      const [hex, portHex] = local.split(':') as [string, string];
      if (parseInt(portHex, 16) !== port) continue;
      addresses.push(
        hex.length === 8
          ? (hex.match(/../g) ?? [])
              .reverse()
              .map((b) => parseInt(b, 16))
              .join('.')
          : hex === '0'.repeat(32)
            ? '::'
            : hex,
      );
    }
  }
  return addresses;
}
