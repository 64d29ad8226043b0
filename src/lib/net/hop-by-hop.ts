/**
 * Hop-by-hop header fields (RFC 9110 §7.6.1): the fixed list plus every field a `Connection`
 * header names. What a forwarding hop drops: the gateway towards instances, the API server's
 * `pods/proxy` towards pods.
 */

/** Fields that describe one connection, never forwarded (RFC 9110 §7.6.1, plus legacy ones). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Lower-case names listed in the Connection header(s); undefined when there is none. */
export function connectionTokens(rawHeaders: string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length !== 10 || rawHeaders[i].toLowerCase() !== 'connection') continue;
    tokens ??= new Set();
    for (const t of rawHeaders[i + 1].split(',')) if (t.trim()) tokens.add(t.trim().toLowerCase());
  }
  return tokens;
}

/** Whether a header (lower-case name) is hop-by-hop for this message. */
export function isHopByHop(name: string, listed: Set<string> | undefined, keep: string[]): boolean {
  return (HOP_BY_HOP.has(name) || listed?.has(name) === true) && !keep.includes(name);
}

/** Raw headers (flat name/value list) without hop-by-hop fields; `keep` names survive anyway. */
export function stripHopByHop(rawHeaders: string[], keep: string[] = []): [string, string][] {
  const listed = connectionTokens(rawHeaders);
  const out: [string, string][] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (isHopByHop(rawHeaders[i].toLowerCase(), listed, keep)) continue;
    out.push([rawHeaders[i], rawHeaders[i + 1]]);
  }
  return out;
}
