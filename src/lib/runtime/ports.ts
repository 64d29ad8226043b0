/**
 * Free loopback ports for pod processes: bind port 0 (or a preferred port) on 127.0.0.1, read the
 * port the kernel picked, close. A small window exists between close and the child's bind; a child
 * that loses the race crashes and is restarted on a fresh port.
 */
import { createServer } from 'node:net';

/** Returns a port that was free on 127.0.0.1 a moment ago; tries `preferred` first when given. */
export async function freePort(preferred?: number): Promise<number> {
  if (preferred) {
    const port = await tryBind(preferred);
    if (port !== undefined) return port;
  }
  const port = await tryBind(0);
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
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
