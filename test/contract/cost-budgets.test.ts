import { setTimeout as sleep } from 'node:timers/promises';
import { collectSubscription, connectWsClient } from '../support/connect-ws-client';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL, type GraphQLErrorBody, type GraphQLResponse } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startGateway, type TestGateway } from '../support/start-gateway';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const range = '{ from: "2026-01-01T00:00:00Z", to: "2026-01-08T00:00:00Z" }';

/** viewer 1, analytics 1 and three questions of 10: 32 points, used in full (no list to come back short). */
const threeQuestions = `{ viewer { scopes } analytics { a: summary(range: ${range}) { messagesIn } b: summary(range: ${range}) { messagesIn } c: summary(range: ${range}) { messagesIn } } }`;
const threeQuestionsCost = 32;
const scopes = ['analytics:read', 'events:read'];

let workspaceCount = 0;
/** Every case gets a workspace of its own, so that no case spends another's workspace budget. */
const freshWorkspace = () => `budget-${++workspaceCount}-${Date.now()}`;

describe.each([
  ['in memory, on one instance', false],
  ['in Redis, shared by two instances', true],
])('BUDGET: cost budgets per key and per workspace, %s', (_store, sharesRedis) => {
  let database: TestDatabase;
  let instances: TestGateway[];
  /** Requests go to the instances in turn: with Redis, every bucket must be one across them. */
  let turn = 0;
  const nextInstance = () => instances[turn++ % instances.length];
  const ask = (secret: string, query = threeQuestions): Promise<GraphQLResponse> => postGraphQL(nextInstance().graphqlUrl, query, {}, { secret });

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { WORKSPACE_COST_BUDGET: '150/1', ...(sharesRedis ? { REDIS_URL: redisUrl } : {}) };
    instances = [await startGateway({ database, env })];
    if (sharesRedis) instances.push(await startGateway({ database, env }));
  });
  afterAll(async () => {
    for (const instance of instances ?? []) await instance.stop();
    await database?.drop();
  });

  const keyIn = (workspace: string, maximumAvailable: number, restoreRate: number) =>
    createWorkspaceKey(instances[0], workspace, scopes, { maximumAvailable, restoreRate });

  it('BUDGET-10 out of points: 429 RATE_LIMITED before anything runs, Retry-After from the deficit, and the retry then passes', async () => {
    const key = await keyIn(freshWorkspace(), 100, 10);
    for (let spent = 0; spent < 3; spent++) expect((await ask(key.secret)).status).toBe(200);

    // 100 − 3 × 32 leaves 4 points (and what refilled meanwhile); 32 are asked: 28 short at 10 a second.
    const refused = await ask(key.secret);

    expect(refused.status).toBe(429);
    expect(refused.body.data).toBeUndefined();
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((threeQuestionsCost - 4) / 10));
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', budget: 'apiKey', retryAfterSeconds: retryAfter });
    expect(refused.body.extensions!.cost).toMatchObject({ requestedQueryCost: threeQuestionsCost, actualQueryCost: 0 });
    expect(refused.body.extensions!.cost.throttleStatus!.currentlyAvailable).toBeLessThan(threeQuestionsCost);

    await sleep(retryAfter * 1000);
    const retried = await ask(key.secret);
    expect(retried.status).toBe(200);
    expect(Object.keys(retried.body.data!)).toEqual(['viewer', 'analytics']);
  });

  it('BUDGET-11 another key of the same workspace keeps its own bucket', async () => {
    const workspace = freshWorkspace();
    const spender = await keyIn(workspace, 40, 1);
    const neighbour = await keyIn(workspace, 40, 1);
    expect((await ask(spender.secret)).status).toBe(200);
    expect((await ask(spender.secret)).status).toBe(429);

    expect((await ask(neighbour.secret)).status).toBe(200);
  });

  it('BUDGET-12 an operation larger than the key’s whole bucket is QUERY_TOO_COMPLEX, never a 429 that no wait could lift', async () => {
    const key = await keyIn(freshWorkspace(), 30, 1);

    const refused = await ask(key.secret);

    expect(refused.status).toBe(400);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'cost', limit: 30, value: threeQuestionsCost });
  });

  it('BUDGET-13 the workspace’s bucket caps all its keys together, and no other workspace feels it', async () => {
    const workspace = freshWorkspace();
    const [first, second] = [await keyIn(workspace, 1000, 100), await keyIn(workspace, 1000, 100)];
    for (let spent = 0; spent < 4; spent++) expect((await ask(first.secret)).status).toBe(200);

    // The workspace's 150 less 128 leaves 22 (and a point a second): short of 32, though the key has plenty.
    const refused = await ask(second.secret);

    expect(refused.status).toBe(429);
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', budget: 'workspace' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const elsewhere = await keyIn(freshWorkspace(), 1000, 100);
    expect((await ask(elsewhere.secret)).status).toBe(200);
  });

  it('BUDGET-14 concurrent requests take from one bucket atomically: exactly as many pass as it holds', async () => {
    const key = await keyIn(freshWorkspace(), 100, 1);

    const answers = await Promise.all(Array.from({ length: 8 }, () => ask(key.secret)));

    // 100 points hold three operations of 32 (a point a second cannot add the 28 a fourth lacks in time).
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
  });

  it('BUDGET-15 a subscription is charged when it starts: over WebSocket an error for that id, over SSE a 429', async () => {
    const key = await keyIn(freshWorkspace(), 25, 1);
    const instance = nextInstance();
    const connection = connectWsClient(instance.url, key.secret);
    try {
      // 25 points: of three subscriptions of 10 asked at once, two start and one finds 5 (and what refilled meanwhile).
      const subscriptions = Array.from({ length: 3 }, () => collectSubscription(connection.client, 'subscription { events { id } }'));
      await pollUntil(async () => subscriptions.some((subscription) => subscription.isDone), { timeoutMs: 10_000, description: 'a subscription to be refused' });
      const refused = subscriptions.filter((subscription) => subscription.isDone);
      expect(refused).toHaveLength(1);
      expect((refused[0].failure as GraphQLErrorBody[])[0].extensions).toMatchObject({ code: 'RATE_LIMITED', budget: 'apiKey', retryAfterSeconds: expect.any(Number) });

      const overSse = await fetch(`${nextInstance().url}/graphql/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key.secret}` },
        body: JSON.stringify({ query: 'subscription { events { id } }' }),
      });
      expect(overSse.status).toBe(429);
      expect(Number(overSse.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await overSse.json()) as { errors: GraphQLErrorBody[] }).errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
    } finally {
      await connection.dispose();
    }
  });
});

