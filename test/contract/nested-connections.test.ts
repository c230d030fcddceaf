import { Client } from 'pg';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { seedWebhookDeliveries } from '../support/seed-support-data';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { tableReadBy } from '../support/table-read-by';

const pageFields = 'totalCount nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

/** A connection nested under a list, and where its rows and their order are in the database. */
interface NestedConnection {
  readonly name: string;
  /** The list of parents, e.g. `conversations(first: 100)`. */
  readonly parents: string;
  /** The root field reading one parent by id. */
  readonly parent: string;
  readonly connection: string;
  /** Arguments besides the page ones, e.g. an orderBy. */
  readonly extraArguments: string;
  readonly table: string;
  readonly parentColumn: string;
  /** SQL order of the list, ties broken by id. */
  readonly order: string;
}

const nestedConnections: readonly NestedConnection[] = [
  { name: 'Conversation.messages', parents: 'conversations(first: 100)', parent: 'conversation', connection: 'messages', extraArguments: '', table: 'messages', parentColumn: 'conversation_id', order: 'created_at asc, id asc' },
  { name: 'Conversation.notes', parents: 'conversations(first: 100)', parent: 'conversation', connection: 'notes', extraArguments: '', table: 'conversation_notes', parentColumn: 'conversation_id', order: 'created_at asc, id asc' },
  { name: 'Customer.notes', parents: 'customers(first: 100)', parent: 'customer', connection: 'notes', extraArguments: '', table: 'customer_notes', parentColumn: 'customer_id', order: 'created_at desc, id desc' },
  { name: 'Customer.conversations', parents: 'customers(first: 100)', parent: 'customer', connection: 'conversations', extraArguments: '', table: 'conversations', parentColumn: 'customer_id', order: 'created_at desc, id desc' },
  {
    name: 'Customer.conversations by updatedAt', parents: 'customers(first: 100)', parent: 'customer', connection: 'conversations',
    extraArguments: 'orderBy: { field: UPDATED_AT, direction: ASC }, ', table: 'conversations', parentColumn: 'customer_id', order: 'updated_at asc, id asc',
  },
  { name: 'WebhookEndpoint.deliveries', parents: 'webhookEndpoints(first: 20)', parent: 'webhookEndpoint', connection: 'deliveries', extraArguments: '', table: 'webhook_deliveries', parentColumn: 'endpoint_id', order: 'created_at desc, id desc' },
];

/** Both ends of every parent's list at once, as a list page shows them. */
const listEndsQuery = ({ parents, connection, extraArguments }: NestedConnection) => /* GraphQL */ `
  query ListEnds { ${parents} { nodes { id head: ${connection}(${extraArguments}first: 2) { ${pageFields} } tail: ${connection}(${extraArguments}last: 2) { ${pageFields} } } } }
`;
/** One parent's list, one page at a time. */
const onePageQuery = ({ parent, connection, extraArguments }: NestedConnection) => /* GraphQL */ `
  query OnePage($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    ${parent}(id: $id) { ${connection}(${extraArguments}first: $first, after: $after, last: $last, before: $before) { ${pageFields} } }
  }
`;
/** The same cursor passed to every parent's list of a page. */
const listAfterQuery = ({ parents, connection, extraArguments }: NestedConnection) => /* GraphQL */ `
  query ListAfter($after: String) { ${parents} { nodes { id ${connection}(${extraArguments}first: 2, after: $after) { nodes { id } } } } }
`;

