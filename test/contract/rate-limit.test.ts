import { randomBytes } from 'node:crypto';
import { createApiKey } from '../support/api-keys';
import { postGraphQL } from '../support/graphql-client';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startGateway, type TestGateway } from '../support/start-gateway';

const viewerQuery = /* GraphQL */ `query Viewer { viewer { apiKey { id } } }`;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.each([
  ['in memory', {}],
  ['in Redis', { REDIS_URL: redisUrl }],
])('RATE: per-key request counts and budgets, counted %s', (_store, env: Record<string, string>) => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ env });
  });
  afterAll(() => gateway.stop());

  it('RATE-01 every answered request carries RateLimit headers in the key’s cost points, counting down', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'], costBudget: { maximumAvailable: 500, restoreRate: 1 } });
    const first = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret });
    const second = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret });
    // viewer and its apiKey: two objects, two points; a point a second comes back meanwhile.
    expect(first.headers.get('ratelimit-limit')).toBe('500');
    expect(first.headers.get('ratelimit-remaining')).toBe('498');
    expect(Number(second.headers.get('ratelimit-remaining'))).toBeLessThan(498);
    expect(Number(second.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
  });

  it('RATE-05 RateLimit-Reset is the seconds until the bucket is full again, and RateLimit-Policy its size and refill window', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'], costBudget: { maximumAvailable: 500, restoreRate: 1 } });

    const response = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret });

    // Two points used at a point a second: full again in 2 s; empty to full takes 500 s.
    expect(response.headers.get('ratelimit-remaining')).toBe('498');
    expect(response.headers.get('ratelimit-reset')).toBe('2');
    expect(response.headers.get('ratelimit-policy')).toBe('500;w=500');
  });

  it('RATE-02 the request over the limit is 429 RATE_LIMITED with Retry-After, and another key is unaffected', async () => {
    const limited = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'], rateLimit: { requests: 3, windowSeconds: 3600 } });
    const other = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'], rateLimit: { requests: 3, windowSeconds: 3600 } });
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: limited.secret })).status).toBe(200);
    }
    const refused = await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: limited.secret });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter, budget: 'requests' });
    expect(refused.body.data).toBeUndefined();
    expect((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: other.secret })).status).toBe(200);
  });
});

describe('RATE: with REDIS_URL, instances share one count', () => {
  let database: TestDatabase;
  let first: TestGateway;
  let second: TestGateway;
  beforeAll(async () => {
    database = await createTestDatabase();
    first = await startGateway({ database, env: { REDIS_URL: redisUrl } });
    second = await startGateway({ database, env: { REDIS_URL: redisUrl } });
  });
  afterAll(async () => {
    await first.stop();
    await second.stop();
    await database.drop();
  });

  it('RATE-03 requests spread over two gateways are limited together', async () => {
    const name = `shared-${randomBytes(4).toString('hex')}`;
    const key = await createApiKey(first.graphqlUrl, first.adminSecret, { name, scopes: ['keys:read'], rateLimit: { requests: 4, windowSeconds: 3600 } });
    const statuses = [];
    for (const gateway of [first, second, first, second, first]) {
      statuses.push((await postGraphQL(gateway.graphqlUrl, viewerQuery, {}, { secret: key.secret })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});

describe('RATE: minting credentials has its own field limit (graphql-rate-limit)', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ env: { REDIS_URL: redisUrl } });
  });
  afterAll(() => gateway.stop());

  it('RATE-04 the 31st apiKeyCreate within a minute by one key is RATE_LIMITED, and nothing is created', async () => {
    const minter = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:write', 'keys:read'] });
    for (let index = 0; index < 30; index++) await createApiKey(gateway.graphqlUrl, minter.secret, { name: `minted ${index}`, scopes: ['keys:read'] });
    const refused = await postGraphQL(
      gateway.graphqlUrl,
      `mutation { apiKeyCreate(input: { name: "one too many", scopes: ["keys:read"] }) { secret } }`,
      {},
      { secret: minter.secret },
    );
    expect(refused.body.data!.apiKeyCreate).toBeNull();
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 60 });
    const names = await postGraphQL(gateway.graphqlUrl, `{ apiKeys(first: 100) { nodes { name } } }`, {}, { secret: gateway.adminSecret });
    expect(names.body.data!.apiKeys.nodes.map((node: { name: string }) => node.name)).not.toContain('one too many');
    expect((await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['keys:read'] })).id).toMatch(/^key_/);
  });
});

