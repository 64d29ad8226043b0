/**
 * One request travelling through the gateway chain (route → timeout → count → activate → limit →
 * proxy). Every handler has the shape `(next, deps) => handler`; a handler either answers the
 * exchange itself or calls `next`, and its promise settles when the response is finished.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Lease } from '../breaker.js';
import { normalizeHost, type HostRoute, type RevisionTarget } from '../state.js';

/** A client request: HTTP/1.x, or HTTP/2 (prior-knowledge h2c, or h2 negotiated over TLS). */
export type ClientRequest = IncomingMessage | Http2ServerRequest;
/** The response to a client request. */
export type ClientResponse = ServerResponse | Http2ServerResponse;

/** A request in flight, plus what the handlers learned about it so far. */
export interface Exchange {
  req: ClientRequest;
  /** The response, for ordinary requests. */
  res?: ClientResponse;
  /** True when the client speaks HTTP/2 to the gateway (`req`/`res` are the http2 compat objects). */
  h2?: boolean;
  /** `https` when the client connection is TLS. */
  scheme: 'http' | 'https';
  /** The client's address (the TCP peer). */
  clientIp: string;
  /** Host header (HTTP/1) or `:authority` (HTTP/2), as sent. */
  authority: string;
  /** The raw client connection and its first bytes, for upgrade requests (WebSocket, h2c). */
  upgrade?: { socket: Duplex; head: Buffer };
  /** Host header, lower-cased and without port. */
  host: string;
  startedAt: number;
  route?: HostRoute;
  revision?: RevisionTarget;
  /** `namespace/revision`. */
  revisionKey?: string;
  lease?: Lease;
  /** Aborted when the client goes away or a timeout answered the request. */
  readonly signal: AbortSignal;
  /** Whether `abort` was called (reading it does not create `signal`). */
  readonly aborted: boolean;
  abort(reason: unknown): void;
  /** Calls `fn` when the exchange is aborted (later); returns the function that unregisters it. */
  onAbort(fn: () => void): () => void;
  /** When the first and last bytes of the response went to the client (undefined: nothing yet). */
  firstWriteAt?: number;
  lastWriteAt?: number;
  /** Set once the tunnel of an upgrade is established: timeouts no longer apply. */
  upgraded?: boolean;
  /** Status answered (for metrics); set by `reply` or by the proxy. */
  statusCode?: number;
  /** Set by the proxy when the instance refused the connection, or reset it before answering an
   * idempotent bodyless request: the activator may try another instance. Holds that instance's id. */
  retryFrom?: string;
  /**
   * Why: `refused` (nothing listening: quarantine it), `reset` (died before answering) or `frozen`
   * (a frozen instance was not thawed in time: the request was taken back).
   */
  retryReason?: 'refused' | 'reset' | 'frozen';
  /**
   * Set by the proxy while a request to an instance is outstanding and nothing was answered yet:
   * takes the request back (the activator then tries elsewhere, `retryReason` `frozen`).
   */
  takeBack?: () => void;
  /** Sent to a frozen instance before its thaw: over a connection of its own (see proxy.ts). */
  thawing?: boolean;
  /**
   * While thawing: pokes the autoscaler (once). The proxy calls it when the request is under way:
   * at once on the direct path, after the answer's head through pods/proxy (see proxy.ts).
   */
  pokeThaw?: () => void;
  /** True once the gateway itself answered (error replies); later writes are dropped. */
  replied?: boolean;
}

/**
 * A new exchange for a request. Its AbortSignal is created only when a handler asks for it (a
 * request that waits: activator, throttler queue); a warm request uses `aborted`/`onAbort`, which
 * cost a flag and an array instead of an EventTarget per request.
 */
export function makeExchange(
  req: ClientRequest,
  origin: Origin,
  rest: { res?: ClientResponse; upgrade?: Exchange['upgrade'] },
): Exchange {
  return new RequestExchange(req, origin, rest.res, rest.upgrade);
}

