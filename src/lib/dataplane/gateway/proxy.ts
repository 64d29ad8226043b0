/**
 * Last step: forwards the exchange to the leased instance over node:http (keep-alive pool),
 * streaming both ways. Connection failures answer 502; an instance dying mid-response cuts the
 * response off. Upgrades (WebSocket, `Upgrade: h2c`) become a byte tunnel; revisions whose port is
 * named h2c are spoken to in cleartext HTTP/2, and their response trailers (gRPC's `grpc-status`,
 * `grpc-message`) are relayed — as HTTP/2 trailers to HTTP/2 clients, a trailers-only answer
 * staying trailers-only (one HEADERS frame with END_STREAM), and as chunked trailers to HTTP/1.1.
 */
import {
  request,
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { constants as h2, type Http2ServerResponse, type IncomingHttpHeaders as H2Headers } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { GatewayDeps } from './deps.js';
import { markWrite, replayable, reply, responseStarted, type Exchange, type Handler } from './exchange.js';
import { stripHopByHop } from '../../net/hop-by-hop.js';
import { makeDownstreamHeaders, makeUpstreamHeaders, type UpstreamOptions } from './headers.js';

/** Methods that may be sent again after a failure (RFC 9110 §9.2.2). */
export const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Sends the request to the instance and relays the answer. */
export const makeProxyHandler =
  (_next: Handler, deps: GatewayDeps): Handler =>
  async (ex) => {
    if (tooLarge(ex, deps)) return reply(ex, 413, 'request body too large');
    if (ex.upgrade) return proxyUpgrade(ex, deps);
    if (ex.revision?.protocol === 'h2c') return proxyH2c(ex, deps);
    return proxyHttp1(ex, deps);
  };

function tooLarge(ex: Exchange, deps: GatewayDeps): boolean {
  const length = Number(ex.req.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > deps.limits.maxRequestBodyBytes;
}

/** Counts request body bytes; calls `over` once if the limit is passed. */
function limitBody(ex: Exchange, deps: GatewayDeps, over: () => void): void {
  let bytes = 0;
  ex.req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > deps.limits.maxRequestBodyBytes) {
      over();
      bytes = -Infinity;
    }
  });
}

/** What the upstream headers need to know about the client side of the exchange. */
function upstreamOptions(ex: Exchange): UpstreamOptions {
  return {
    rewriteHost: ex.route?.rewriteHost,
    clientIp: ex.clientIp,
    authority: ex.authority,
    scheme: ex.scheme,
  };
}

/** Response headers without connection-specific fields (a flat list for writeHead). */
function downstreamFields(rh: H2Headers): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(rh)) {
    if (k.startsWith(':') || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [String(v)]) out.push(k, one);
  }
  return stripHopByHop(out).flat();
}

/** Trailer fields worth relaying (never pseudo-headers). */
function trailerFields(t: Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(t)) if (!k.startsWith(':') && v !== undefined) out[k] = v;
  return out;
}

/** Writes the response head from a flat field list (both response kinds take one at run time). */
function writeHead(ex: Exchange, status: number, fields: string[], message?: string): void {
  const res = ex.res as ServerResponse;
  // HTTP/2 has no reason phrase (RFC 9113 §8.3.2).
  if (ex.h2 || message === undefined) res.writeHead(status, fields);
  else res.writeHead(status, message, fields);
}

/**
 * Sends the request to `instance` over the keep-alive pool; to a frozen instance (ADR 0009) on a
 * new connection instead, where it waits in the stopped process's listening backlog (a pooled one
 * may be closed by the thawed server's idle timer), while the API server's runtime is asked to dial
 * the pod, which thaws it. When that dial is under way the autoscaler's scale-up (an fsynced
 * `/scale` commit, which holds the event loop of an in-process API server) is asked for once the
 * answer's head is here, off the path; without it, the scale-up is what thaws the instance, and is
 * asked for at once.
 */
function openUpstream(ex: Exchange, deps: GatewayDeps, headers: [string, string][]): ClientRequest {
  const { req } = ex;
  const { instance } = ex.lease!;
  const thawing = ex.thawing === true;
  if (thawing && deps.dialPod && instance.pod) {
    const namespace = ex.revisionKey!.slice(0, ex.revisionKey!.indexOf('/'));
    void deps.dialPod(namespace, instance.pod, instance.port).then((dialled) => {
      if (!dialled) ex.pokeThaw?.();
    });
  } else ex.pokeThaw?.();
  return request({
    host: instance.ip,
    port: instance.port,
    method: req.method,
    path: req.url,
    headers: headers as unknown as Record<string, string>,
    agent: thawing ? false : deps.agent,
  });
}

