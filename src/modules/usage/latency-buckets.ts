/**
 * Latencies are counted in buckets whose edges grow by 10%: bucket i holds (1.1^(i-1), 1.1^i] ms,
 * bucket 0 everything up to 1 ms, the last everything above a minute. A percentile is reported as
 * its bucket's upper edge: never below the true value, at most 10% above it.
 */
export const latencyGrowth = 1.1;
export const latencyBucketCount = Math.ceil(Math.log(60_000) / Math.log(latencyGrowth)) + 1;

export function latencyBucketOf(durationMs: number): number {
  if (durationMs <= 1) return 0;
  return Math.min(latencyBucketCount - 1, Math.ceil(Math.log(durationMs) / Math.log(latencyGrowth) - 1e-9));
}

export const latencyBucketUpperEdgeMs = (bucket: number) => latencyGrowth ** bucket;

/** The upper edge of the bucket holding the nearest-rank `fraction` percentile; null without samples. */
export function latencyPercentileMs(counts: readonly number[], fraction: number): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.ceil(fraction * total);
  let seen = 0;
  for (let bucket = 0; bucket < counts.length; bucket++) {
    seen += counts[bucket];
    if (seen >= rank) return latencyBucketUpperEdgeMs(bucket);
  }
  return latencyBucketUpperEdgeMs(counts.length - 1);
}
