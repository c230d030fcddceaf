import { collectSubscription, connectWsClient, type WsConnection } from '../support/connect-ws-client';
import { postGraphQL, type GraphQLErrorBody } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { readMetric } from '../support/read-metric';
import { seedAgents, seedConversations } from '../support/seed-support-data';
import { startGateway, type TestGateway } from '../support/start-gateway';

/**
 * Limits small enough to reach with short documents; each case below crosses exactly one. The
 * webhook dispatcher's poll (three statements a second) is slowed to an hour, so that
 * gateway_sql_statements_total moves only for requests and "runs no SQL" is exact.
 */
const limits = { WEBHOOK_POLL_INTERVAL: '1h', MAX_QUERY_COST: '300', MAX_QUERY_DEPTH: '6', MAX_QUERY_ALIASES: '4', MAX_QUERY_TOKENS: '400', MAX_QUERY_ROOT_FIELDS: '5', MAX_QUERY_DIRECTIVES: '3' };

const aliases = (count: number, field: string) => Array.from({ length: count }, (_, index) => `a${index}: ${field}`).join(' ');

/** One document per measure, each over its limit and within every other. */
const overLimit: readonly { measure: string; query: string; limit: number; value: number }[] = [
  { measure: 'cost', query: '{ conversations(first: 100) { nodes { id customer { id } assignee { id } } } }', limit: 300, value: 1 + 100 * 3 },
  { measure: 'depth', query: '{ conversations(first: 1) { nodes { customer { conversations(first: 1) { nodes { messages(first: 1) { nodes { id } } } } } } } }', limit: 6, value: 8 },
  { measure: 'aliases', query: `{ ${aliases(5, 'viewer { scopes }')} }`, limit: 4, value: 5 },
  { measure: 'rootFields', query: '{ viewer { scopes } agents { id } teams { id } a: viewer { scopes } b: viewer { scopes } c: viewer { scopes } }', limit: 5, value: 6 },
  { measure: 'directives', query: '{ viewer @include(if: true) { scopes @include(if: true) apiKey @skip(if: false) { id @skip(if: false) } } }', limit: 3, value: 4 },
  { measure: 'tokens', query: `{ viewer { ${'scopes '.repeat(400)} } }`, limit: 400, value: 405 },
];

