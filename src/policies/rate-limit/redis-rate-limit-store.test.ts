import { randomUUID } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { getGraphQLRateLimiter } from 'graphql-rate-limit';
import { Redis } from 'ioredis';
import { IoRedisRateLimitStore } from './redis-rate-limit-store';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Unique per run, so parallel runs against one Redis never share a limit. */
const KEY_PREFIX = `test:graphql-rate-limit:${randomUUID()}:`;
const LIMIT = { max: 3, window: '1m', message: 'Too many conversation lookups' } as const;
const WINDOW_MS = 60_000;

const openConnections: Redis[] = [];

function connectToRedis(): Redis {
  const redis = new Redis(REDIS_URL);
  openConnections.push(redis);
  return redis;
}

function createRateLimiter(redis: Redis) {
  return getGraphQLRateLimiter({
    identifyContext: (context: { id: string }) => context.id,
    store: new IoRedisRateLimitStore(redis, KEY_PREFIX),
  });
}

type RateLimiter = ReturnType<typeof createRateLimiter>;

/** Resolves to the limit's message when the call is refused, undefined when it may proceed. */
function callConversations(rateLimiter: RateLimiter, identity: string) {
  const info = { fieldName: 'conversations' } as GraphQLResolveInfo;
  return rateLimiter({ parent: undefined, args: {}, context: { id: identity }, info }, LIMIT);
}

async function callRepeatedly(rateLimiter: RateLimiter, identity: string, times: number) {
  const results: Array<string | undefined> = [];
  for (let i = 0; i < times; i++) results.push(await callConversations(rateLimiter, identity));
  return results;
}

async function listKeysStartingWith(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of redis.scanStream({ match: `${prefix}*` })) found.push(...keys);
  return found;
}

afterAll(async () => {
  const redis = openConnections[0];
  if (redis !== undefined) {
    const keys = await listKeysStartingWith(redis, KEY_PREFIX);
    if (keys.length > 0) await redis.unlink(...keys);
  }
  await Promise.all(openConnections.map((connection) => connection.quit()));
});

describe('IoRedisRateLimitStore', () => {
  it('refuses the call after max within the window and leaves other identities alone', async () => {
    const rateLimiter = createRateLimiter(connectToRedis());
    const [limitedIdentity, otherIdentity] = [randomUUID(), randomUUID()];

    const results = await callRepeatedly(rateLimiter, limitedIdentity, LIMIT.max + 1);
    const otherResult = await callConversations(rateLimiter, otherIdentity);

    expect(results).toEqual([undefined, undefined, undefined, LIMIT.message]);
    expect(otherResult).toBeUndefined();
  });

  it('shares one limit between store instances on separate connections', async () => {
    const firstInstance = createRateLimiter(connectToRedis());
    const secondInstance = createRateLimiter(connectToRedis());
    const identity = randomUUID();

    await callRepeatedly(firstInstance, identity, LIMIT.max);
    const callOnSecondInstance = await callConversations(secondInstance, identity);

    expect(callOnSecondInstance).toBe(LIMIT.message);
  });

  it('keeps identities whose text would collide when joined with a colon apart', async () => {
    const redis = connectToRedis();
    const store = new IoRedisRateLimitStore(redis, KEY_PREFIX);
    const prefix = randomUUID();

    await store.setForIdentity(
      { contextIdentity: `${prefix}:a`, fieldIdentity: 'b' },
      [Date.now()],
      WINDOW_MS,
    );

    const other = await store.getForIdentity({ contextIdentity: prefix, fieldIdentity: 'a:b' });
    expect(other).toEqual([]);
  });

  it('lets every key it writes expire within the window', async () => {
    const redis = connectToRedis();
    await callRepeatedly(createRateLimiter(redis), randomUUID(), LIMIT.max + 1);

    const keys = await listKeysStartingWith(redis, KEY_PREFIX);
    const timesToLiveMs = await Promise.all(keys.map((key) => redis.pttl(key)));

    expect(keys.length).toBeGreaterThan(0);
    for (const timeToLiveMs of timesToLiveMs) {
      expect(timeToLiveMs).toBeGreaterThan(0);
      expect(timeToLiveMs).toBeLessThanOrEqual(WINDOW_MS);
    }
  });

  it('deletes the record when none of its timestamps is still inside the window', async () => {
    const redis = connectToRedis();
    const store = new IoRedisRateLimitStore(redis, KEY_PREFIX);
    const identity = { contextIdentity: randomUUID(), fieldIdentity: 'conversations' };
    await store.setForIdentity(identity, [Date.now()], WINDOW_MS);

    await store.setForIdentity(identity, [Date.now() - 2 * WINDOW_MS], WINDOW_MS);

    expect(await store.getForIdentity(identity)).toEqual([]);
  });
});
