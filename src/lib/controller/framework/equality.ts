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

/** What an owned child (KIngress, Certificate) is reconciled on: its spec, labels and annotations. */
interface OwnedChild {
  spec?: unknown;
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

/**
 * `have` with `want`'s spec, labels and annotations, ready to replace it, or undefined when they
 * already agree. The status, which belongs to the child's implementation, is left alone.
 */
export function childUpdate<T extends OwnedChild>(have: T, want: T): T | undefined {
  if (
    semanticEqual(have.spec, want.spec) &&
    semanticEqual(have.metadata.labels, want.metadata.labels) &&
    semanticEqual(have.metadata.annotations, want.metadata.annotations)
  )
    return undefined;
  const update = structuredClone(have);
  update.spec = want.spec;
  update.metadata.labels = want.metadata.labels;
  update.metadata.annotations = want.metadata.annotations;
  return update;
}
