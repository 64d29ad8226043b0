/**
 * The gateway's listeners. Every request (and upgrade) runs through
 * check → route → timeout → count → activate → limit → proxy, whatever it arrived over:
 *
 * - the cleartext port serves HTTP/1.1 and prior-knowledge HTTP/2 (h2c), chosen per connection by
 *   its first bytes (connections.ts explains how and why not `allowHTTP1`);
 * - the optional TLS port picks the certificate by SNI (the KIngresses' `spec.tls` Secrets) and
 *   the protocol by ALPN (`h2`, `http/1.1`).
 *
 * Both ports hand connections to one HTTP/1 server and one HTTP/2 server (neither listens
 * itself); HTTP/2 requests use Node's compatibility API, so the chain sees the same
 * request/response shape for both.
 */
import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import {
  createServer as createH2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type SecureContext, type TLSSocket } from 'node:tls';
import { listen } from '../../net/listen.js';
import { makeActivateHandler } from './activate.js';
import { makeCheckHandler } from './check.js';
import { sniffConnection } from './connections.js';
import { makeCountHandler } from './count.js';
import type { GatewayDeps } from './deps.js';
import {
  makeExchange,
  reply,
  type ClientRequest,
  type ClientResponse,
  type Exchange,
  type Handler,
  type Middleware,
  type Origin,
} from './exchange.js';
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
export interface Gateway {
  /** The cleartext port (HTTP/1.1 and h2c). */
  port: number;
  /** The TLS port, when one was asked for. */
  httpsPort?: number;
  close(): Promise<void>;
}

/** Listener options: the cleartext port, and a TLS port with the SNI certificate lookup. */
export interface GatewayListenOptions {
  host: string;
  port: number;
  tls?: {
    port: number;
    /** The certificate for a server name (undefined: the handshake fails). */
    context(servername: string): SecureContext | undefined;
  };
}

/** Starts the gateway's listeners. */
export async function startGateway(deps: GatewayDeps, opts: GatewayListenOptions): Promise<Gateway> {
  const handle = makeChain(deps);
  const run = (ex: Exchange): void => {
    handle(ex).catch((err: Error) => reply(ex, 500, `knlite: gateway error: ${err.message}`));
  };
  const onRequest = (req: ClientRequest, res: ClientResponse, origin: Origin): void => {
    const ex = makeExchange(req, origin, { res });
    res.on('close', () => {
      if (!res.writableFinished) ex.abort(new Error('client closed the connection'));
    });
    run(ex);
  };

  const http1 = makeHttp1Server(deps, (req, res) => onRequest(req, res, http1Origin(req)));
  http1.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const ex = makeExchange(req, http1Origin(req), { upgrade: { socket, head } });
    socket.on('close', () => ex.abort(new Error('client closed the connection')));
    run(ex);
  });

  // The TCP peer of each cleartext HTTP/2 session (its socket is a JS stream without an address).
  const peers = new WeakMap<Http2Session, string>();
  let nextPeer: string | undefined;
  const h2 = createH2Server({ settings: { maxHeaderListSize: deps.limits.maxHeaderBytes } });
  h2.on('session', (session: Http2Session) => {
    if (nextPeer !== undefined) peers.set(session, nextPeer);
    // A broken session only ends its own streams.
    session.on('error', () => session.destroy());
  });
  h2.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const session = req.stream.session;
    onRequest(req, res, {
      h2: true,
      scheme: session?.encrypted ? 'https' : 'http',
      clientIp: (session && peers.get(session)) ?? req.socket?.remoteAddress ?? '',
    });
  });

  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const toH2 = (stream: Duplex, peer: string | undefined): void => {
    nextPeer = peer;
    try {
      h2.emit('connection', stream);
    } finally {
      nextPeer = undefined;
    }
  };

  // noDelay as http.createServer sets it: a response written in more than one piece (a streamed
  // body, chunked framing) must not wait for the client's ACK of the previous segment (Nagle).
  const plain = createNetServer({ noDelay: true }, (socket) => {
    track(socket);
    sniffConnection(socket, {
      onHttp1: (s) => http1.emit('connection', s),
      onH2c: (stream, s) => toH2(stream, s.remoteAddress),
    });
  });
  const servers: NetServer[] = [plain];
  let port: number;
  let httpsPort: number | undefined;
  try {
    port = await listen(plain, opts.port, opts.host);
    if (opts.tls) {
      const tlsOpts = opts.tls;
      const secure = createTlsServer({
        noDelay: true,
        ALPNProtocols: ['h2', 'http/1.1'],
        SNICallback: (servername, cb) => {
          const ctx = tlsOpts.context(servername);
          if (ctx) cb(null, ctx);
          else cb(new Error(`no certificate for "${servername}"`));
        },
      });
      secure.on('connection', track);
      secure.on('secureConnection', (socket: TLSSocket) => {
        if (socket.alpnProtocol === 'h2') toH2(socket, undefined);
        else http1.emit('connection', socket);
      });
      // Handshake failures (unknown server name, plain HTTP on the TLS port) end that connection only.
      secure.on('tlsClientError', (_err, socket) => socket.destroy());
      servers.push(secure);
      httpsPort = await listen(secure, tlsOpts.port, opts.host);
    }
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }
  return {
    port,
    httpsPort,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
            }),
        ),
      );
      for (const s of sockets) s.destroy();
      deps.agent.destroy();
      deps.h2c.close();
      deps.throttlers.close();
    },
  };
}

function http1Origin(req: IncomingMessage): Origin {
  return {
    scheme: (req.socket as TLSSocket).encrypted ? 'https' : 'http',
    clientIp: req.socket.remoteAddress ?? '',
  };
}

/** The HTTP/1 server connections are handed to (it never listens itself). */
function makeHttp1Server(
  deps: GatewayDeps,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
): HttpServer {
  const server = createServer({
    maxHeaderSize: deps.limits.maxHeaderBytes,
    // Revision timeouts govern requests; Node's own whole-request timeout would cut long uploads.
    requestTimeout: 0,
    keepAliveTimeout: 65_000,
  });
  server.on('request', onRequest);
  // Malformed requests and oversized heads: answer like Node would, never crash.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return void socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nConnection: close\r\n\r\n`,
    );
  });
  return server;
}
