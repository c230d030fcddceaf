import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  type FixedWindowCounter,
  InMemoryFixedWindowCounter,
  RedisFixedWindowCounter,
} from './fixed-window-counter';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Unique per run, so parallel runs against one Redis never share a counter. */
const KEY_PREFIX = `test:fixed-window:${randomUUID()}:`;
const ONE_MINUTE_SECONDS = 60;

const openConnections: Redis[] = [];

function connectToRedis(): Redis {
  const redis = new Redis(REDIS_URL);
  openConnections.push(redis);
  return redis;
}

async function deleteKeysStartingWith(redis: Redis, prefix: string): Promise<void> {
  for await (const keys of redis.scanStream({ match: `${prefix}*` })) {
    if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
  }
}

async function waitUntil(epochMs: number): Promise<void> {
  // Timers may fire a millisecond early against Date.now(); the margin keeps us past the edge.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now()) + 10));
}

afterAll(async () => {
  if (openConnections[0] !== undefined) {
    await deleteKeysStartingWith(openConnections[0], KEY_PREFIX);
  }
  await Promise.all(openConnections.map((redis) => redis.quit()));
});

describe.each<[string, () => FixedWindowCounter]>([
  ['InMemoryFixedWindowCounter', () => new InMemoryFixedWindowCounter()],
  ['RedisFixedWindowCounter', () => new RedisFixedWindowCounter(connectToRedis(), KEY_PREFIX)],
])('%s', (_name, createCounter) => {
  let counter: FixedWindowCounter;
  beforeAll(() => {
    counter = createCounter();
  });
  afterAll(() => counter.close());

  it('counts every hit on a key within one window and reports when the window ends', async () => {
    const key = randomUUID();
    const hits = [];
    for (let i = 0; i < 3; i++) hits.push(await counter.hit(key, ONE_MINUTE_SECONDS));

    expect(hits.map((hit) => hit.count)).toEqual([1, 2, 3]);
    const resetAtMs = hits[0]?.resetAtMs ?? NaN;
    expect(hits.every((hit) => hit.resetAtMs === resetAtMs)).toBe(true);
    expect(resetAtMs % (ONE_MINUTE_SECONDS * 1000)).toBe(0);
    expect(resetAtMs).toBeGreaterThan(Date.now());
  });

  it('counts each key on its own', async () => {
    const [firstKey, secondKey] = [randomUUID(), randomUUID()];
    await counter.hit(firstKey, ONE_MINUTE_SECONDS);
    await counter.hit(firstKey, ONE_MINUTE_SECONDS);

    expect((await counter.hit(secondKey, ONE_MINUTE_SECONDS)).count).toBe(1);
  });

  it('counts windows of different lengths on one key apart', async () => {
    const key = randomUUID();
    await counter.hit(key, ONE_MINUTE_SECONDS);

    expect((await counter.hit(key, 2 * ONE_MINUTE_SECONDS)).count).toBe(1);
  });

  it('starts counting from one again once the window has ended', async () => {
    const key = randomUUID();
    await counter.hit(key, 1);
    const lastHitOfFirstWindow = await counter.hit(key, 1);

    await waitUntil(lastHitOfFirstWindow.resetAtMs);
    const firstHitOfNextWindow = await counter.hit(key, 1);

    expect(firstHitOfNextWindow.count).toBe(1);
    expect(firstHitOfNextWindow.resetAtMs).toBeGreaterThan(lastHitOfFirstWindow.resetAtMs);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects a window of %p seconds', async (windowSeconds) => {
    await expect(counter.hit(randomUUID(), windowSeconds)).rejects.toThrow(RangeError);
  });
});

describe('InMemoryFixedWindowCounter memory', () => {
  afterEach(() => jest.useRealTimers());

  it('forgets ended windows instead of holding every key it has seen', async () => {
    jest.useFakeTimers({ now: 0 });
    const counter = new InMemoryFixedWindowCounter();
    for (const key of ['a', 'b', 'c']) await counter.hit(key, 1);

    jest.setSystemTime(60_000);
    await counter.hit('d', 1);

    expect(counter.trackedWindowCount).toBe(1);
  });
});

describe('RedisFixedWindowCounter across gateway instances', () => {
  it('shares one count between instances on separate connections', async () => {
    const firstInstance = new RedisFixedWindowCounter(connectToRedis(), KEY_PREFIX);
    const secondInstance = new RedisFixedWindowCounter(connectToRedis(), KEY_PREFIX);
    const key = randomUUID();

    const hits = [
      await firstInstance.hit(key, ONE_MINUTE_SECONDS),
      await secondInstance.hit(key, ONE_MINUTE_SECONDS),
      await firstInstance.hit(key, ONE_MINUTE_SECONDS),
    ];

    expect(hits.map((hit) => hit.count)).toEqual([1, 2, 3]);
    expect(new Set(hits.map((hit) => hit.resetAtMs)).size).toBe(1);
  });

  it('hands out each count exactly once when instances hit concurrently', async () => {
    const instances = [connectToRedis(), connectToRedis()].map(
      (redis) => new RedisFixedWindowCounter(redis, KEY_PREFIX),
    );
    const key = randomUUID();

    const hits = await Promise.all(
      Array.from({ length: 50 }, (_, i) => instances[i % 2]!.hit(key, ONE_MINUTE_SECONDS)),
    );

    const counts = hits.map((hit) => hit.count).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('lets the Redis key expire exactly when its window ends', async () => {
    const redis = connectToRedis();
    const key = randomUUID();

    const hit = await new RedisFixedWindowCounter(redis, KEY_PREFIX).hit(key, ONE_MINUTE_SECONDS);

    const expiresAtMs = await redis.call('PEXPIRETIME', `${KEY_PREFIX}${ONE_MINUTE_SECONDS}s:${key}`);
    expect(expiresAtMs).toBe(hit.resetAtMs);
  });
});
