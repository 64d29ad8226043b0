/** A minimal probe endpoint for components without an admin server of their own: /healthz, /readyz. */
import { createServer } from 'node:http';
import { listen, type RunningServer } from './listen.js';

/** Serves 200 on /healthz, and on /readyz while `ready()` holds (503 otherwise), on 0.0.0.0:`port`. */
export async function serveHealth(port: number, ready: () => boolean = () => true): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const ok = path === '/healthz' || (path === '/readyz' && ready());
    if (path !== '/healthz' && path !== '/readyz')
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
    else res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
  });
  const bound = await listen(server, port, '0.0.0.0');
  return { server, port: bound, close: () => new Promise<void>((r) => server.close(() => r())) };
}
