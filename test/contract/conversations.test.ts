import { Client } from 'pg';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { seedAgents, type SeededWorkspace } from '../support/seed-support-data';
import { startGateway, type TestGateway } from '../support/start-gateway';

const createMutation = /* GraphQL */ `
  mutation Create($input: ConversationCreateInput!) {
    conversationCreate(input: $input) { conversation { id subject status priority channel tags externalRefs { system externalId } customer { id email } } }
  }
`;
const updateMutation = /* GraphQL */ `
  mutation Update($input: ConversationUpdateInput!) { conversationUpdate(input: $input) { conversation { id status priority tags metadata } } }
`;
const assignMutation = /* GraphQL */ `
  mutation Assign($input: ConversationAssignInput!) { conversationAssign(input: $input) { conversation { id assignee { id } } } }
`;
const batchMutation = /* GraphQL */ `
  mutation Batch($input: ConversationsBatchUpdateInput!) {
    conversationsBatchUpdate(input: $input) {
      appliedCount failedCount
      results { index id conversation { id status tags } error { code message fieldErrors { field message } } }
    }
  }
`;
const conversationQuery = /* GraphQL */ `query One($id: ID!) { conversation(id: $id) { id subject } }`;
const pageQuery = /* GraphQL */ `
  query Page($first: Int, $after: String, $last: Int, $before: String) {
    conversations(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id } } pageInfo { endCursor } }
  }
`;

