import { binSeconds, DurationHistogram } from './duration-histogram';

/** The nearest rank over every value, written the plain way. */
const nearestRank = (sorted: readonly number[], fraction: number) => sorted[Math.max(1, Math.ceil(fraction * sorted.length)) - 1];

describe('DurationHistogram', () => {
  it('ranks exactly as percentile_disc would over the bins’ values, for any mix of runs (as numbers or as text), single bins, ties and removals', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let round = 0; round < 200; round++) {
      const histogram = new DurationHistogram();
      const fromText = new DurationHistogram();
      const values: number[] = [];
      const firstBin = Math.floor(random() * 600);
      const run = Array.from({ length: 1 + Math.floor(random() * 40) }, () => (random() < 0.4 ? 0 : Math.floor(random() * 5)));
      histogram.addRun(firstBin, run);
      fromText.addRunText(firstBin, run.join(','));
      run.forEach((count, offset) => values.push(...Array<number>(count).fill(binSeconds(firstBin + offset))));
      for (let single = 0; single < 5; single++) {
        const bin = Math.floor(random() * 900);
        histogram.add(bin, 2);
        histogram.add(bin, -1);
        fromText.addRunText(bin, '2');
        fromText.addRunText(bin - 1, '0,-1,0');
        values.push(binSeconds(bin));
      }
      const sorted = values.sort((a, b) => a - b);
      const fractions = [0.01, 0.25, 0.5, 0.9, 0.99, 1];
      expect(histogram.percentiles(fractions)).toEqual(fractions.map((fraction) => nearestRank(sorted, fraction)));
      expect(fromText.percentiles(fractions)).toEqual(histogram.percentiles(fractions));
    }
  });

  it('answers null for every fraction when empty, and bin 0 (up to 1 ms) reads as 0', () => {
    expect(new DurationHistogram().percentiles([0.5, 0.9])).toEqual([null, null]);
    const histogram = new DurationHistogram();
    histogram.add(0, 3);
    expect(histogram.percentiles([0.5])).toEqual([0]);
  });
});
