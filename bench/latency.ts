
export interface LatencySummary {
  readonly requestCount: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly meanMs: number;
  /** Sequential throughput: requests over the summed latencies, one request in flight at a time. */
  readonly requestsPerSecond: number;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sortedMs: readonly number[], fraction: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil(fraction * sortedMs.length) - 1)];
}

export function summarize(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const totalMs = sorted.reduce((sum, sample) => sum + sample, 0);
  return {
    requestCount: sorted.length,
    medianMs: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    meanMs: totalMs / sorted.length,
    requestsPerSecond: (sorted.length * 1000) / totalMs,
  };
}

/** The lower median: a measured value, never an average of two (the suite's rounds are few, often three). */
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