describe('CONV: conversations over GraphQL — bad input and faults', () => {
  let gateway: TestGateway;
  let database: Client;
  let seeded: SeededWorkspace;
  let foreign: { id: string; secret: string };
  let foreignConversationId: string;

  beforeAll(async () => {
    gateway = await startGateway();
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    seeded = await seedAgents(gateway.databaseUrl);
    foreign = await createWorkspaceKey(gateway, 'elsewhere', ['admin']);
    const created = await postGraphQL(gateway.graphqlUrl, createMutation, { input: { subject: 'Theirs', channel: 'EMAIL' } }, { secret: foreign.secret });
    foreignConversationId = created.body.data!.conversationCreate.conversation.id;
  });
  afterAll(async () => {
    await database.end();
    await gateway.stop();
  });

  const asAdmin = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });
  const createConversation = async (input: Record<string, unknown> = {}) =>
    (await asAdmin(createMutation, { input: { subject: 'Order #1001 never arrived', channel: 'EMAIL', ...input } })).body.data!.conversationCreate.conversation;
  const count = async (sql: string, params: unknown[] = []) => Number((await database.query(sql, params)).rows[0].count);

  it('CONV-01 a tampered, foreign-workspace or malformed cursor is BAD_USER_INPUT, never other rows', async () => {
    await createConversation();
    await createConversation();
    const page = await asAdmin(pageQuery, { first: 1 });
    const cursor: string = page.body.data!.conversations.pageInfo.endCursor;
    const [payload, signature] = cursor.split('.');
    const tampered = `${Buffer.from(JSON.stringify(['2099-01-01T00:00:00.000Z', 'conv_x'])).toString('base64url')}.${signature}`;
    const foreignCursor = (await postGraphQL(gateway.graphqlUrl, pageQuery, { first: 1 }, { secret: foreign.secret })).body.data!.conversations.pageInfo.endCursor;
    for (const after of [tampered, foreignCursor, 'not-a-cursor', `${payload}.`]) {
      const response = await asAdmin(pageQuery, { first: 5, after });
      expect(response.body.data!.conversations).toBeNull();
      expect(response.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'after' }] });
    }
  });

  it('CONV-13 a cursor whose signature has another length, or whose payload is not base64url JSON, is BAD_USER_INPUT on after or before, never an internal error', async () => {
    await createConversation();
    await createConversation();
    const [payload, signature] = (await asAdmin(pageQuery, { first: 1 })).body.data!.conversations.pageInfo.endCursor.split('.');
    const cursors = [`${payload}.${signature.slice(0, -2)}`, `${payload}.${signature}AAAA`, `${payload}.AA`, `%%%.${signature}`, `${Buffer.from('{"value":').toString('base64url')}.${signature}`];
    for (const cursor of cursors) {
      for (const [argument, variables] of [['after', { first: 5, after: cursor }], ['before', { last: 5, before: cursor }]] as const) {
        const response = await asAdmin(pageQuery, variables);
        expect(response.status).toBe(200);
        expect(response.body.data!.conversations).toBeNull();
        expect(response.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: argument }] });
      }
    }
  });

  it.each([
    [{ first: 0 }, 'first'],
    [{ first: 1000 }, 'first'],
    [{ first: 5, last: 5 }, 'last'],
  ])('CONV-02 page arguments %j are refused naming %s', async (variables, field) => {
    const response = await asAdmin(pageQuery, variables);
    expect(response.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [expect.objectContaining({ field })] });
  });

  it('CONV-03 another workspace’s conversation is NOT_FOUND, like a nonexistent one, for read, update, assign and batch', async () => {
    const nonexistent = await asAdmin(conversationQuery, { id: 'conv_doesnotexist00000000' });
    const read = await asAdmin(conversationQuery, { id: foreignConversationId });
    expect(read.body.errors![0].extensions.code).toBe('NOT_FOUND');
    expect(read.body.errors![0].message).toBe(nonexistent.body.errors![0].message);
    const update = await asAdmin(updateMutation, { input: { id: foreignConversationId, priority: 'URGENT' } });
    expect(update.body.errors![0].extensions.code).toBe('NOT_FOUND');
    const assign = await asAdmin(assignMutation, { input: { id: foreignConversationId, assigneeId: seeded.agentIds[0] } });
    expect(assign.body.errors![0].extensions.code).toBe('NOT_FOUND');
    const batch = await asAdmin(batchMutation, { input: { operations: [{ id: foreignConversationId, priority: 'URGENT' }] } });
    expect(batch.body.data!.conversationsBatchUpdate.results[0].error.code).toBe('NOT_FOUND');
    expect((await database.query('select priority, assignee_id from conversations where id = $1', [foreignConversationId])).rows[0]).toEqual({ priority: 'normal', assignee_id: null });
  });

  it('CONV-04 twenty concurrent creates with one idempotency key make one conversation, one event and identical payloads', async () => {
    const input = { subject: 'Concurrent', channel: 'API', idempotencyKey: 'create-once-0001', customer: { email: 'once@example.com' } };
    const responses = await Promise.all(Array.from({ length: 20 }, () => asAdmin(createMutation, { input })));
    const ids = new Set(responses.map((response) => response.body.data?.conversationCreate?.conversation.id));
    expect(responses.map((response) => response.body.errors)).toEqual(Array(20).fill(undefined));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(new Set(responses.map((response) => JSON.stringify(response.body.data)))).toEqual(new Set([JSON.stringify(responses[0].body.data)]));
    expect(responses.filter((response) => (response.body as any).extensions?.idempotency?.replayed === true)).toHaveLength(19);
    expect(await count("select count(*) from conversations where subject = 'Concurrent'")).toBe(1);
    expect(await count(`select count(*) from events where type = 'conversation.created' and data->'conversation'->>'id' = $1`, [id])).toBe(1);
    expect(await count(`select count(*) from customers where email = 'once@example.com'`)).toBe(1);
  });

  it('CONV-05 the same idempotency key with a different input is IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
    const input = { subject: 'Keyed', channel: 'API', idempotencyKey: 'reused-key-0001' };
    await asAdmin(createMutation, { input });
    const before = await count('select count(*) from conversations');
    const events = await count('select count(*) from events');
    const reused = await asAdmin(createMutation, { input: { ...input, subject: 'Different' } });
    expect(reused.body.data!.conversationCreate).toBeNull();
    expect(reused.body.errors![0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count('select count(*) from conversations')).toBe(before);
    expect(await count('select count(*) from events')).toBe(events);
  });

  it('CONV-06 an invalid status transition is BAD_USER_INPUT listing the allowed transitions', async () => {
    const conversation = await createConversation();
    await asAdmin(`mutation R($id: ID!) { conversationResolve(input: { id: $id }) { conversation { status } } }`, { id: conversation.id });
    const response = await asAdmin(updateMutation, { input: { id: conversation.id, status: 'PENDING' } });
    expect(response.body.errors![0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      currentStatus: 'RESOLVED',
      allowedTransitions: ['OPEN'],
      fieldErrors: [{ field: 'input.status' }],
    });
  });

  it('CONV-07 oversized metadata is BAD_USER_INPUT naming input.metadata, and nothing is written', async () => {
    const before = await count('select count(*) from conversations');
    const response = await asAdmin(createMutation, { input: { subject: 'Big', channel: 'API', metadata: { blob: 'x'.repeat(17 * 1024) }, tags: ['ok', ''] } });
    expect(response.body.errors![0].extensions.fieldErrors).toEqual([
      { field: 'input.tags.1', message: expect.any(String) },
      { field: 'input.metadata', message: 'At most 16 KB of JSON' },
    ]);
    expect(await count('select count(*) from conversations')).toBe(before);
  });

  it('CONV-08 a batch of 101 operations is refused whole', async () => {
    const conversation = await createConversation();
    const operations = Array.from({ length: 101 }, () => ({ id: conversation.id, tagsAdd: ['bulk'] }));
    const response = await asAdmin(batchMutation, { input: { operations } });
    expect(response.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.operations' }] });
    expect((await database.query('select tags from conversations where id = $1', [conversation.id])).rows[0].tags).not.toContain('bulk');
  });

  it('CONV-09 a batch with one invalid operation applies the others and reports each', async () => {
    const first = await createConversation();
    const second = await createConversation();
    await asAdmin(`mutation R($id: ID!) { conversationResolve(input: { id: $id }) { conversation { id } } }`, { id: second.id });
    const response = await asAdmin(batchMutation, {
      input: {
        operations: [
          { id: first.id, tagsAdd: ['vip'], priority: 'HIGH' },
          { id: second.id, status: 'ESCALATED', tagsAdd: ['never'] },
          { id: first.id, status: 'PENDING' },
        ],
      },
    });
    const payload = response.body.data!.conversationsBatchUpdate;
    expect(payload).toMatchObject({ appliedCount: 2, failedCount: 1 });
    expect(payload.results[0]).toMatchObject({ index: 0, error: null, conversation: { tags: ['vip'] } });
    expect(payload.results[1]).toMatchObject({ index: 1, conversation: null, error: { code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.operations.1.status' }] } });
    expect(payload.results[2]).toMatchObject({ index: 2, error: null, conversation: { status: 'PENDING' } });
    const rows = (await database.query('select id, status, priority, tags from conversations where id = any($1) order by id', [[first.id, second.id]])).rows;
    expect(rows.find((row) => row.id === first.id)).toMatchObject({ status: 'pending', priority: 'high', tags: ['vip'] });
    expect(rows.find((row) => row.id === second.id)).toMatchObject({ status: 'resolved', tags: [] });
  });

  it('CONV-10 every change commits with its event, in per-workspace sequence order without gaps', async () => {
    const conversation = await createConversation({ firstMessage: { body: 'Hello', authorType: 'CUSTOMER' } });
    await asAdmin(assignMutation, { input: { id: conversation.id, assigneeId: seeded.agentIds[1] } });
    const events = (await database.query(`select type, sequence from events where data->'conversation'->>'id' = $1 order by sequence`, [conversation.id])).rows;
    expect(events.map((event) => event.type)).toEqual(['conversation.created', 'message.created', 'conversation.assigned']);
    const sequences = (await database.query(`select sequence from events e join workspaces w on w.id = e.workspace_id where w.slug = 'default' order by sequence`)).rows.map((row) => Number(row.sequence));
    expect(sequences).toEqual(sequences.map((_, index) => index + 1));
  });

  it('CONV-11 node(id) fetches any object by its typed global id, within the workspace and the type’s scope', async () => {
    const conversation = await createConversation({ customer: { email: 'node@example.com' } });
    const nodeQuery = `query Node($id: ID!) { node(id: $id) { __typename id ... on Conversation { subject } ... on Customer { email } } }`;
    const byConversation = await asAdmin(nodeQuery, { id: conversation.id });
    expect(byConversation.body.data!.node).toEqual({ __typename: 'Conversation', id: conversation.id, subject: 'Order #1001 never arrived' });
    const byCustomer = await asAdmin(nodeQuery, { id: conversation.customer.id });
    expect(byCustomer.body.data!.node).toEqual({ __typename: 'Customer', id: conversation.customer.id, email: 'node@example.com' });
    const foreignNode = await asAdmin(nodeQuery, { id: foreignConversationId });
    expect(foreignNode.body.errors![0].extensions.code).toBe('NOT_FOUND');
    const reader = await createWorkspaceKey(gateway, 'default', ['conversations:read']);
    const denied = await postGraphQL(gateway.graphqlUrl, nodeQuery, { id: conversation.customer.id }, { secret: reader.secret });
    expect(denied.body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['customers:read']] });
  });

  it('CONV-12 a conversation’s customer needs customers:read; customer.conversations lists theirs', async () => {
    const conversation = await createConversation({ customer: { externalId: { system: 'hubspot', externalId: 'hs-42' } } });
    const reader = await createWorkspaceKey(gateway, 'default', ['conversations:read']);
    const query = `query C($id: ID!) { conversation(id: $id) { id customer { id } } }`;
    const limited = await postGraphQL(gateway.graphqlUrl, query, { id: conversation.id }, { secret: reader.secret });
    expect(limited.body.data!.conversation).toEqual({ id: conversation.id, customer: null });
    expect(limited.body.errors![0]).toMatchObject({ path: ['conversation', 'customer'], extensions: { code: 'FORBIDDEN' } });
    const listed = await asAdmin(`query L($id: ID!) { customer(id: $id) { conversations(first: 10) { nodes { id } } } }`, { id: conversation.customer.id });
    expect(listed.body.data!.customer.conversations.nodes).toEqual([{ id: conversation.id }]);
  });
});
