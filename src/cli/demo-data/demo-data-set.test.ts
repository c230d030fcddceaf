import { generateDemoDataSet, type DemoDataSet } from './demo-data-set';

/** The data set as JSON with every id reduced to its prefix: what "the same shape" means. */
function shapeOf(dataSet: DemoDataSet): string {
  return JSON.stringify(dataSet, (_key, value: unknown) =>
    typeof value === 'string' && /^[a-z]+_[a-z0-9]{20}$/.test(value) ? value.slice(0, value.indexOf('_')) : value,
  );
}

describe('generateDemoDataSet', () => {
  const now = new Date('2026-11-23T12:00:00.000Z');

  it('produces the same data apart from ids for the same seed and time', () => {
    // Given two generations from the same seed and clock
    const first = generateDemoDataSet({ now, seed: 7 });
    const second = generateDemoDataSet({ now, seed: 7 });

    // Then they differ only in their random ids
    expect(first.conversations[0].id).not.toBe(second.conversations[0].id);
    expect(shapeOf(first)).toBe(shapeOf(second));
  });

  it('produces a different history for another seed', () => {
    expect(shapeOf(generateDemoDataSet({ now, seed: 7 }))).not.toBe(shapeOf(generateDemoDataSet({ now, seed: 8 })));
  });
});
