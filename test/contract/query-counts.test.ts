import { Client } from 'pg';
import { postGraphQL } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { seedAgents, seedConversations, seedNotes, seedWebhookDeliveries } from '../support/seed-support-data';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { tableReadBy } from '../support/table-read-by';

/** A row of a support inbox's list screen. */
const conversationRowFragment = /* GraphQL */ `
  fragment ConversationRow on Conversation {
    id subject status tags
    customer { id name email }
    assignee { id name }
    team { id name }
    lastMessage { id body createdAt }
  }
`;
const conversationsPageQuery = /* GraphQL */ `
  query ConversationsPage($first: Int!, $after: String) {
    conversations(first: $first, after: $after) { edges { cursor node { ...ConversationRow } } pageInfo { hasNextPage endCursor } }
  }
  ${conversationRowFragment}
`;
const conversationsPageWithTotalQuery = /* GraphQL */ `
  query ConversationsPageWithTotal($first: Int!) {
    conversations(first: $first) { totalCount edges { cursor node { ...ConversationRow } } pageInfo { hasNextPage endCursor } }
  }
  ${conversationRowFragment}
`;
const conversationScreenQuery = /* GraphQL */ `
  query ConversationScreen($id: ID!) {
    conversation(id: $id) { id subject status customer { id name email } messages(first: 50) { nodes { id authorType body createdAt } } }
  }
`;
const createMutation = /* GraphQL */ `
  mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id subject status } } }
`;
const customersPageQuery = /* GraphQL */ `query CustomersPage($first: Int!) { customers(first: $first) { nodes { id } } }`;

/** Every connection a conversation and its customer have, each one row deep and with its totalCount when asked. */
const nestedConnectionsFragment = /* GraphQL */ `
  fragment ConversationConnections on Conversation {
    messages(first: 1) { totalCount @include(if: $withTotals) nodes { id } pageInfo { hasNextPage endCursor } }
    notes(first: 1) { totalCount @include(if: $withTotals) nodes { id } pageInfo { hasNextPage } }
  }
  fragment CustomerConnections on Customer {
    notes(first: 1) { totalCount @include(if: $withTotals) nodes { id } pageInfo { hasNextPage } }
    conversations(first: 1) { totalCount @include(if: $withTotals) nodes { id ...ConversationConnections } pageInfo { hasNextPage } }
  }
`;
const conversationsWithNestedQuery = /* GraphQL */ `
  query ConversationsWithNested($first: Int!, $withTotals: Boolean!) {
    conversations(first: $first, filter: { tags: ["seeded"] }) { totalCount @include(if: $withTotals) nodes { id ...ConversationConnections customer { id ...CustomerConnections } } }
  }
  ${nestedConnectionsFragment}
`;
const customersWithNestedQuery = /* GraphQL */ `
  query CustomersWithNested($first: Int!, $withTotals: Boolean!) {
    customers(first: $first) { totalCount @include(if: $withTotals) nodes { id ...CustomerConnections } }
  }
  ${nestedConnectionsFragment}
`;
const endpointsWithDeliveriesQuery = /* GraphQL */ `
  query EndpointsWithDeliveries($first: Int!, $withTotals: Boolean!) {
    webhookEndpoints(first: 20) {
      totalCount @include(if: $withTotals)
      nodes { id deliveries(first: $first) { totalCount @include(if: $withTotals) nodes { id attempts { attemptNumber } } pageInfo { hasNextPage } } }
    }
  }
`;

/**
 * The statements one page of `conversationsPageQuery` costs, by the table each reads, whatever the
 * page size: the page itself (N + 1 rows, to know hasNextPage) with each conversation's customer
 * and last message read in the same statement, then one batch each for assignees and teams. The
 * API key was read by the first request and is cached while the gateway listens for key changes.
 */
const conversationsPageReads = ['conversations', 'agents', 'teams'];
const customersPageReads = ['customers'];
/**
 * One statement per level and connection: the page; then the conversations' messages and notes
 * and their customers; then those customers' notes and conversations; then the messages and notes
 * of those conversations. With totalCount, one grouped COUNT per connection and level besides.
 */