function proxyHttp1(ex: Exchange, deps: GatewayDeps): Promise<void> {
  const { req, res } = ex;
  const { instance } = ex.lease!;
  const upstream = openUpstream(ex, deps, makeUpstreamHeaders(req, upstreamOptions(ex)));
  return new Promise<void>((resolve) => {
    // The timeout step already answered (or cut off) the response; the client side closes itself.
    const unwatch = ex.onAbort(() => void upstream.destroy());
    let takenBack = false;
    const finish = (): void => {
      ex.takeBack = undefined;
      unwatch();
      resolve();
    };
    res!.on('close', () => {
      if (!res!.writableFinished) upstream.destroy();
      finish();
    });
    const bodyless = replayable(ex);
    const takeBack = (): void => {
      ex.pokeThaw?.();
      takenBack = true;
      upstream.destroy();
      ex.retryFrom = instance.id;
      ex.retryReason = 'frozen';
      finish();
    };
    if (bodyless) ex.takeBack = takeBack;
    if (!bodyless) {
      limitBody(ex, deps, () => {
        upstream.destroy();
        reply(ex, 413, 'request body too large');
      });
    }

    const relay = (ures: IncomingMessage): void => {
      ex.statusCode = ures.statusCode;
      markWrite(ex);
      const fields = makeDownstreamHeaders(ures.rawHeaders);
      writeHead(ex, ures.statusCode ?? 502, fields, ures.statusMessage);
      ures.on('data', () => markWrite(ex));
      ures.on('error', () => res!.destroy());
      ures.on('aborted', () => res!.destroy());
      // Registered before pipe's own 'end' listener: the trailers go out with the end of the body.
      ures.on('end', () => {
        if (Object.keys(ures.trailers).length) res!.addTrailers(trailerFields(ures.trailers));
      });
      ures.pipe(res!);
    };
    upstream.on('response', (ures: IncomingMessage) => {
      ex.takeBack = undefined;
      ex.pokeThaw?.();
      if (ex.replied || takenBack) return void ures.resume();
      relay(ures);
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      ex.pokeThaw?.();
      if (ex.aborted || takenBack) return;
      ex.takeBack = undefined;
      // Nothing listens there any more, or the process died before answering (Endpoints lag a
      // stopping process): an idempotent bodyless request may go to another instance (RFC 9110 §9.2.2).
      const retryable =
        err.code === 'ECONNREFUSED' || (err.code === 'ECONNRESET' && IDEMPOTENT.has(req.method ?? ''));
      if (retryable && !responseStarted(ex) && bodyless) {
        ex.retryFrom = instance.id;
        ex.retryReason = err.code === 'ECONNREFUSED' ? 'refused' : 'reset';
        return finish();
      }
      reply(
        ex,
        502,
        `knlite: instance ${instance.id} of revision "${ex.revision?.name}": ${err.code ?? err.message}`,
      );
    });
    // A bodyless request goes out in one write; a body is streamed.
    if (bodyless) upstream.end();
    else req.pipe(upstream);
  });
}

