import { latencyBucketCount, latencyBucketOf, latencyBucketUpperEdgeMs, latencyPercentileMs } from './latency-buckets';

describe('latency buckets', () => {
  it('put every duration in the bucket whose upper edge is at most 10% above it', () => {
    for (const durationMs of [1.01, 1.5, 3, 7.25, 12, 99.9, 250, 1_000, 4_321, 59_999]) {
      const edge = latencyBucketUpperEdgeMs(latencyBucketOf(durationMs));
      expect(edge).toBeGreaterThanOrEqual(durationMs);
      expect(edge).toBeLessThanOrEqual(durationMs * 1.1 + 1e-9);
    }
    expect(latencyBucketOf(0.2)).toBe(0);
    expect(latencyBucketOf(10 * 60_000)).toBe(latencyBucketCount - 1);
  });

  it('report the nearest-rank percentile as its bucket edge', () => {
    const counts = new Array(latencyBucketCount).fill(0);
    for (const durationMs of [2, 4, 8, 16, 32, 64, 128, 256, 512, 1_024]) counts[latencyBucketOf(durationMs)]++;
    expect(latencyPercentileMs(counts, 0.5)).toBe(latencyBucketUpperEdgeMs(latencyBucketOf(32)));
    expect(latencyPercentileMs(counts, 0.99)).toBe(latencyBucketUpperEdgeMs(latencyBucketOf(1_024)));
    expect(latencyPercentileMs(new Array(latencyBucketCount).fill(0), 0.5)).toBeNull();
  });
});
