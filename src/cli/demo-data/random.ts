/** A seeded source of randomness, so every seed run produces the same shapes of data. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A key of `weights`, each as likely as its weight. */
  weighted<Key extends string>(weights: Readonly<Record<Key, number>>): Key;
  /** `count` distinct items in random order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** `length` characters from `alphabet`. */
  string(alphabet: string, length: number): string;
}

/** mulberry32: 32 bits of state, good enough spread for demo data and tiny. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    between: (min, max) => min + next() * (max - min),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)],
    weighted(weights) {
      const entries = Object.entries(weights) as [string, number][];
      let remaining = next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
      for (const [key, weight] of entries) {
        remaining -= weight;
        if (remaining < 0) return key as never;
      }
      return entries[entries.length - 1][0] as never;
    },
    sample(items, count) {
      const pool = [...items];
      for (let index = pool.length - 1; index > 0; index--) {
        const swap = Math.floor(next() * (index + 1));
        [pool[index], pool[swap]] = [pool[swap], pool[index]];
      }
      return pool.slice(0, count);
    },
    string: (alphabet, length) => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  };
}