describe('LIMIT: operations over a limit are refused before any SQL, alike on HTTP, WebSocket and SSE', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ env: limits });
    await seedConversations(gateway.databaseUrl, await seedAgents(gateway.databaseUrl), 3);
    // An event in the log, for subscriptions to replay.
    await postGraphQL(gateway.graphqlUrl, 'mutation { conversationCreate(input: { subject: "LIMIT", channel: API }) { conversation { id } } }', {}, { secret: gateway.adminSecret });
    // The mutation's aftermath (its NOTIFY read back by the event hub and the dispatcher, the key's lastUsedAt) runs
    // statements of its own: wait until the count stands still, so that LIMIT-01 counts only its request.
    let previous = -1;
    await pollUntil(async () => {
      const current = await readMetric(gateway.url, 'gateway_sql_statements_total');
      const isStill = current === previous;
      previous = current;
      return isStill;
    }, { timeoutMs: 10_000, intervalMs: 500, description: 'SQL statements to stand still' });
  });
  afterAll(() => gateway.stop());

  it.each(overLimit)('LIMIT-01 over HTTP, the $measure limit answers 400 QUERY_TOO_COMPLEX with the limit and the value, and runs no SQL', async ({ measure, query, limit, value }) => {
    const statementsBefore = await readMetric(gateway.url, 'gateway_sql_statements_total');
    const response = await postGraphQL(gateway.graphqlUrl, query, {}, { secret: gateway.adminSecret });
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', measure, limit, value, requestId: response.headers.get('x-request-id') });
    expect(await readMetric(gateway.url, 'gateway_sql_statements_total')).toBe(statementsBefore);
  });

  it('LIMIT-02 the cost limit reads the variables: the same document passes with a small page and is refused with a large one', async () => {
    const query = 'query Page($first: Int) { conversations(first: $first) { nodes { id customer { id } assignee { id } } } }';
    const small = await postGraphQL(gateway.graphqlUrl, query, { first: 2 }, { secret: gateway.adminSecret });
    const large = await postGraphQL(gateway.graphqlUrl, query, { first: 100 }, { secret: gateway.adminSecret });
    expect(small.status).toBe(200);
    expect(small.body.data!.conversations.nodes).toHaveLength(2);
    expect(large.status).toBe(400);
    expect(large.body.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'cost', value: 301 });
  });

  /** One document per measure, exactly at its limit and within every other. */
  const atLimit: readonly { measure: string; query: string }[] = [
    // 1 + 99 × 3 for the page, and 2 for viewer and its key: 300.
    { measure: 'cost', query: '{ viewer { apiKey { id } } conversations(first: 99) { nodes { id customer { id } assignee { id } } } }' },
    { measure: 'depth', query: '{ conversations(first: 1) { nodes { customer { conversations(first: 1) { nodes { id } } } } } }' },
    { measure: 'aliases', query: `{ ${aliases(4, 'viewer { scopes }')} }` },
    { measure: 'rootFields', query: '{ viewer { scopes } agents { id } teams { id } a: viewer { scopes } b: viewer { scopes } }' },
    { measure: 'directives', query: '{ viewer @include(if: true) { scopes @include(if: true) apiKey @skip(if: false) { id } } }' },
    // `{ viewer {` and `} }` are 5 tokens.
    { measure: 'tokens', query: `{ viewer { ${'scopes '.repeat(395)} } }` },
  ];

  it.each(atLimit)('LIMIT-07 an operation exactly at the $measure limit runs: the limits are maximums, not bounds to stay below', async ({ query }) => {
    const response = await postGraphQL(gateway.graphqlUrl, query, {}, { secret: gateway.adminSecret });
    expect(response.body.errors).toBeUndefined();
    expect(response.status).toBe(200);
  });

  it.each([
    { measure: 'cost', query: overLimit[0].query, requestedQueryCost: 301 },
    { measure: 'depth', query: overLimit[1].query, requestedQueryCost: null },
  ])('LIMIT-08 a $measure refusal reports what it knows in extensions.cost, and the key’s bucket in body and headers', async ({ query, requestedQueryCost }) => {
    const response = await postGraphQL(gateway.graphqlUrl, query, {}, { secret: gateway.adminSecret });

    expect(response.status).toBe(400);
    // The requested cost is known only when cost was the limit; nothing ran, so nothing was used.
    expect(response.body.extensions!.cost).toEqual({
      requestedQueryCost,
      actualQueryCost: 0,
      // docs/cost.md: throttleStatus is null only when the budget store cannot be reached.
      throttleStatus: { maximumAvailable: 10_000_000, restoreRate: 1_000_000, currentlyAvailable: 10_000_000 },
    });
    expect([response.headers.get('ratelimit-limit'), response.headers.get('ratelimit-remaining')]).toEqual(['10000000', '10000000']);
  });

  describe('over WebSocket', () => {
    let connection: WsConnection;
    beforeAll(() => {
      connection = connectWsClient(gateway.url, gateway.adminSecret);
    });
    afterAll(() => connection.dispose());

    const subscriptionOver = [
      { measure: 'aliases', query: `subscription { events { ${aliases(5, 'id')} } }`, limit: 4, value: 5 },
      { measure: 'directives', query: 'subscription { events @include(if: true) { id @include(if: true) type @skip(if: false) sequence @skip(if: false) } }', limit: 3, value: 4 },
      { measure: 'tokens', query: `subscription { events { ${'id '.repeat(400)} } }`, limit: 400, value: 406 },
    ];

    it.each(subscriptionOver)('LIMIT-03 a subscription over the $measure limit gets an error for its id, and the socket stays open for the next', async ({ measure, query, limit, value }) => {
      const refused = collectSubscription(connection.client, query);
      await refused.waitFor(1);
      expect(refused.isDone).toBe(true);
      expect((refused.failure as GraphQLErrorBody[])[0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', measure, limit, value, requestId: expect.any(String) });

      const accepted = collectSubscription(connection.client, 'subscription { events(after: "0") { id } }');
      const [result] = await accepted.waitFor(1);
      expect(result.data).toEqual({ events: { id: expect.stringMatching(/^evt_/) } });
      accepted.unsubscribe();
    });
  });

  it('LIMIT-04 over SSE, a subscription over a limit is refused 400 before its stream opens', async () => {
    const response = await fetch(`${gateway.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${gateway.adminSecret}` },
      body: JSON.stringify({ query: `subscription { events { ${aliases(5, 'id')} } }` }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: GraphQLErrorBody[] }).errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'aliases', limit: 4, value: 5 });
  });
});

describe('LIMIT: production answers name no field a client did not ask for, on every transport', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ env: { NODE_ENV: 'production' } });
  });
  afterAll(() => gateway.stop());

  const misspelt = 'subscription { events { idd } }';

  it('LIMIT-05 a misspelt field over HTTP, WebSocket and SSE is refused without "Did you mean"', async () => {
    const http = await postGraphQL(gateway.graphqlUrl, '{ viewer { scope } }', {}, { secret: gateway.adminSecret });
    const connection = connectWsClient(gateway.url, gateway.adminSecret);
    const overWs = collectSubscription(connection.client, misspelt);
    await overWs.waitFor(1);
    await connection.dispose();
    const overSse = await fetch(`${gateway.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${gateway.adminSecret}` },
      body: JSON.stringify({ query: misspelt }),
    });

    const messages = [http.body.errors![0].message, (overWs.failure as GraphQLErrorBody[])[0].message, ((await overSse.json()) as { errors: GraphQLErrorBody[] }).errors[0].message];
    expect(messages.map((message) => /^Cannot query field "(scope|idd)"/.test(message))).toEqual([true, true, true]);
    expect(messages.filter((message) => /Did you mean/.test(message))).toEqual([]);
  });

  it('LIMIT-06 outside production the same error keeps its suggestion', async () => {
    const development = await startGateway();
    try {
      const response = await postGraphQL(development.graphqlUrl, '{ viewer { scope } }', {}, { secret: development.adminSecret });
      expect(response.body.errors![0].message).toMatch(/Did you mean "scopes"\?/);
    } finally {
      await development.stop();
    }
  });
});