describe('NEST: a connection nested under a list pages each parent exactly as that parent alone, within the workspace', () => {
  let gateway: TestGateway;
  let database: Client;
  let workspaceId: string;
  /** Rows of another workspace that point at this workspace's parents. */
  const plantedIds: string[] = [];

  const asAdmin = async (query: string, variables: Record<string, unknown> = {}) => (await postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret })).body;
  const idsOf = (connection: { nodes: { id: string }[] }) => connection.nodes.map((node) => node.id);
  const rowsInOrder = async ({ table, parentColumn, order }: NestedConnection, parentId: string): Promise<string[]> =>
    (await database.query(`select id from ${table} where ${parentColumn} = $1 and workspace_id = $2 order by ${order}`, [parentId, workspaceId])).rows.map((row) => row.id);

  /** `count` children of `parentId`, two by two created in the same millisecond so that ties fall to the id. */
  const insertChildren = async (table: string, parentColumn: string, parentId: string, count: number, extra: Record<string, string>) => {
    const columns = { id: `$1 || '_' || n`, workspace_id: '$2', [parentColumn]: '$3', created_at: `'2026-01-01T00:00:00Z'::timestamptz - (n / 2) * interval '1 minute'`, ...extra };
    await database.query(
      `insert into ${table} (${Object.keys(columns).join(', ')}) select ${Object.values(columns).join(', ')} from generate_series(1, $4::int) as n`,
      [`${table}_${parentId}`, workspaceId, parentId, count],
    );
  };

  beforeAll(async () => {
    // Pages of 100 with every nested connection under them request far more than the default cost limit allows.
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h', MAX_QUERY_COST: '10000000', MAX_QUERY_DEPTH: '20' } });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    workspaceId = (await database.query(`select id from workspaces where slug = 'default'`)).rows[0].id;
    const customerIds = ['cus_nest_a', 'cus_nest_b', 'cus_nest_c'];
    for (const id of customerIds) await database.query('insert into customers (id, workspace_id, name) values ($1, $2, $1)', [id, workspaceId]);
    // Updated in another order than created, for the orderBy case.
    const conversation = { subject: `'Nested'`, status: `'open'`, priority: `'normal'`, channel: `'email'`, last_activity_at: 'now()', updated_at: `now() - n * interval '1 second'` };
    for (const [customerId, count] of [['cus_nest_a', 5], ['cus_nest_b', 1]] as const) await insertChildren('conversations', 'customer_id', customerId, count, conversation);
    const conversationIds = (await database.query('select id from conversations order by id')).rows.map((row) => row.id as string);
    for (const [index, conversationId] of conversationIds.entries()) {
      await insertChildren('messages', 'conversation_id', conversationId, [5, 2, 1, 0, 3, 4][index], { author_type: `'customer'`, body: `'Hello'` });
      await insertChildren('conversation_notes', 'conversation_id', conversationId, [3, 0, 1, 2, 0, 5][index], { author: `'nest'`, body: `'Note'` });
    }
    for (const [index, customerId] of customerIds.entries()) await insertChildren('customer_notes', 'customer_id', customerId, [4, 1, 0][index], { author: `'nest'`, body: `'Note'` });
    for (const deliveryCount of [5, 0, 2]) await seedWebhookDeliveries(gateway.databaseUrl, workspaceId, 1, deliveryCount);
  });
  afterAll(async () => {
    await database.end();
    await gateway.stop();
  });

  it.each(nestedConnections)('NEST-01 $name: under a list, every parent shows its first and last two rows and whether more lie beyond', async (nested) => {
    const body = await asAdmin(listEndsQuery(nested));
    expect(body.errors).toBeUndefined();
    const parents = Object.values(body.data!)[0].nodes as { id: string; head: any; tail: any }[];
    expect(parents.length).toBeGreaterThanOrEqual(3);
    const sizes = new Set<number>();
    for (const parent of parents) {
      const rows = await rowsInOrder(nested, parent.id);
      sizes.add(rows.length);
      expect({ head: idsOf(parent.head), tail: idsOf(parent.tail) }).toEqual({ head: rows.slice(0, 2), tail: rows.slice(-2) });
      expect(parent.head).toMatchObject({ totalCount: rows.length, pageInfo: { hasNextPage: rows.length > 2, hasPreviousPage: false } });
      expect(parent.tail).toMatchObject({ totalCount: rows.length, pageInfo: { hasNextPage: false, hasPreviousPage: rows.length > 2 } });
    }
    // Parents with none, fewer and more rows than a page.
    expect([...sizes].some((size) => size === 0) && [...sizes].some((size) => size > 2)).toBe(true);
  });

  it.each(nestedConnections)('NEST-02 $name: one parent walked forward and backward, two at a time, meets every row once in the list order', async (nested) => {
    const parents = Object.values((await asAdmin(listEndsQuery(nested))).data!)[0].nodes as { id: string }[];
    let busiest = { id: '', rows: [] as string[] };
    for (const { id } of parents) {
      const rows = await rowsInOrder(nested, id);
      if (rows.length > busiest.rows.length) busiest = { id, rows };
    }
    expect(busiest.rows.length).toBeGreaterThan(2);
    const pageOf = async (variables: Record<string, unknown>) => Object.values((await asAdmin(onePageQuery(nested), { id: busiest.id, ...variables })).data!)[0][nested.connection];
    // At most one page per row: a walk that never ends fails instead of hanging.
    const forward: string[] = [];
    for (let page = await pageOf({ first: 2 }), pages = 1; pages <= busiest.rows.length; page = await pageOf({ first: 2, after: page.pageInfo.endCursor }), pages++) {
      forward.push(...idsOf(page));
      if (!page.pageInfo.hasNextPage) break;
    }
    const backward: string[] = [];
    for (let page = await pageOf({ last: 2 }), pages = 1; pages <= busiest.rows.length; page = await pageOf({ last: 2, before: page.pageInfo.startCursor }), pages++) {
      backward.unshift(...idsOf(page));
      if (!page.pageInfo.hasPreviousPage) break;
    }
    expect(forward).toEqual(busiest.rows);
    expect(backward).toEqual(busiest.rows);
  });

  it.each(nestedConnections)('NEST-03 $name: a cursor names its parent; any other parent refuses it as BAD_USER_INPUT on `after`, under a list too', async (nested) => {
    const parents = Object.values((await asAdmin(listEndsQuery(nested))).data!)[0].nodes as { id: string; head: any }[];
    const owner = parents.find((parent) => parent.head.pageInfo.hasNextPage)!;
    const cursor = owner.head.pageInfo.endCursor;
    const other = parents.find((parent) => parent.id !== owner.id)!;
    const alone = await asAdmin(onePageQuery(nested), { id: other.id, first: 2, after: cursor });
    expect(alone.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'after' }] });

    // A non-null connection's error nulls the whole list, so only a nullable one shows the owner's page.
    const listed = await asAdmin(listAfterQuery(nested), { after: cursor });
    const parentsField = nested.parents.slice(0, nested.parents.indexOf('('));
    const otherPaths = parents.flatMap((parent, index) => (parent.id === owner.id ? [] : [JSON.stringify([parentsField, 'nodes', index, nested.connection])]));
    expect(listed.errors!.length).toBeGreaterThan(0);
    for (const error of listed.errors!) {
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'after' }] });
      expect(otherPaths).toContain(JSON.stringify(error.path));
    }
    for (const node of (listed.data![parentsField]?.nodes ?? []) as { id: string; [connection: string]: any }[]) {
      expect(node[nested.connection] && idsOf(node[nested.connection])).toEqual(node.id === owner.id ? (await rowsInOrder(nested, owner.id)).slice(2, 4) : null);
    }
  });

  it('NEST-04 a cursor of the conversations list is refused by a customer’s conversations', async () => {
    const listCursor = (await asAdmin('{ conversations(first: 1) { pageInfo { endCursor } } }')).data!.conversations.pageInfo.endCursor;
    const refused = await asAdmin(onePageQuery(nestedConnections[3]), { id: 'cus_nest_a', first: 2, after: listCursor });
    expect(refused.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'after' }] });
  });

  it('NEST-05 rows of another workspace that point at this workspace’s parents are never listed nor counted', async () => {
    await createWorkspaceKey(gateway, 'nest-other', ['admin']);
    const otherWorkspaceId = (await database.query(`select id from workspaces where slug = 'nest-other'`)).rows[0].id;
    const [conversationId] = (await database.query(`select id from conversations where customer_id = 'cus_nest_a' order by id limit 1`)).rows.map((row) => row.id);
    const [endpointId] = (await database.query(`select endpoint_id from webhook_deliveries group by endpoint_id order by count(*) desc limit 1`)).rows.map((row) => row.endpoint_id);
    const [otherEndpointId] = await seedWebhookDeliveries(gateway.databaseUrl, otherWorkspaceId, 1, 1);
    const plant = async (sql: string, params: unknown[]) => plantedIds.push((await database.query(`${sql} returning id`, params)).rows[0].id);
    await plant(`insert into messages (id, workspace_id, conversation_id, author_type, body) values ('msg_planted', $1, $2, 'customer', 'Not yours')`, [otherWorkspaceId, conversationId]);
    await plant(`insert into conversation_notes (id, workspace_id, conversation_id, author, body) values ('note_planted', $1, $2, 'x', 'Not yours')`, [otherWorkspaceId, conversationId]);
    await plant(`insert into customer_notes (id, workspace_id, customer_id, author, body) values ('cnote_planted', $1, 'cus_nest_a', 'x', 'Not yours')`, [otherWorkspaceId]);
    await plant(`insert into conversations (id, workspace_id, customer_id, subject, status, priority, channel) values ('conv_planted', $1, 'cus_nest_a', 'Not yours', 'open', 'normal', 'email')`, [otherWorkspaceId]);
    await plant(
      `insert into webhook_deliveries (id, workspace_id, endpoint_id, event_id, event_sequence, event_type, status) select 'del_planted', $1, $2, event_id, event_sequence, event_type, 'failed' from webhook_deliveries where endpoint_id = $3`,
      [otherWorkspaceId, endpointId, otherEndpointId],
    );
    const [deliveryId] = (await database.query('select id from webhook_deliveries where endpoint_id = $1 and workspace_id = $2 limit 1', [endpointId, workspaceId])).rows.map((row) => row.id);
    await plant(`insert into webhook_attempts (id, workspace_id, delivery_id, endpoint_id, attempt_number, started_at, duration_ms, outcome) values ('att_planted', $1, $2, $3, 9, now(), 1, 'timeout')`, [otherWorkspaceId, deliveryId, endpointId]);

    const everything = /* GraphQL */ `{
      conversations(first: 100) { nodes { id messages(first: 100) { totalCount nodes { id } } notes(first: 100) { totalCount nodes { id } } } }
      customers(first: 100) { nodes { id notes(first: 100) { totalCount nodes { id } } conversations(first: 100) { totalCount nodes { id } } } }
      webhookEndpoints(first: 20) { nodes { id deliveries(first: 100) { totalCount nodes { id attempts { attemptNumber } } } } }
    }`;
    const body = await asAdmin(everything);
    expect(body.errors).toBeUndefined();
    const seen = JSON.stringify(body.data);
    for (const id of plantedIds) expect(seen).not.toContain(id);
    expect(seen).not.toContain('"attemptNumber":9');
    const planted = body.data!;
    const totalOf = (nodes: any[], id: string, connection: string) => nodes.find((node) => node.id === id)[connection].totalCount;
    expect(totalOf(planted.conversations.nodes, conversationId, 'messages')).toBe((await rowsInOrder(nestedConnections[0], conversationId)).length);
    expect(totalOf(planted.conversations.nodes, conversationId, 'notes')).toBe((await rowsInOrder(nestedConnections[1], conversationId)).length);
    expect(totalOf(planted.customers.nodes, 'cus_nest_a', 'notes')).toBe(4);
    expect(totalOf(planted.customers.nodes, 'cus_nest_a', 'conversations')).toBe(5);
    expect(totalOf(planted.webhookEndpoints.nodes, endpointId, 'deliveries')).toBe(5);
  });

  it('NEST-06 aliases of one connection with the same arguments share a statement; other arguments get their own', async () => {
    const statements: string[] = [];
    const countStatement = gateway.app.orm.config.get('onQuery');
    gateway.app.orm.config.set('onQuery', (sql: string, params: unknown[]) => (statements.push(sql), countStatement(sql, params)));
    try {
      const body = await asAdmin(`{ conversations(first: 100) { nodes { a: messages(first: 1) { nodes { id } } b: messages(first: 1) { nodes { id } } c: messages(last: 1) { nodes { id } } } } }`);
      expect(body.errors).toBeUndefined();
      expect(body.data!.conversations.nodes.some((node: any) => node.a.nodes.length === 1 && node.b.nodes[0].id === node.a.nodes[0].id)).toBe(true);
    } finally {
      gateway.app.orm.config.set('onQuery', countStatement);
    }
    expect(statements.filter((sql) => /^\s*select\b/i.test(sql)).map(tableReadBy)).toEqual(['conversations', 'messages', 'messages']);
  });
});
