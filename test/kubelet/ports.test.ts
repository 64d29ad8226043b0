/**
 * Ports for pod processes: below the kernel's ephemeral range (where no outgoing connection takes a
 * port between the check and the child's bind), never the same one twice while reserved, a free
 * preferred port first, and a port in use never.
 */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, releasePort } from '../../src/lib/kubelet/ports.js';

const ephemeralStart = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range while they are reserved', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(new Set(ports).size).toBe(20);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(20000);
      expect(p).toBeLessThan(ephemeralStart);
    }
    for (const p of ports) releasePort(p);
  });

  it('prefers a free preferred port, and skips one that is in use', async () => {
    const preferred = await freePort();
    releasePort(preferred);
    expect(await freePort(preferred)).toBe(preferred);
    releasePort(preferred);
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const taken = (busy.address() as AddressInfo).port;
    try {
      const got = await freePort(taken);
      expect(got).not.toBe(taken);
      releasePort(got);
    } finally {
      busy.close();
    }
  });
});
