/**
 * First step: the request rules of RFC 9110/9112 that Node's parser leaves to the server. An
 * HTTP/1.1 request must carry exactly one Host header (RFC 9112 §3.2: "A server MUST respond with
 * a 400 (Bad Request) status code to any HTTP/1.1 request message that lacks a Host header field
 * and to any request message that contains more than one Host header field line or a Host header
 * field with an invalid field value"), and the Host must be a valid authority. Node itself already
 * refuses conflicting Content-Length, Transfer-Encoding with Content-Length, bare CR/LF and
 * oversized heads (clientError → 400/431). An HTTP/2 request carries its authority in
 * `:authority` (or a Host field, RFC 9113 §8.3.1); without either it has no route and gets 400.
 */
import type { GatewayDeps } from './deps.js';
import { reply, type Handler } from './exchange.js';

/** uri-host [ ":" port ]: a reg-name, IPv4 or bracketed IPv6 literal, optional numeric port. */
const AUTHORITY = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9\-._~!$&'()*+;=%]*)(:\d{0,5})?$/;

/** Why a request breaks the Host rules, or undefined when it is fine. */
export function hostProblem(rawHeaders: readonly string[], httpVersion: string): string | undefined {
  let count = 0;
  let value = '';
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length === 4 && rawHeaders[i].toLowerCase() === 'host') {
      count++;
      value = rawHeaders[i + 1];
    }
  }
  if (count > 1) return 'more than one Host header';
  if (count === 0) return httpVersion === '1.0' ? undefined : 'missing Host header';
  if (!AUTHORITY.test(value)) return `invalid Host header "${value}"`;
  return undefined;
}

/** Why an HTTP/2 request's authority is unusable, or undefined when it is fine. */
export function authorityProblem(authority: string): string | undefined {
  if (!authority) return 'missing :authority';
  if (!AUTHORITY.test(authority)) return `invalid :authority "${authority}"`;
  return undefined;
}

/** Answers 400 to requests that break the Host rules. */
export const makeCheckHandler =
  (next: Handler, _deps: GatewayDeps): Handler =>
  (ex) => {
    const problem = ex.h2
      ? authorityProblem(ex.authority)
      : hostProblem(ex.req.rawHeaders, ex.req.httpVersion);
    if (problem) return Promise.resolve(reply(ex, 400, `knlite: bad request: ${problem}`));
    return next(ex);
  };