function proxyH2c(ex: Exchange, deps: GatewayDeps): Promise<void> {
  const { req, res } = ex;
  const { instance } = ex.lease!;
  return new Promise<void>((resolve) => {
    const headers: Record<string, string | string[]> = {
      [h2.HTTP2_HEADER_METHOD]: req.method ?? 'GET',
      [h2.HTTP2_HEADER_PATH]: req.url ?? '/',
      [h2.HTTP2_HEADER_SCHEME]: 'http',
      [h2.HTTP2_HEADER_AUTHORITY]: ex.route?.rewriteHost ?? (ex.authority || instance.id),
    };
    for (const [name, value] of makeUpstreamHeaders(req, upstreamOptions(ex))) {
      const n = name.toLowerCase();
      if (n === 'host') continue;
      const prev = headers[n];
      headers[n] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
    }
    // The one TE value HTTP/2 allows (RFC 9113 §8.2.2); gRPC servers may insist on it.
    const te = req.headers.te;
    if (typeof te === 'string' && /(^|,)\s*trailers\s*(;|,|$)/i.test(te)) headers.te = 'trailers';
    let stream;
    try {
      stream = deps.h2c.get(instance).request(headers);
    } catch (err) {
      reply(ex, 502, `knlite: instance ${instance.id}: ${(err as Error).message}`);
      return resolve();
    }
    const finish = (): void => resolve();
    ex.signal.addEventListener('abort', () => stream.close(h2.NGHTTP2_CANCEL), { once: true });
    res!.on('close', () => {
      if (!res!.writableFinished) stream.close(h2.NGHTTP2_CANCEL);
      finish();
    });
    limitBody(ex, deps, () => {
      stream.close(h2.NGHTTP2_CANCEL);
      reply(ex, 413, 'request body too large');
    });
    stream.on('response', (rh: H2Headers, flags: number) => {
      if (ex.replied) return;
      const status = Number(rh[h2.HTTP2_HEADER_STATUS] ?? 502);
      ex.statusCode = status;
      markWrite(ex);
      const fields = downstreamFields(rh);
      if (flags & h2.NGHTTP2_FLAG_END_STREAM && ex.h2) {
        // Trailers-only (how gRPC answers most errors): one HEADERS frame that ends the stream,
        // which the compat response sends when the headers are set before end().
        const out = res as Http2ServerResponse;
        out.statusCode = status;
        const kept = new Set(fields.filter((_, i) => i % 2 === 0));
        for (const [k, v] of Object.entries(rh)) if (kept.has(k) && v !== undefined) out.setHeader(k, v);
        out.end();
        return;
      }
      writeHead(ex, status, fields);
      stream.on('data', () => markWrite(ex));
      stream.pipe(res!);
    });
    // Emitted before the stream's end, so the trailers are queued before pipe ends the response.
    stream.on('trailers', (trailers: H2Headers) => {
      if (!ex.replied) res!.addTrailers(trailerFields(trailers));
    });
    stream.on('error', (err: Error) => {
      if (ex.signal.aborted) return;
      reply(ex, 502, `knlite: instance ${instance.id} of revision "${ex.revision?.name}": ${err.message}`);
    });
    req.pipe(stream);
  });
}

function proxyUpgrade(ex: Exchange, _deps: GatewayDeps): Promise<void> {
  const { req } = ex;
  const { socket, head } = ex.upgrade!;
  const { instance } = ex.lease!;
  return new Promise<void>((resolve) => {
    const upstream = request({
      host: instance.ip,
      port: instance.port,
      method: req.method,
      path: req.url,
      headers: makeUpstreamHeaders(req, { ...upstreamOptions(ex), upgrade: true }) as unknown as Record<
        string,
        string
      >,
      // A tunnelled socket never goes back to a pool.
      agent: false,
    });
    let tunnel: Duplex | undefined;
    const done = (): void => {
      socket.destroy();
      tunnel?.destroy();
      resolve();
    };
    socket.on('close', () => {
      upstream.destroy();
      done();
    });
    socket.on('error', () => done());
    ex.signal.addEventListener('abort', () => upstream.destroy(), { once: true });

    upstream.on('upgrade', (ures: IncomingMessage, usock: Duplex, uhead: Buffer) => {
      if (ex.replied) return void usock.destroy();
      tunnel = usock;
      ex.upgraded = true;
      ex.statusCode = ures.statusCode ?? 101;
      markWrite(ex);
      socket.write(rawHead(ures, true));
      if (uhead.length) socket.write(uhead);
      if (head.length) usock.write(head);
      usock.on('error', () => done());
      usock.on('close', () => done());
      usock.pipe(socket);
      socket.pipe(usock);
    });
    upstream.on('response', (ures: IncomingMessage) => {
      // The instance declined the upgrade: relay its plain answer and close.
      if (ex.replied) return void ures.resume();
      ex.statusCode = ures.statusCode;
      markWrite(ex);
      socket.write(rawHead(ures, false));
      ures.pipe(socket);
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (ex.signal.aborted || ex.upgraded) return done();
      reply(
        ex,
        502,
        `knlite: instance ${instance.id} of revision "${ex.revision?.name}": ${err.code ?? err.message}`,
      );
      resolve();
    });
    upstream.end();
  });
}

/** Status line and headers of an instance's answer, for writing to a raw client socket. */
function rawHead(ures: IncomingMessage, upgrade: boolean): string {
  const lines = [`HTTP/1.1 ${ures.statusCode} ${ures.statusMessage ?? ''}`];
  // For a 101 the Connection/Upgrade pair is the point; otherwise close after the body.
  const kept = upgrade ? ['connection', 'upgrade'] : [];
  const fields = stripHopByHop(ures.rawHeaders, kept);
  for (const [k, v] of fields) lines.push(`${k}: ${v}`);
  if (!upgrade) lines.push('Connection: close');
  return `${lines.join('\r\n')}\r\n\r\n`;
}