describe('BUDGET: the cost of a subscription that never starts', () => {
  // The default workspace budget (10,000 points), so that only the key's bucket and its 100 slots bind.
  let instance: TestGateway;
  beforeAll(async () => {
    instance = await startGateway();
  });
  afterAll(() => instance.stop());

  it('BUDGET-16 a subscription refused for want of a slot gets its cost back', async () => {
    // 100 subscriptions of 10 fill both the key's slots and its bucket but for one more subscription's 10.
    const key = await createWorkspaceKey(instance, `budget-slots-${Date.now()}`, scopes, { maximumAvailable: 1010, restoreRate: 1 });
    const streams = new AbortController();
    const connection = connectWsClient(instance.url, key.secret);
    try {
      // An SSE stream answers 200 only once it holds its slot: all 100 are held before the next asks.
      const opened = await Promise.all(
        Array.from({ length: 100 }, () =>
          fetch(`${instance.url}/graphql/stream`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${key.secret}` },
            body: JSON.stringify({ query: 'subscription { events { id } }' }),
            signal: streams.signal,
          }),
        ),
      );
      expect(opened.map((response) => response.status)).toEqual(Array(100).fill(200));

      // Each is refused for a slot; had the first kept its 10, the second would find the bucket
      // short instead (a point a second cannot restore 10 within the test).
      for (let attempt = 0; attempt < 2; attempt++) {
        const refused = collectSubscription(connection.client, 'subscription { events { id } }');
        await refused.waitFor(1);
        expect((refused.failure as GraphQLErrorBody[])[0].extensions).toMatchObject({ code: 'RATE_LIMITED', budget: 'subscriptions' });
      }
    } finally {
      streams.abort();
      await connection.dispose();
    }
  });
});
