export interface Distribution {
  readonly count: number;
  readonly minMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** Nearest-rank percentiles, as bench/latency.ts. */
export function distribution(samples: readonly number[]): Distribution {
  const sorted = Float64Array.from(samples).sort();
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
  let total = 0;
  for (const sample of sorted) total += sample;
  return { count: sorted.length, minMs: sorted[0], p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1], meanMs: total / sorted.length };
}

/** gateway ÷ raw, or null unless both are positive (a CPU estimate net of the mutation can come out negative on a small run). */
export function ratio(gateway: number | undefined, raw: number | undefined): number | null {
  return gateway === undefined || raw === undefined || !(gateway > 0 && raw > 0 && Number.isFinite(gateway) && Number.isFinite(raw)) ? null : gateway / raw;
}
