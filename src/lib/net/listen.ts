/**
 * Binding a server: resolves the port actually bound (port 0 means "any free port") or rejects
 * with the listen error (EADDRINUSE, EACCES) instead of emitting it later.
 */
import type { Server } from 'node:net';
import type { Server as HttpServer } from 'node:http';

/** Listens on `host:port` and resolves the bound port. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** An HTTP server that is listening: its bound port and how to close it and its connections. */
export interface RunningServer {
  server: HttpServer;
  port: number;
  close(): Promise<void>;
}
