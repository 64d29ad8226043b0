/**
 * The data plane's admin endpoint: Prometheus text at /metrics, liveness at /healthz and readiness
 * at /readyz (503 until the caller's `ready()` holds).
 */
import { createServer } from 'node:http';
import type { DataPlaneMetrics } from './metrics.js';
import { listen, type RunningServer } from '../net/listen.js';

/** A running admin server. */
export type AdminServer = RunningServer;

/** Starts the admin server. */
export async function startAdminServer(
  metrics: DataPlaneMetrics,
  opts: { host: string; port: number; ready?: () => boolean },
): Promise<AdminServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
      );
      return;
    }
    if (path === '/readyz') {
      const ok = opts.ready?.() ?? true;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    res
      .writeHead(404, { 'content-type': 'text/plain' })
      .end(`not found: ${path} (try /metrics, /healthz or /readyz)\n`);
  });
  const port = await listen(server, opts.port, opts.host);
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
