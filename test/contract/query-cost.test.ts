import { postGraphQL } from '../support/graphql-client';
import { createApiKey } from '../support/api-keys';
import { seedAgents, seedConversations } from '../support/seed-support-data';
import { startGateway, type TestGateway } from '../support/start-gateway';

const week = { from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' };
const create = (alias: string) => `${alias}: conversationCreate(input: { subject: "COST", channel: API }) { conversation { id } }`;

describe('COST: every response states what its operation was priced at, from the schema’s cost directives', () => {
  let gateway: TestGateway;
  let conversationIds: string[];
  beforeAll(async () => {
    gateway = await startGateway();
    conversationIds = await seedConversations(gateway.databaseUrl, await seedAgents(gateway.databaseUrl), 3);
  });
  afterAll(() => gateway.stop());

  const post = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });

  it('COST-01 a page is priced at its page size before it runs, and at the rows it returned after', async () => {
    const response = await post('{ conversations(first: 5) { nodes { id customer { id } } } }');

    expect(response.status).toBe(200);
    expect(response.body.data!.conversations.nodes).toHaveLength(3);
    // The connection 1, then per conversation asked for (5) and returned (3): itself and its customer.
    expect(response.body.extensions!.cost).toEqual({
      requestedQueryCost: 1 + 5 * 2,
      actualQueryCost: 1 + 3 * 2,
      throttleStatus: { maximumAvailable: 10_000_000, restoreRate: 1_000_000, currentlyAvailable: expect.any(Number) },
    });
  });

  /** Each document's requested cost, worked out by hand from docs/cost.md. */
  const priced: readonly [string, () => string, number][] = [
    ['scalars cost nothing, objects one', () => '{ viewer { scopes apiKey { id name } workspace { slug } } }', 3],
    ['a page without first or last is the default page of 20', () => '{ conversations { totalCount nodes { id } } }', 1 + 20],
    ['edges and pageInfo cost nothing; a nested page multiplies', () => '{ conversations(last: 7) { pageInfo { hasNextPage } edges { cursor node { id messages(first: 3) { nodes { id } } } } } }', 1 + 7 * (1 + 1 + 3)],
    ['a list without slicing arguments is its assumed size', () => '{ agents { id teamId } }', 100],
    ['a fragment on an interface counts its most expensive type', () => `{ node(id: "${conversationIds[0]}") { id ... on Conversation { customer { id } } ... on Customer { conversations(first: 5) { nodes { id } } } } }`, 1 + (1 + 5)],
    ['each mutation is 10, plus what its payload selects', () => `mutation { ${create('a')} ${create('b')} ${create('c')} }`, 3 * (10 + 1)],
    [
      'a batch is 10 per operation, however it is called',
      () => `mutation { conversationsBatchUpdate(input: { operations: [${conversationIds.map((id) => `{ id: "${id}", priority: HIGH }`).join(', ')}] }) { appliedCount } }`,
      3 * 10,
    ],
    ['an analytics question is 10', () => `{ analytics { summary(range: { from: "${week.from}", to: "${week.to}" }) { conversationsCreated firstResponseTime { count } } } }`, 1 + 10],
    [
      'a series is 10 plus one per point: buckets × (groups + the other group)',
      () => `{ analytics { conversationSeries(interval: DAY, groupBy: CHANNEL, groupLimit: 3, range: { from: "${week.from}", to: "${week.to}" }) { points { start metrics { messagesIn } } } } }`,
      // 7 days in buckets no shorter than 23 h (a day that loses an hour): ceil(168 / 23) + 1 = 9.
      1 + 10 + 9 * 4,
    ],
    ['a subscription is 10 when it starts', () => 'subscription { events { id type } }', 10],
    ['introspection costs nothing', () => '{ __schema { types { name fields { name } } } __typename }', 0],
  ];

  it.each(priced)('COST-02 %s', async (_rule, query, requestedQueryCost) => {
    const document = query();
    if (document.startsWith('subscription')) {
      // Over HTTP a subscription is refused, but only after it has been priced.
      const response = await post(document);
      expect(response.body.extensions!.cost.requestedQueryCost).toBe(requestedQueryCost);
      return;
    }
    const response = await post(document);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.extensions!.cost.requestedQueryCost).toBe(requestedQueryCost);
  });

  it('COST-03 the cost reads the variables, and input lists priced per item count their items', async () => {
    const page = 'query Page($first: Int) { conversations(first: $first) { nodes { id } } }';
    const batch = 'mutation Batch($operations: [ConversationBatchOperationInput!]!) { conversationsBatchUpdate(input: { operations: $operations }) { failedCount } }';

    expect((await post(page, { first: 2 })).body.extensions!.cost.requestedQueryCost).toBe(1 + 2);
    expect((await post(page, { first: 40 })).body.extensions!.cost.requestedQueryCost).toBe(1 + 40);
    const operations = (count: number) => Array.from({ length: count }, () => ({ id: conversationIds[0], subject: 'COST-03' }));
    expect((await post(batch, { operations: operations(1) })).body.extensions!.cost.requestedQueryCost).toBe(10);
    expect((await post(batch, { operations: operations(7) })).body.extensions!.cost.requestedQueryCost).toBe(70);
  });

  it('COST-06 variables are priced as execution reads them: an enum by its value, an omitted variable by its default', async () => {
    const series = `query Series($range: AnalyticsRange!, $interval: AnalyticsInterval!, $groupBy: AnalyticsGroupBy, $groupLimit: Int = 3) {
      analytics { conversationSeries(range: $range, interval: $interval, groupBy: $groupBy, groupLimit: $groupLimit) { points { start } } } }`;

    const grouped = await post(series, { range: week, interval: 'DAY', groupBy: 'CHANNEL' });
    const hourly = await post(series, { range: week, interval: 'HOUR' });

    expect(grouped.body.errors).toBeUndefined();
    expect(grouped.body.extensions!.cost.requestedQueryCost).toBe(1 + 10 + 9 * 4);
    // 168 hours, and one more for a range that does not start on the hour; not grouped: one group.
    expect(hourly.body.extensions!.cost.requestedQueryCost).toBe(1 + 10 + 169);
  });

  it('COST-04 what a page did not return goes back to the key’s bucket after the response', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read'], costBudget: { maximumAvailable: 1000, restoreRate: 1 } });

    const response = await postGraphQL(gateway.graphqlUrl, '{ agents { id } }', {}, { secret: key.secret });

    const cost = response.body.extensions!.cost;
    expect(response.body.data!.agents).toHaveLength(3);
    expect([cost.requestedQueryCost, cost.actualQueryCost]).toEqual([100, 3]);
    // 100 taken, 97 given back: the bucket is short of the 3 used (less what it refilled meanwhile), not of 100.
    expect(cost.throttleStatus!.currentlyAvailable).toBeGreaterThanOrEqual(1000 - 3);
    expect(Number(response.headers.get('ratelimit-remaining'))).toBeGreaterThanOrEqual(1000 - 3);
  });

  it('COST-07 what a page did not return goes back once: each such page lowers the bucket by exactly the rows it used', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read'], costBudget: { maximumAvailable: 1000, restoreRate: 1 } });
    const remaining = async () => (await postGraphQL(gateway.graphqlUrl, '{ agents { id } }', {}, { secret: key.secret })).body.extensions!.cost.throttleStatus!.currentlyAvailable;

    const first = await remaining();
    const second = await remaining();

    // 100 taken and 97 given back each time: 3 lower, less the fraction of a point refilled in
    // between. Given back twice, the bucket would stay full; never given back, 100 lower.
    expect(first).toBeLessThan(1000);
    expect(Math.ceil(first - second)).toBe(3);
  });

  it('COST-05 a response refused before it could run is priced at nothing, and still reports the bucket', async () => {
    const response = await post('{ viewer { nope } }');

    expect(response.status).toBe(400);
    expect(response.body.extensions!.cost).toMatchObject({ requestedQueryCost: null, actualQueryCost: 0, throttleStatus: { maximumAvailable: 10_000_000 } });
  });
});