describe('RATE: a key that ignores Retry-After is paced', () => {
  const paceMs = 3000;
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ env: { REFUSAL_PACE: `${paceMs}ms` } });
  });
  afterAll(() => gateway.stop());

  // 1 + five analytics questions of 10, used in full: a budget of 60 answers it once, then owes 42 s.
  const range = '{ from: "2026-01-01T00:00:00Z", to: "2026-01-08T00:00:00Z" }';
  const fiveQuestions = `{ analytics { ${['a', 'b', 'c', 'd', 'e'].map((alias) => `${alias}: summary(range: ${range}) { messagesIn }`).join(' ')} } }`;
  const timed = async (secret: string) => {
    const startedAt = performance.now();
    const response = await postGraphQL(gateway.graphqlUrl, fiveQuestions, {}, { secret });
    return { response, elapsedMs: performance.now() - startedAt };
  };

  it.each([
    ['the request count', { rateLimit: { requests: 1, windowSeconds: 3600 } }, 'requests'],
    ['the cost budget', { costBudget: { maximumAvailable: 60, restoreRate: 1 } }, undefined],
  ])('RATE-06 over %s: the first 429 at once, every repeat before Retry-After held for the pace, on any number of connections', async (_limit, limits, budget) => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['analytics:read'], ...limits });
    expect((await timed(key.secret)).response.status).toBe(200);
    const first = await timed(key.secret);
    expect(first.response.status).toBe(429);

    const repeated = await timed(key.secret);
    expect(repeated.response.status).toBe(429);
    expect(repeated.response.body.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', ...(budget ? { budget } : {}) });
    // A lower bound only: a loaded machine makes it longer, never shorter.
    expect(repeated.elapsedMs).toBeGreaterThanOrEqual(paceMs - 50);

    const burst = await Promise.all(Array.from({ length: 25 }, () => timed(key.secret)));
    expect(burst.map(({ response }) => response.status)).toEqual(Array(25).fill(429));
    expect(burst.filter(({ elapsedMs }) => elapsedMs >= paceMs - 50)).toHaveLength(25);
  });

  it('RATE-06b over SSE: a credential reopening streams before its Retry-After gets its 429 only after the pace', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['events:read'], rateLimit: { requests: 1, windowSeconds: 3600 } });
    const open = async () => {
      const startedAt = performance.now();
      const response = await fetch(`${gateway.url}/graphql/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key.secret}` },
        body: JSON.stringify({ query: 'subscription { events { id } }' }),
      });
      await response.body?.cancel();
      return { status: response.status, elapsedMs: performance.now() - startedAt };
    };
    expect((await open()).status).toBe(200);
    const first = await open();
    const repeated = await open();

    expect([first.status, repeated.status]).toEqual([429, 429]);
    // A lower bound only: a loaded machine makes it longer, never shorter.
    expect(repeated.elapsedMs).toBeGreaterThanOrEqual(paceMs - 50);
  });

  it('RATE-07 another key of the workspace is not paced while one is', async () => {
    const limited = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['analytics:read'], rateLimit: { requests: 1, windowSeconds: 3600 } });
    const other = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['analytics:read'], rateLimit: { requests: 1, windowSeconds: 3600 } });
    await timed(limited.secret);
    await timed(limited.secret);
    let isHeldAnswered = false;
    const held = timed(limited.secret).then((answer) => ((isHeldAnswered = true), answer));
    await timed(other.secret);
    const otherRefused = await timed(other.secret);
    expect(otherRefused.response.status).toBe(429);
    // The other key's first refusal went out while the limited key's repeat was still held.
    expect(isHeldAnswered).toBe(false);
    expect((await held).elapsedMs).toBeGreaterThanOrEqual(paceMs - 50);
  });
});
