/**
 * Durations are counted in logarithmic bins (`analytics_duration_bin` in the histograms
 * migration): bin b > 0 holds (γ^(b−1), γ^b] milliseconds with γ = (1 + α) / (1 − α), and reading
 * it as 2γ^b / (γ + 1) ms is within α of every duration in it; bin 0 holds everything up to 1 ms
 * and reads as 0. The same scheme as DDSketch: bins of any days and groups merge by adding counts.
 */
export const durationRelativeError = 0.01;
const gamma = (1 + durationRelativeError) / (1 - durationRelativeError);

/** The value reported for a bin, in seconds. */
export const binSeconds = (bin: number): number => (bin <= 0 ? 0 : (2 * gamma ** bin) / (gamma + 1) / 1000);

/** Counts of durations per bin, merged from any number of days, groups and raw rows. */
export class DurationHistogram {
  private readonly counts = new Map<number, number>();

  add(bin: number, count: number): void {
    if (count !== 0) this.counts.set(bin, (this.counts.get(bin) ?? 0) + count);
  }

  /** Adds consecutive bins starting at `firstBin`. */
  addRun(firstBin: number, counts: readonly number[]): void {
    counts.forEach((count, offset) => this.add(firstBin + offset, count));
  }

  /**
   * Nearest-rank percentiles (as PostgreSQL's percentile_disc ranks) for ascending `fractions`, in
   * one pass over the sorted bins: each within α of the exact one; nulls when empty.
   */
  percentiles(fractions: readonly number[]): (number | null)[] {
    const bins = [...this.counts].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
    const total = bins.reduce((sum, [, count]) => sum + count, 0);
    if (total === 0) return fractions.map(() => null);
    const answers: number[] = [];
    let seen = 0;
    let index = 0;
    for (const fraction of fractions) {
      const rank = Math.max(1, Math.ceil(fraction * total));
      while (index < bins.length - 1 && seen + bins[index][1] < rank) seen += bins[index++][1];
      answers.push(binSeconds(bins[index][0]));
    }
    return answers;
  }
}
