/** Semantic deep equality for JSON-like values (key order ignored, `undefined` members = absent). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) {
    if (!deepEqual(ao[k], bo[k])) return false;
  }
  return true;
}

/** `deepEqual` where `undefined`, `{}` and `[]` count as the same (Kubernetes omits empty fields). */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return deepEqual(prune(a), prune(b));
}

function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(prune) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

/**
 * True when every field set in `want` has the same value in `have` (arrays must match length and
 * element-wise). Lets reconcilers ignore fields a real API server defaults (e.g. imagePullPolicy)
 * instead of fighting it with an update on every pass.
 */
export function isSubset(want: unknown, have: unknown): boolean {
  if (want === undefined) return true;
  if (want === null || typeof want !== 'object') return want === have || (want === '' && have === undefined);
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length)
      return want.length === 0 && (have === undefined || (Array.isArray(have) && have.length === 0));
    return want.every((w, i) => isSubset(w, have[i]));
  }
  if (have === null || typeof have !== 'object' || Array.isArray(have))
    return Object.keys(want).length === 0 && have === undefined;
  return Object.entries(want).every(([k, v]) => isSubset(v, (have as Record<string, unknown>)[k]));
}
