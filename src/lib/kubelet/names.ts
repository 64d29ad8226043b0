/**
 * Pod names the way a Deployment's ReplicaSet makes them: `<deployment>-<pod-template-hash>-<rand5>`,
 * using Kubernetes' "safe" alphabet (no vowels, no confusable characters).
 */
import { createHash, randomInt } from 'node:crypto';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function encodeSafe(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[bytes[i]! % SAFE_ALPHABET.length];
  return out;
}

/**
 * A stable 10-character hash of a pod template (equal templates hash equal). Nulls and empty
 * objects count as absent, as they do in the Go types kube-controller-manager hashes: a template
 * written back by `kubectl rollout undo` (`creationTimestamp: null`, `resources: {}`) is the same
 * template.
 */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256')
    .update(stableJson(withoutEmpty(template)))
    .digest();
  return encodeSafe(digest, 10);
}

function withoutEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutEmpty);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const y = withoutEmpty(x);
    if (y === null || y === undefined) continue;
    if (typeof y === 'object' && !Array.isArray(y) && Object.keys(y).length === 0) continue;
    out[k] = y;
  }
  return out;
}

/** A fresh pod name for a replica of `deployment` running the template with `hash`. */
export function makePodName(deployment: string, hash: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += SAFE_ALPHABET[randomInt(SAFE_ALPHABET.length)];
  return `${deployment}-${hash}-${suffix}`;
}

/** JSON with object keys sorted, so semantically equal values serialise identically. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
      );
    }
    return v;
  });
}