const conversationsWithNestedReads = ['conversations', 'messages', 'conversation_notes', 'customers', 'customer_notes', 'conversations', 'messages', 'conversation_notes'];
const conversationsWithNestedCounts = ['conversations', 'messages', 'conversation_notes', 'customer_notes', 'conversations', 'messages', 'conversation_notes'].map((table) => `count:${table}`);
const customersWithNestedReads = ['customers', 'customer_notes', 'conversations', 'messages', 'conversation_notes'];
const customersWithNestedCounts = customersWithNestedReads.map((table) => `count:${table}`);
const endpointsWithDeliveriesReads = ['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts'];
const endpointsWithDeliveriesCounts = ['count:webhook_endpoints', 'count:webhook_deliveries'];
const conversationCount = 120;
/** A workspace may have at most 20 endpoints, so deliveries carry the page sizes under them. */
const endpointCount = 20;

interface Measurement {
  /** The delta of gateway_sql_statements_total across the request. */
  readonly statementCount: number;
  /** The table each statement the ORM sent meanwhile reads, sorted, so a failure shows which one repeats. */
  readonly reads: readonly string[];
}

/** `count:conversations`, `customers`, …: enough to tell the statements of a read-only request apart. */
function describeStatement(sql: string): string {
  const table = tableReadBy(sql) ?? sql;
  return /^\s*select\s+count\(/i.test(sql) ? `count:${table}` : table;
}

const expected = (reads: readonly string[]): Measurement => ({ statementCount: reads.length, reads: [...reads].sort() });

describe('SQL: a list costs a fixed number of SQL statements, whatever the page size', () => {
  let gateway: TestGateway;
  let database: Client;
  let sentStatements: string[] = [];
  let lastUsedAtBeforeMeasuring: Date;

  const readLastUsedAt = async (): Promise<Date | null> =>
    (await database.query('select last_used_at from api_keys where id = $1', [gateway.app.bootstrapKey!.apiKey.id])).rows[0].last_used_at;

  const readStatementTotal = async (): Promise<number> => {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const total = /^gateway_sql_statements_total (\d+)$/m.exec(metrics)?.[1];
    if (total === undefined) throw new Error('/metrics has no gateway_sql_statements_total');
    return Number(total);
  };

  /** Requests run one at a time and nothing else uses this gateway, so the delta is this request's alone. */
  const measure = async (query: string, variables: Record<string, unknown>): Promise<{ cost: Measurement; data: any }> => {
    sentStatements = [];
    const before = await readStatementTotal();
    const response = await postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });
    expect(response.body.errors).toBeUndefined();
    const statementCount = (await readStatementTotal()) - before;
    return { cost: { statementCount, reads: sentStatements.map(describeStatement).sort() }, data: response.body.data };
  };

  beforeAll(async () => {
    // Pages of 100 with every nested connection under them request far more than the default cost limit allows.
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h', MAX_QUERY_COST: '10000000', MAX_QUERY_DEPTH: '20' } });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    const seeded = await seedAgents(gateway.databaseUrl);
    const conversationIds = await seedConversations(gateway.databaseUrl, seeded, conversationCount);
    await seedNotes(gateway.databaseUrl, seeded, conversationIds);
    await seedWebhookDeliveries(gateway.databaseUrl, seeded.workspaceId, endpointCount, 101);

    // The counter comes from the ORM's onQuery hook: keep it, and note each statement's text too.
    const countStatement = gateway.app.orm.config.get('onQuery');
    gateway.app.orm.config.set('onQuery', (sql: string, params: unknown[]) => {
      sentStatements.push(sql);
      return countStatement(sql, params);
    });

    // The key's first use writes lastUsedAt in the background (then at most once a minute): let
    // that write land before measuring.
    expect(await readLastUsedAt()).toBeNull();
    await postGraphQL(gateway.graphqlUrl, conversationsPageQuery, { first: 1 }, { secret: gateway.adminSecret });
    lastUsedAtBeforeMeasuring = await pollUntil(async () => (await readLastUsedAt()) ?? undefined, {
      timeoutMs: 5000,
      description: 'the admin key’s lastUsedAt to be written',
    });
  });
  afterAll(async () => {
    try {
      // Had it been written again, some measurement would include that write.
      expect(await readLastUsedAt()).toEqual(lastUsedAtBeforeMeasuring);
    } finally {
      await database.end();
      await gateway.stop();
    }
  });

  it.each([10, 50, 100])(
    `SQL-01 a conversations page of %i with customer, assignee, team and last message costs ${conversationsPageReads.length} statements: the page with its customers and last messages, agents, teams`,
    async (first) => {
      const { cost, data } = await measure(conversationsPageQuery, { first });

      expect(data.conversations.edges).toHaveLength(first);
      expect(data.conversations.edges.every(({ node }: any) => node.customer && node.assignee && node.team && node.lastMessage)).toBe(true);
      expect(cost).toEqual(expected(conversationsPageReads));
    },
  );

  it('SQL-01b an inbox page showing each conversation’s customer and newest message costs 1 statement, and shows the right ones', async () => {
    const inboxQuery = /* GraphQL */ `query Inbox($first: Int!) { conversations(first: $first) { nodes { id customer { id email } lastMessage { id body } } } }`;
    const { cost, data } = await measure(inboxQuery, { first: 50 });

    expect(cost).toEqual(expected(['conversations']));
    const ids: string[] = data.conversations.nodes.map((node: { id: string }) => node.id);
    const { rows: expectedRows } = await database.query(
      `select c.id, cu.id as customer_id, cu.email, last.id as message_id, last.body
       from conversations c left join customers cu on cu.id = c.customer_id
       left join lateral (select m.id, m.body from messages m where m.conversation_id = c.id order by m.created_at desc, m.id desc limit 1) last on true
       where c.id = any($1)`,
      [ids],
    );
    const byId = new Map(expectedRows.map((row) => [row.id, row]));
    expect(data.conversations.nodes).toEqual(
      ids.map((id) => {
        const row = byId.get(id);
        return { id, customer: row.customer_id && { id: row.customer_id, email: row.email }, lastMessage: row.message_id && { id: row.message_id, body: row.body } };
      }),
    );
    expect(data.conversations.nodes.filter((node: any) => node.customer && node.lastMessage)).toHaveLength(50);
  });

  it('SQL-02 selecting totalCount adds exactly one statement, the COUNT', async () => {
    const withoutTotal = await measure(conversationsPageQuery, { first: 50 });
    const withTotal = await measure(conversationsPageWithTotalQuery, { first: 50 });

    expect(withTotal.data.conversations.totalCount).toBe(conversationCount);
    expect(withTotal.cost).toEqual(expected([...conversationsPageReads, 'count:conversations']));
    expect(withTotal.cost.statementCount - withoutTotal.cost.statementCount).toBe(1);
  });

  it('SQL-03 a later page via `after` costs the same as the first', async () => {
    const firstPage = await measure(conversationsPageQuery, { first: 50 });
    const secondPage = await measure(conversationsPageQuery, { first: 50, after: firstPage.data.conversations.pageInfo.endCursor });

    const idsOf = (page: { data: any }): string[] => page.data.conversations.edges.map(({ node }: { node: { id: string } }) => node.id);
    expect(new Set([...idsOf(firstPage), ...idsOf(secondPage)]).size).toBe(100);
    expect(secondPage.cost).toEqual(expected(conversationsPageReads));
  });

  it('SQL-05 one conversation with its customer and messages costs 2 statements: the conversation joined with its customer, the messages', async () => {
    const { data: page } = await measure(conversationsPageQuery, { first: 1 });
    const { id } = page.conversations.edges[0].node;

    const { cost, data } = await measure(conversationScreenQuery, { id });

    expect(data.conversation).toMatchObject({ id, customer: { id: page.conversations.edges[0].node.customer.id } });
    expect(data.conversation.messages.nodes.length).toBeGreaterThan(0);
    expect(cost).toEqual(expected(['conversations', 'messages']));
  });

  it('SQL-06 a retried conversationCreate is answered from its idempotency record: one statement, no transaction', async () => {
    const input = { subject: 'Counted', channel: 'API', idempotencyKey: 'sql-06' };
    const first = await measure(createMutation, { input });
    // The creation's event is announced by a NOTIFY just after its commit: let it pass first.
    await pollUntil(async () => sentStatements.some((sql) => sql.includes('pg_notify')), { timeoutMs: 5000, description: 'the creation’s announcement' });

    const retry = await measure(createMutation, { input });

    expect(retry.data).toEqual(first.data);
    expect(retry.cost).toEqual(expected(['idempotency_records']));
  });

  it.each([10, 50, 100])(`SQL-04 a customers page of %i ids costs ${customersPageReads.length} statement: the page`, async (first) => {
    const { cost, data } = await measure(customersPageQuery, { first });

    expect(data.customers.nodes).toHaveLength(first);
    expect(cost).toEqual(expected(customersPageReads));
  });

  /** [page size, title suffix]: each size without and with every totalCount selected. */
  const pageSizesAndTotals = [10, 50, 100].flatMap((first) => [[first, ''], [first, ', and every totalCount one grouped COUNT per level and connection']] as const);

  it.each(pageSizesAndTotals)(
    `SQL-07 a conversations page of %i with messages, notes, and its customers' notes and conversations (with their messages and notes) costs one statement per level and connection%s`,
    async (first, totals) => {
      const withTotals = totals !== '';
      const { cost, data } = await measure(conversationsWithNestedQuery, { first, withTotals });

      const conversations = data.conversations.nodes;
      expect(conversations).toHaveLength(first);
      for (const conversation of conversations) {
        expect(conversation.messages).toMatchObject({ nodes: [expect.anything()], pageInfo: { hasNextPage: true } });
        expect(conversation.notes).toMatchObject({ nodes: [expect.anything()], pageInfo: { hasNextPage: true } });
        expect(conversation.customer.notes).toMatchObject({ nodes: [expect.anything()], pageInfo: { hasNextPage: true } });
        expect(conversation.customer.conversations).toMatchObject({ nodes: [{ id: conversation.id }], pageInfo: { hasNextPage: false } });
        expect(conversation.customer.conversations.nodes[0].messages.nodes).toEqual(conversation.messages.nodes);
        if (withTotals) expect(conversation.messages.totalCount).toBe(2);
      }
      expect(cost).toEqual(expected([...conversationsWithNestedReads, ...(withTotals ? conversationsWithNestedCounts : [])]));
    },
  );

  it.each(pageSizesAndTotals)(
    `SQL-08 a customers page of %i with notes and conversations (with their messages and notes) costs one statement per level and connection%s`,
    async (first, totals) => {
      const withTotals = totals !== '';
      const { cost, data } = await measure(customersWithNestedQuery, { first, withTotals });

      const customers = data.customers.nodes;
      expect(customers).toHaveLength(first);
      for (const customer of customers) {
        expect(customer.notes.nodes).toHaveLength(1);
        expect(customer.conversations.nodes).toHaveLength(1);
        expect(customer.conversations.nodes[0].messages.nodes).toHaveLength(1);
        expect(customer.conversations.nodes[0].notes.nodes).toHaveLength(1);
        if (withTotals) expect(customer.notes.totalCount).toBe(2);
      }
      expect(cost).toEqual(expected([...customersWithNestedReads, ...(withTotals ? customersWithNestedCounts : [])]));
    },
  );

  it.each(pageSizesAndTotals)(
    `SQL-09 ${endpointCount} webhook endpoints with %i deliveries each and every attempt cost one statement per level%s`,
    async (first, totals) => {
      const withTotals = totals !== '';
      const { cost, data } = await measure(endpointsWithDeliveriesQuery, { first, withTotals });

      const endpoints = data.webhookEndpoints.nodes;
      expect(endpoints).toHaveLength(endpointCount);
      for (const endpoint of endpoints) {
        expect(endpoint.deliveries.nodes).toHaveLength(first);
        expect(endpoint.deliveries.pageInfo.hasNextPage).toBe(true);
        expect(endpoint.deliveries.nodes.every((delivery: any) => delivery.attempts.length === 2)).toBe(true);
        if (withTotals) expect(endpoint.deliveries.totalCount).toBe(101);
      }
      expect(cost).toEqual(expected([...endpointsWithDeliveriesReads, ...(withTotals ? endpointsWithDeliveriesCounts : [])]));
    },
  );
});
