import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { InMemoryCostBudgetStore, type Bucket, type CostBudgetStore } from './cost-budget';
import { RedisCostBudgetStore } from './redis-cost-budget';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Unique per run, so parallel runs against one Redis never share a bucket. */
const KEY_PREFIX = `test:cost:${randomUUID()}:`;
const openConnections: Redis[] = [];

function connectToRedis(): Redis {
  const redis = new Redis(REDIS_URL);
  openConnections.push(redis);
  return redis;
}

afterAll(async () => {
  const redis = openConnections[0];
  if (redis) {
    for await (const keys of redis.scanStream({ match: `${KEY_PREFIX}*` })) if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
  }
  await Promise.all(openConnections.map((connection) => connection.quit()));
});

/** A bucket refilling one point a second: too slow to change any figure within a test. */
const slowBucket = (maximumAvailable: number): Bucket => ({ id: randomUUID(), spec: { maximumAvailable, restoreRate: 1 } });

describe.each<[string, () => CostBudgetStore]>([
  ['InMemoryCostBudgetStore', () => new InMemoryCostBudgetStore()],
  ['RedisCostBudgetStore', () => new RedisCostBudgetStore(connectToRedis(), KEY_PREFIX)],
])('BUDGET: %s', (_name, createStore) => {
  let store: CostBudgetStore;
  beforeAll(() => {
    store = createStore();
  });

  it('BUDGET-01 starts full and takes the cost asked for', async () => {
    const bucket = slowBucket(100);
    const taken = await store.take([bucket], 30);
    expect(taken.isAllowed).toBe(true);
    expect(Math.floor(taken.statuses[0].currentlyAvailable)).toBe(70);
  });

  it('BUDGET-02 refuses a cost beyond what is left, takes nothing, and says how long the deficit takes to restore', async () => {
    const bucket = slowBucket(100);
    await store.take([bucket], 90);
    const refused = await store.take([bucket], 25);
    expect(refused.isAllowed).toBe(false);
    const available = refused.statuses[0].currentlyAvailable;
    expect(refused.retryAfterSeconds).toBe(Math.ceil(25 - available));
    expect(Math.floor((await store.take([bucket], 0)).statuses[0].currentlyAvailable)).toBe(Math.floor(available));
  });

  it('BUDGET-03 takes from every bucket or from none', async () => {
    const key = slowBucket(1_000);
    const workspace = slowBucket(50);
    expect((await store.take([key, workspace], 40)).isAllowed).toBe(true);
    const refused = await store.take([key, workspace], 40);
    expect(refused.isAllowed).toBe(false);
    expect(Math.floor(refused.statuses[0].currentlyAvailable)).toBe(960);
  });

  it('BUDGET-04 gives back what an operation did not use, never beyond the maximum', async () => {
    const bucket = slowBucket(100);
    await store.take([bucket], 80);
    expect(Math.floor((await store.adjust([bucket], 50))[0].currentlyAvailable)).toBe(70);
    expect((await store.adjust([bucket], 500))[0].currentlyAvailable).toBe(100);
  });

  it('BUDGET-05 refills at the restore rate', async () => {
    const bucket: Bucket = { id: randomUUID(), spec: { maximumAvailable: 1_000, restoreRate: 1_000_000 } };
    await store.take([bucket], 1_000);
    // A million points a second refill the bucket within the next millisecond.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await store.take([bucket], 0)).statuses[0].currentlyAvailable).toBe(1_000);
  });

  it('BUDGET-06 admits exactly what the bucket holds when operations race', async () => {
    const bucket = slowBucket(100);
    const results = await Promise.all(Array.from({ length: 25 }, () => store.take([bucket], 10)));
    expect(results.filter((result) => result.isAllowed)).toHaveLength(10);
  });
});

describe('BUDGET: Redis buckets across gateway instances', () => {
  it('BUDGET-07 two instances on separate connections share one bucket, exactly, under races', async () => {
    const instances = [new RedisCostBudgetStore(connectToRedis(), KEY_PREFIX), new RedisCostBudgetStore(connectToRedis(), KEY_PREFIX)];
    const bucket = slowBucket(100);
    const results = await Promise.all(Array.from({ length: 30 }, (_, index) => instances[index % 2].take([bucket], 10)));
    expect(results.filter((result) => result.isAllowed)).toHaveLength(10);
  });

  it('BUDGET-08 lets a bucket’s key expire once it would be full again', async () => {
    const redis = connectToRedis();
    const bucket: Bucket = { id: randomUUID(), spec: { maximumAvailable: 100, restoreRate: 10 } };
    await new RedisCostBudgetStore(redis, KEY_PREFIX).take([bucket], 50);
    const timeToLiveMs = await redis.pttl(`${KEY_PREFIX}${bucket.id}`);
    expect(timeToLiveMs).toBeGreaterThan(4_000);
    expect(timeToLiveMs).toBeLessThanOrEqual(6_000);
  });
});

describe('BUDGET: memory', () => {
  it('BUDGET-09 forgets buckets once they are full again', async () => {
    let nowMs = 0;
    const store = new InMemoryCostBudgetStore(() => nowMs);
    await store.take([{ id: 'a', spec: { maximumAvailable: 10, restoreRate: 1 } }], 5);
    nowMs = 60_000;
    await store.take([{ id: 'b', spec: { maximumAvailable: 10, restoreRate: 1 } }], 5);
    expect(store.size).toBe(1);
  });
});
