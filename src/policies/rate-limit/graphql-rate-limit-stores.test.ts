import { randomUUID } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { getGraphQLRateLimiter } from 'graphql-rate-limit';
import { Redis } from 'ioredis';
import { InMemoryRateLimitStore, IoRedisRateLimitStore } from './graphql-rate-limit-stores';

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
    const identity = randomUUID();
    await callRepeatedly(createRateLimiter(redis), identity, LIMIT.max + 1);

    const keys = await listKeysStartingWith(redis, `${KEY_PREFIX}${identity}`);
    const timesToLiveMs = await Promise.all(keys.map((key) => redis.pttl(key)));

    expect(keys.length).toBeGreaterThan(0);
    for (const timeToLiveMs of timesToLiveMs) {
      expect(timeToLiveMs).toBeGreaterThan(0);
      expect(timeToLiveMs).toBeLessThanOrEqual(WINDOW_MS);
    }
  });

});

describe.each<[string, () => InMemoryRateLimitStore | IoRedisRateLimitStore]>([
  ['InMemoryRateLimitStore', () => new InMemoryRateLimitStore()],
  ['IoRedisRateLimitStore', () => new IoRedisRateLimitStore(connectToRedis(), KEY_PREFIX)],
])('%s under races', (_name, createStore) => {
  it('admits exactly max calls when many race between graphql-rate-limit’s read and its write', async () => {
    const rateLimiter = getGraphQLRateLimiter({ identifyContext: (context: { id: string }) => context.id, store: createStore() });
    const identity = randomUUID();
    const info = { fieldName: 'apiKeyCreate' } as GraphQLResolveInfo;
    const results = await Promise.all(Array.from({ length: 40 }, () => rateLimiter({ parent: undefined, args: {}, context: { id: identity }, info }, LIMIT)));
    expect(results.filter((result) => result === undefined)).toHaveLength(LIMIT.max);
  });

  it('counts calls again once the earlier ones have left the window', async () => {
    const rateLimiter = getGraphQLRateLimiter({ identifyContext: (context: { id: string }) => context.id, store: createStore() });
    const info = { fieldName: 'apiKeyCreate' } as GraphQLResolveInfo;
    const call = (identity: string) => rateLimiter({ parent: undefined, args: {}, context: { id: identity }, info }, { max: 1, window: '50ms' });
    const identity = randomUUID();
    expect([await call(identity), await call(identity)]).toEqual([undefined, expect.any(String)]);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await call(identity)).toBeUndefined();
  });
});