/** Where an exchange came from: the protocol, scheme and peer of its connection. */
export type Origin = Pick<Exchange, 'h2' | 'scheme' | 'clientIp'>;

class RequestExchange implements Exchange {
  readonly host: string;
  readonly authority: string;
  readonly h2?: boolean;
  readonly scheme: 'http' | 'https';
  readonly clientIp: string;
  readonly startedAt = Date.now();
  route?: HostRoute = undefined;
  revision?: RevisionTarget = undefined;
  revisionKey?: string = undefined;
  lease?: Lease = undefined;
  firstWriteAt?: number = undefined;
  lastWriteAt?: number = undefined;
  upgraded?: boolean = undefined;
  statusCode?: number = undefined;
  retryFrom?: string = undefined;
  retryReason?: 'refused' | 'reset' | 'frozen' = undefined;
  takeBack?: () => void = undefined;
  thawing?: boolean = undefined;
  pokeThaw?: () => void = undefined;
  replied?: boolean = undefined;
  aborted = false;
  private reason: unknown = undefined;
  private controller?: AbortController = undefined;
  private listeners?: (() => void)[] = undefined;

  constructor(
    readonly req: ClientRequest,
    origin: Origin,
    readonly res: ClientResponse | undefined,
    readonly upgrade: { socket: Duplex; head: Buffer } | undefined,
  ) {
    this.h2 = origin.h2;
    this.scheme = origin.scheme;
    this.clientIp = origin.clientIp;
    const authority = origin.h2 ? (req.headers[':authority'] ?? req.headers.host) : req.headers.host;
    this.authority = String(authority ?? '');
    this.host = normalizeHost(this.authority);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    for (const fn of listeners ?? []) fn();
  }

  onAbort(fn: () => void): () => void {
    (this.listeners ??= []).push(fn);
    return () => {
      const i = this.listeners?.indexOf(fn) ?? -1;
      if (i >= 0) this.listeners!.splice(i, 1);
    };
  }
}

/** A step of the chain. */
export type Handler = (ex: Exchange) => Promise<void>;

/** Builds a step around the next one. */
export type Middleware<D> = (next: Handler, deps: D) => Handler;

/** Records that bytes went to the client now. */
export function markWrite(ex: Exchange): void {
  const now = Date.now();
  ex.firstWriteAt ??= now;
  ex.lastWriteAt = now;
}

/** Whether the request can be sent again: it has no body (a body is streamed, not kept). */
export function replayable(ex: Exchange): boolean {
  // HTTP/2 has no framing headers: a request without a body ends with its HEADERS frame.
  if (ex.h2) return (ex.req as Http2ServerRequest).stream.endAfterHeaders;
  const { headers } = ex.req;
  return (
    !headers['transfer-encoding'] &&
    (headers['content-length'] === undefined || headers['content-length'] === '0')
  );
}

/** Whether the client has already seen any part of the response. */
export function responseStarted(ex: Exchange): boolean {
  return ex.replied === true || ex.firstWriteAt !== undefined || ex.res?.headersSent === true;
}

/**
 * Answers the exchange with a short plain-text error (one line). If the response already started
 * it can only be cut off. Idempotent: the first answer wins.
 */
export function reply(
  ex: Exchange,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (ex.replied) return;
  const text = `${body}\n`;
  if (ex.res) {
    if (ex.res.headersSent || ex.firstWriteAt !== undefined) {
      ex.replied = true;
      ex.res.destroy();
      return;
    }
    ex.replied = true;
    ex.statusCode = status;
    markWrite(ex);
    ex.res.writeHead(status, {
      ...headers,
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    ex.res.end(text);
    return;
  }
  if (ex.upgrade) {
    ex.replied = true;
    const { socket } = ex.upgrade;
    if (ex.upgraded || !socket.writable) {
      socket.destroy();
      return;
    }
    ex.statusCode = status;
    markWrite(ex);
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${extra.join('')}` +
        `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
        `Connection: close\r\n\r\n${text}`,
    );
  }
}
