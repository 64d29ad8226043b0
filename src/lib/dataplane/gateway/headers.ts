/**
 * Header rewriting for a reverse proxy: hop-by-hop fields removed per RFC 9110 §7.6.1 (the fixed
 * list plus every field named in `Connection`), and Forwarded / X-Forwarded-* added (RFC 7239).
 * HTTP/2 pseudo-headers never travel as fields: `:authority` becomes `Host` for the instance.
 */
import { connectionTokens, isHopByHop } from '../../net/hop-by-hop.js';
import type { ClientRequest } from './exchange.js';

const NO_NAMES: string[] = [];

function forwardedFor(ip: string): string {
  // RFC 7239 §6: IPv6 addresses are bracketed and the value quoted.
  return ip.includes(':') ? `"[${ip}]"` : ip;
}

/** What the proxy knows about the client connection. */
export interface UpstreamOptions {
  rewriteHost?: string;
  upgrade?: boolean;
  /** The client's address (defaults to the request socket's peer). */
  clientIp?: string;
  /** Host / `:authority` as the client sent it. */
  authority?: string;
  /** Scheme of the client connection (default http). */
  scheme?: 'http' | 'https';
}

/** Header list sent to an instance for a client request. */
export function makeUpstreamHeaders(req: ClientRequest, opts: UpstreamOptions): [string, string][] {
  const clientIp = (opts.clientIp ?? req.socket?.remoteAddress ?? '').replace(/^::ffff:/, '');
  const proto = opts.scheme ?? 'http';
  const originalHost = opts.authority ?? req.headers.host ?? '';
  // One pass over the raw list: hop-by-hop fields, pseudo-headers and the forwarding fields we
  // rewrite are dropped; everything else is kept in order.
  const raw = req.rawHeaders;
  const listed = connectionTokens(raw);
  const headers: [string, string][] = [];
  let hasHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i].toLowerCase();
    if (n.charCodeAt(0) === 58 /* ':' */) continue;
    if (isHopByHop(n, listed, NO_NAMES) || n === 'x-forwarded-for' || n === 'forwarded') continue;
    if (n === 'host') {
      if (opts.rewriteHost) continue;
      hasHost = true;
    } else if (opts.rewriteHost && n === 'k-original-host') continue;
    headers.push([raw[i], raw[i + 1]]);
  }
  if (!hasHost && !opts.rewriteHost && originalHost) headers.unshift(['Host', originalHost]);
  const prior = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
  const xff = prior('x-forwarded-for');
  headers.push(['X-Forwarded-For', xff ? `${xff}, ${clientIp}` : clientIp]);
  if (!req.headers['x-forwarded-proto']) headers.push(['X-Forwarded-Proto', proto]);
  if (!req.headers['x-forwarded-host']) headers.push(['X-Forwarded-Host', originalHost]);
  const fwd = `for=${forwardedFor(clientIp)};host=${JSON.stringify(originalHost)};proto=${proto}`;
  const priorFwd = prior('forwarded');
  headers.push(['Forwarded', priorFwd ? `${priorFwd}, ${fwd}` : fwd]);
  if (opts.rewriteHost) {
    headers.push(['Host', opts.rewriteHost]);
    headers.push(['K-Original-Host', originalHost]);
  }
  if (opts.upgrade) {
    headers.push(['Connection', 'Upgrade']);
    const upgrade = req.headers.upgrade;
    if (typeof upgrade === 'string') headers.push(['Upgrade', upgrade]);
  }
  return headers;
}

/** Response headers from an instance, minus hop-by-hop fields, as a flat list for writeHead. */
export function makeDownstreamHeaders(rawHeaders: string[]): string[] {
  const listed = connectionTokens(rawHeaders);
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (isHopByHop(rawHeaders[i].toLowerCase(), listed, NO_NAMES)) continue;
    out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return out;
}
