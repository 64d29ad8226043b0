/**
 * The gateway: an HTTP server whose requests (and upgrades) run through
 * check → route → timeout → count → activate → limit → proxy.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { listen, type RunningServer } from '../../net/listen.js';
import { makeActivateHandler } from './activate.js';
import { makeCheckHandler } from './check.js';
import { makeCountHandler } from './count.js';
import type { GatewayDeps } from './deps.js';
import { makeExchange, reply, type Handler, type Middleware } from './exchange.js';
import { makeLimitHandler } from './limit.js';
import { makeProxyHandler } from './proxy.js';
import { makeRouteHandler } from './route.js';
import { makeTimeoutHandler } from './timeout.js';

/** The chain, outermost first. */
const CHAIN: Middleware<GatewayDeps>[] = [
  makeCheckHandler,
  makeRouteHandler,
  makeTimeoutHandler,
  makeCountHandler,
  makeActivateHandler,
  makeLimitHandler,
  makeProxyHandler,
];

/** Composes the chain into one handler. */
export function makeChain(deps: GatewayDeps, chain: Middleware<GatewayDeps>[] = CHAIN): Handler {
  const end: Handler = async (ex) => reply(ex, 500, 'knlite: gateway chain ended without an answer');
  return chain.reduceRight<Handler>((next, make) => make(next, deps), end);
}

/** A running gateway. */
export type Gateway = RunningServer;

/** Starts the gateway's HTTP server. */
export async function startGateway(
  deps: GatewayDeps,
  opts: { host: string; port: number },
): Promise<Gateway> {
  const handle = makeChain(deps);
  const server = createServer({
    maxHeaderSize: deps.limits.maxHeaderBytes,
    // Revision timeouts govern requests; Node's own whole-request timeout would cut long uploads.
    requestTimeout: 0,
    keepAliveTimeout: 65_000,
  });
  const sockets = new Set<Duplex>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const ex = makeExchange(req, { res });
    res.on('close', () => {
      if (!res.writableFinished) ex.abort(new Error('client closed the connection'));
    });
    handle(ex).catch((err: Error) => reply(ex, 500, `knlite: gateway error: ${err.message}`));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const ex = makeExchange(req, { upgrade: { socket, head } });
    socket.on('close', () => ex.abort(new Error('client closed the connection')));
    handle(ex).catch((err: Error) => reply(ex, 500, `knlite: gateway error: ${err.message}`));
  });
  // Malformed requests and oversized heads: answer like Node would, never crash.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return void socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nConnection: close\r\n\r\n`,
    );
  });
  const port = await listen(server, opts.port, opts.host);
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        deps.agent.destroy();
        deps.h2c.close();
        deps.throttlers.close();
      }),
  };
}
