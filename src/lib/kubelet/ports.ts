/**
 * Free loopback ports for pod processes: bind port 0 (or a preferred port) on 127.0.0.1, read the
 * port the kernel picked, close. A small window exists between close and the child's bind; a child
 * that loses the race crashes and is restarted on a fresh port. Ports handed out stay reserved in
 * this process until released, so two pods starting together are never given the same port.
 */
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
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await tryBind(0);
    if (port !== undefined && !reserved.has(port)) return reserve(port);
  }
  throw new Error('no free port on 127.0.0.1');
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
