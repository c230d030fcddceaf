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

/**
 * Counts of durations per bin, merged from any number of days, groups and raw rows. Dense, from
 * the lowest bin seen: a histogram's bins are a few hundred adjacent ones, and a daily series
 * merges 180 of them per request (a Map of bins cost ~15 ms a request there, most of it GC).
 */
export class DurationHistogram {
  private counts = new Float64Array(0);
  private lowestBin = 0;

  add(bin: number, count: number): void {
    if (count === 0) return;
    this.cover(bin, bin);
    this.counts[bin - this.lowestBin] += count;
  }

  /** Adds `counts[i]` to bin `firstBin + i`. */
  addRun(firstBin: number, counts: readonly number[]): void {
    if (counts.length === 0) return;
    this.cover(firstBin, firstBin + counts.length - 1);
    const offset = firstBin - this.lowestBin;
    counts.forEach((count, index) => (this.counts[offset + index] += count));
  }

  /**
   * The same for counts written as comma-separated integers (`array_to_string(counts, ',', '0')`),
   * read in place instead of split into strings and numbers.
   */
  addRunText(firstBin: number, text: string): void {
    if (text.length === 0) return;
    let commas = 0;
    for (let index = text.indexOf(','); index !== -1; index = text.indexOf(',', index + 1)) commas++;
    this.cover(firstBin, firstBin + commas);
    let position = firstBin - this.lowestBin;
    let value = 0;
    let sign = 1;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code === 44 /* , */) {
        this.counts[position++] += sign * value;
        value = 0;
        sign = 1;
      } else if (code === 45 /* - */) sign = -1;
      else value = value * 10 + (code - 48);
    }
    this.counts[position] += sign * value;
  }

  /** Grows the counts to hold bins `low` to `high`. */
  private cover(low: number, high: number): void {
    const length = this.counts.length;
    if (length > 0 && low >= this.lowestBin && high < this.lowestBin + length) return;
    const lowest = length === 0 ? low : Math.min(low, this.lowestBin);
    const highest = length === 0 ? high : Math.max(high, this.lowestBin + length - 1);
    const counts = new Float64Array(highest - lowest + 1);
    if (length > 0) counts.set(this.counts, this.lowestBin - lowest);
    this.counts = counts;
    this.lowestBin = lowest;
  }

  /**
   * Nearest-rank percentiles (as PostgreSQL's percentile_disc ranks) for ascending `fractions`, in
   * one pass over the sorted bins: each within α of the exact one; nulls when empty.
   */
  percentiles(fractions: readonly number[]): (number | null)[] {
    const { counts } = this;
    let total = 0;
    for (let index = 0; index < counts.length; index++) if (counts[index] > 0) total += counts[index];
    if (total === 0) return fractions.map(() => null);
    const answers: number[] = [];
    let seen = 0;
    let index = 0;
    const nextCounted = (from: number) => {
      let next = from;
      while (next < counts.length && !(counts[next] > 0)) next++;
      return next;
    };
    index = nextCounted(0);
    for (const fraction of fractions) {
      const rank = Math.max(1, Math.ceil(fraction * total));
      for (let next = nextCounted(index + 1); next < counts.length && seen + counts[index] < rank; next = nextCounted(index + 1)) {
        seen += counts[index];
        index = next;
      }
      answers.push(binSeconds(this.lowestBin + index));
    }
    return answers;
  }
}
