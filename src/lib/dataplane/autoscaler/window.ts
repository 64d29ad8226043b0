/**
 * Knative's 1-second bucketed window average (pkg/autoscaler/aggregation/bucketing.go
 * WindowAverage), computed from a list of timestamped samples instead of a ring buffer so that it
 * stays a pure function of `now`.
 */

/** One per-second observation of a revision, summed over its pods (milliseconds since epoch). */
export interface Sample {
  time: number;
  /** Average number of requests in flight during the second (revision total). */
  concurrency: number;
  /** Requests that arrived during the second (revision total). */
  rps: number;
}

const BUCKET_MS = 1000;

/**
 * Average of `metric` over the window ending at `now`:
 * sum of the 1 s buckets written in (now − window, now] ÷ number of buckets since the first write
 * (so a partial window at start-up is not diluted), capped at the window's bucket count.
 * No write for a whole window → 0. Samples in the same second add up (as Knative's buckets do).
 */
export function windowAverage(
  samples: readonly Sample[],
  metric: 'concurrency' | 'rps',
  windowMs: number,
  now: number,
): number {
  if (samples.length === 0) return 0;
  const nowBucket = Math.floor(now / BUCKET_MS);
  const windowBuckets = Math.max(1, Math.round(windowMs / BUCKET_MS));
  const oldest = nowBucket - windowBuckets + 1;
  let sum = 0;
  let firstWrite = Infinity;
  let lastWrite = -Infinity;
  for (const s of samples) {
    const b = Math.floor(s.time / BUCKET_MS);
    firstWrite = Math.min(firstWrite, b);
    if (b < oldest || b > nowBucket) continue;
    lastWrite = Math.max(lastWrite, b);
    sum += s[metric];
  }
  if (lastWrite === -Infinity) return 0;
  // Buckets between the last write and now are stale, not zero (bucketing.go: the "d < window" case).
  const stale = nowBucket - lastWrite;
  const buckets = Math.min(lastWrite - firstWrite + 1, windowBuckets - stale);
  return sum / Math.max(1, buckets);
}
