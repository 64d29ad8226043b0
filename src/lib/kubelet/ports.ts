/**
 * Free loopback ports for pod processes: a preferred port, else a random one below the kernel's
 * ephemeral range, checked by binding it on 127.0.0.1 and closing. Below that range no outgoing
 * connection is given the port as its source port in the window between the close and the child's
 * bind (a port the kernel picks for bind(0) is one it hands to connections too); only another
 * listener choosing the same port at the same moment can still take it, and a child that loses
 * that race crashes and is restarted on a fresh port. Ports handed out stay reserved in this
 * process until released, so two pods starting together are never given the same port.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const reserved = new Set<number>();

/**
 * Returns a port that was free on 127.0.0.1 a moment ago and is not reserved by another pod of
 * this process; tries each of `preferred` first (e.g. the port a pod had, then its containerPort).
 * The port is reserved until {@link releasePort}.
 */
export async function freePort(...preferred: (number | undefined)[]): Promise<number> {
  for (const candidate of preferred) {
    if (!candidate || reserved.has(candidate)) continue;
    const port = await tryBind(candidate);
    if (port !== undefined && !reserved.has(port)) return reserve(port);
  }
  const [low, high] = listenRange();
  for (let attempt = 0; high >= low && attempt < 40; attempt++) {
    const candidate = low + Math.floor(Math.random() * (high - low + 1));
    if (reserved.has(candidate)) continue;
    const port = await tryBind(candidate);
    if (port !== undefined) return reserve(port);
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await tryBind(0);
    if (port !== undefined && !reserved.has(port)) return reserve(port);
  }
  throw new Error('no free port on 127.0.0.1');
}

/** Lowest port pods are given when no preferred one is free. */
const LISTEN_RANGE_START = 20000;

/**
 * The ports below the kernel's ephemeral range (`net.ipv4.ip_local_port_range`, 32768 by default)
 * and from LISTEN_RANGE_START; empty when the ephemeral range starts lower, and then the kernel picks.
 */
function listenRange(): [number, number] {
  let ephemeralStart = 32768;
  try {
    ephemeralStart = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
  } catch {
    // Not Linux: keep the usual start.
  }
  return ephemeralStart - 1 > LISTEN_RANGE_START ? [LISTEN_RANGE_START, ephemeralStart - 1] : [1, 0];
}

/** Gives a port back (the pod that had it stopped or moved). */
export function releasePort(port: number | undefined): void {
  if (port !== undefined) reserved.delete(port);
}

function reserve(port: number): number {
  reserved.add(port);
  return port;
}

function tryBind(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}
