import { Client } from 'pg';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { deletedRecordRetentionJob } from '../../src/modules/deleted-records';

const metricsFields = `
  conversationsCreated conversationsResolved conversationsReopened escalations openBacklog resolutionRate
  firstResponseTime { count meanSeconds medianSeconds p90Seconds } resolutionTime { count meanSeconds medianSeconds p90Seconds }
  messagesIn messagesOut csat { responses meanRating } nps { responses promoters detractors score }`;

describe('DEL: deletions, erasure and merges that syncs can see', () => {
  let gateway: TestGateway;
  let database: Client;
  const logLines: string[] = [];
  const graphql = async (query: string, variables: Record<string, unknown> = {}, secret = gateway.adminSecret) => {
    const response = await postGraphQL(gateway.graphqlUrl, query, variables, { secret });
    return response.body;
  };
  const ok = async (query: string, variables: Record<string, unknown> = {}) => {
    const body = await graphql(query, variables);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
  const createConversation = async (email: string, extra = '', body = 'My card 4242 is declined') =>
    (await ok(`mutation C($email: String!, $body: String!) { conversationCreate(input: { subject: "About my order", channel: EMAIL, customer: { email: $email }, firstMessage: { body: $body } ${extra} }) { conversation { id customer { id } } } }`, { email, body }))
      .conversationCreate.conversation as { id: string; customer: { id: string } };
  const eventsOf = async (type: string) => (await database.query('select data from events where type = $1 order by sequence', [type])).rows.map((row) => row.data);

  beforeAll(async () => {
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h', LOG_LEVEL: 'debug' }, logLines });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await database?.end();
    await gateway?.stop();
  });

  it('DEL-01 conversationDelete removes the conversation and what hangs off it: NOT_FOUND everywhere after, conversation.deleted recorded', async () => {
    const { id, customer } = await createConversation('del-01@example.com');
    const messageId = (await ok('query M($id: ID!) { conversation(id: $id) { messages { nodes { id } } } }', { id })).conversation.messages.nodes[0].id;
    const deleted = await ok('mutation D($id: ID!) { conversationDelete(input: { id: $id }) { deletedConversationId deletedAt } }', { id });
    expect(deleted.conversationDelete.deletedConversationId).toBe(id);

    for (const [query, variables] of [
      ['query Q($id: ID!) { conversation(id: $id) { id } }', { id }],
      ['query Q($id: ID!) { node(id: $id) { id } }', { id }],
      ['query Q($id: ID!) { node(id: $id) { id } }', { id: messageId }],
      ['mutation U($id: ID!) { conversationUpdate(input: { id: $id, priority: HIGH }) { conversation { id } } }', { id }],
      ['mutation D($id: ID!) { conversationDelete(input: { id: $id }) { deletedAt } }', { id }],
    ] as const) {
      expect((await graphql(query, variables)).errors?.[0].extensions.code).toBe('NOT_FOUND');
    }
    const listed = await ok('{ conversations(first: 100) { nodes { id } } }');
    expect(listed.conversations.nodes.map((node: { id: string }) => node.id)).not.toContain(id);
    const ofCustomer = await ok('query C($id: ID!) { customer(id: $id) { conversations { totalCount } } }', { id: customer.id });
    expect(ofCustomer.customer.conversations.totalCount).toBe(0);
    expect((await database.query('select count(*)::int as n from messages where conversation_id = $1', [id])).rows[0].n).toBe(0);
    expect(await eventsOf('conversation.deleted')).toContainEqual({ conversation: { id, deletedAt: deleted.conversationDelete.deletedAt } });
  });

  it('DEL-02 a deleted conversation leaves the analytics: every figure equals the figures from before it existed', async () => {
    // Whole hours, so that the rollups answer (ranges cut inside an hour are read from the raw rows).
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    const range = { from: new Date(today - 86_400_000).toISOString(), to: new Date(today + 2 * 86_400_000).toISOString() };
    const figures = async () => ok(`query S($range: AnalyticsRange!) { analytics { summary(range: $range) { ${metricsFields} } conversationSeries(range: $range, interval: DAY, timeZone: "Europe/Paris", groupBy: CHANNEL) { points { start group metrics { conversationsCreated messagesIn resolutionTime { count medianSeconds } } } } } }`, { range });
    await createConversation('del-02-stays@example.com');
    const before = await figures();

    const { id } = await createConversation('del-02@example.com', ', tags: ["refund"]');
    await ok('mutation M($id: ID!) { messageCreate(input: { conversationId: $id, body: "Looking into it", authorType: BOT }) { message { id } } }', { id });
    await ok('mutation R($id: ID!) { conversationResolve(input: { id: $id }) { conversation { id } } }', { id });
    await ok('mutation F($id: ID!) { satisfactionFeedbackCreate(input: { conversationId: $id, rating: 2, npsScore: 3 }) { feedback { id } } }', { id });
    expect(await figures()).not.toEqual(before);

    await ok('mutation D($id: ID!) { conversationDelete(input: { id: $id }) { deletedAt } }', { id });
    expect(await figures()).toEqual(before);
  });

  it('DEL-03 customerDelete removes the customer, notes and external ids; their conversations stay, with no customer and a new updatedAt', async () => {
    const { id: conversationId, customer } = await createConversation('del-03@example.com');
    await ok('mutation N($id: ID!) { customerNoteCreate(input: { customerId: $id, body: "Prefers phone" }) { note { id } } }', { id: customer.id });
    await ok('mutation U($id: ID!) { customerUpdate(input: { id: $id, externalIdsAdd: [{ system: "crm", externalId: "del-03" }] }) { customer { id } } }', { id: customer.id });
    const updatedBefore = (await ok('query C($id: ID!) { conversation(id: $id) { updatedAt } }', { id: conversationId })).conversation.updatedAt;

    const deleted = await ok('mutation D($id: ID!) { customerDelete(input: { id: $id }) { deletedCustomerId deletedAt } }', { id: customer.id });
    expect(deleted.customerDelete.deletedCustomerId).toBe(customer.id);
    expect((await graphql('query C($id: ID!) { customer(id: $id) { id } }', { id: customer.id })).errors?.[0].extensions.code).toBe('NOT_FOUND');
    const conversation = (await ok('query C($id: ID!) { conversation(id: $id) { customer { id } updatedAt } }', { id: conversationId })).conversation;
    expect(conversation.customer).toBeNull();
    expect(new Date(conversation.updatedAt).getTime()).toBeGreaterThan(new Date(updatedBefore).getTime());
    expect((await database.query('select count(*)::int as n from customer_notes where customer_id = $1', [customer.id])).rows[0].n).toBe(0);
    const again = await ok('mutation U { customerUpsert(input: { email: "del-03@example.com", externalId: { system: "crm", externalId: "del-03" } }) { customer { id } wasCreated } }');
    expect(again.customerUpsert).toMatchObject({ wasCreated: true });
    expect(await eventsOf('customer.deleted')).toContainEqual({ customer: { id: customer.id, deletedAt: deleted.customerDelete.deletedAt } });
    const snapshots = (await database.query(`select data::text as text from events where data->'customer'->>'id' = $1`, [customer.id])).rows.map((row) => row.text);
    expect(snapshots.join('\n')).not.toContain('del-03@example.com');
  });

  it('DEL-04 customerErase removes personal data from the record, notes, ratings, past events and logs; blankMessages empties their messages', async () => {
    const email = 'erase-me-04@example.com';
    const { id: conversationId, customer } = await createConversation(email, '', 'Erin here: my card 9911 is declined');
    await ok('mutation U($id: ID!) { customerUpdate(input: { id: $id, name: "Erin Erase", phone: "+14155550123", tagsAdd: ["vip"], externalIdsAdd: [{ system: "crm", externalId: "erase-04" }], idempotencyKey: "erase-04-update" }) { customer { id name phone } } }', { id: customer.id });
    await ok('mutation N($id: ID!) { customerNoteCreate(input: { customerId: $id, body: "Erin lives at 1 Main St" }) { note { id } } }', { id: customer.id });
    await ok('mutation F($id: ID!) { satisfactionFeedbackCreate(input: { conversationId: $id, rating: 5, comment: "Erin says thanks" }) { feedback { id } } }', { id: conversationId });
    logLines.length = 0;

    const erased = await ok('mutation E($id: ID!) { customerErase(input: { id: $id, blankMessages: true }) { customer { id name email phone locale tags customAttributes externalIds { system } } } }', { id: customer.id });
    expect(erased.customerErase.customer).toEqual({ id: customer.id, name: null, email: null, phone: null, locale: null, tags: [], customAttributes: {}, externalIds: [] });
    const messages = (await ok('query M($id: ID!) { conversation(id: $id) { customer { id } messages { nodes { authorType body attachments { filename } } } } }', { id: conversationId })).conversation;
    expect(messages.customer.id).toBe(customer.id);
    expect(messages.messages.nodes.filter((message: { authorType: string }) => message.authorType === 'CUSTOMER').map((message: { body: string }) => message.body)).toEqual(['']);

    const everything = (await database.query(`select string_agg(data::text, e'\\n') as text from events`)).rows[0].text as string;
    for (const personal of [email, 'Erin', '+14155550123', 'erase-04', 'card 9911']) expect(everything).not.toContain(personal);
    const storedAnswers = (await database.query(`select coalesce(string_agg(response::text, e'\n'), '') as text from idempotency_records`)).rows[0].text as string;
    expect(storedAnswers).not.toContain('Erin');
    const rows = (await database.query(`select (select count(*)::int from customer_notes where customer_id = $1) as notes, (select count(*)::int from customer_external_ids where customer_id = $1) as ids,
      (select count(*)::int from satisfaction_feedback where customer_id = $1 and comment is not null) as comments`, [customer.id])).rows[0];
    expect(rows).toEqual({ notes: 0, ids: 0, comments: 0 });
    const [event] = (await eventsOf('customer.erased')).slice(-1);
    expect(event).toMatchObject({ customer: { id: customer.id }, messagesBlanked: true });
    expect(logLines.join('\n')).not.toContain(email);

    const keeper = await createConversation('erase-keeps-text@example.com');
    await ok('mutation E($id: ID!) { customerErase(input: { id: $id }) { customer { id } } }', { id: keeper.customer.id });
    const kept = (await ok('query M($id: ID!) { conversation(id: $id) { messages { nodes { body } } } }', { id: keeper.id })).conversation.messages.nodes;
    expect(kept.map((message: { body: string }) => message.body)).toEqual(['My card 4242 is declined']);
  });

  it('DEL-05 includeDeleted lists tombstones (id, deletedAt) by update time among live records, page after page; without it, none', async () => {
    const since = new Date().toISOString();
    const created = [];
    for (let index = 0; index < 4; index += 1) created.push(await createConversation(`del-05-${index}@example.com`));
    await ok('mutation D($id: ID!) { conversationDelete(input: { id: $id }) { deletedAt } }', { id: created[1].id });
    await ok('mutation U($id: ID!) { conversationUpdate(input: { id: $id, priority: URGENT }) { conversation { id } } }', { id: created[0].id });
    await ok('mutation D($id: ID!) { conversationDelete(input: { id: $id }) { deletedAt } }', { id: created[3].id });

    const walk = async (includeDeleted: boolean) => {
      const seen: { id: string; deletedAt: string | null; subject: string }[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = (await ok('query P($since: DateTimeISO!, $after: String, $inc: Boolean!) { conversations(filter: { updatedAfter: $since }, orderBy: { field: UPDATED_AT, direction: ASC }, includeDeleted: $inc, first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { id deletedAt subject } } }', { since, after, inc: includeDeleted })).conversations;
        seen.push(...page.nodes);
        if (!page.pageInfo.hasNextPage) return seen;
        after = page.pageInfo.endCursor;
      }
    };
    const withDeleted = await walk(true);
    expect(withDeleted.map((node) => node.id)).toEqual([created[2].id, created[1].id, created[0].id, created[3].id]);
    expect(withDeleted.filter((node) => node.deletedAt !== null).map((node) => [node.id, node.subject])).toEqual([[created[1].id, ''], [created[3].id, '']]);
    expect((await walk(false)).map((node) => node.id)).toEqual([created[2].id, created[0].id]);

    const refused = await graphql('{ conversations(includeDeleted: true) { nodes { id } } }');
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'includeDeleted' }] });
    const other = await createWorkspaceKey(gateway, 'del-other', ['admin']);
    const foreign = await graphql('query P($since: DateTimeISO!) { conversations(filter: { updatedAfter: $since }, orderBy: { field: UPDATED_AT, direction: ASC }, includeDeleted: true) { nodes { id } } }', { since }, other.secret);
    expect(foreign.data!.conversations.nodes).toEqual([]);

    await database.query(`update deleted_records set deleted_at = now() - interval '91 days' where id = $1`, [created[1].id]);
    expect(await deletedRecordRetentionJob(90 * 86_400_000).run(gateway.app.orm)).toBe(1);
    expect((await walk(true)).map((node) => node.id)).toEqual([created[2].id, created[0].id, created[3].id]);
  });

  it('MERGE-01 customerMerge moves conversations, notes, external ids and tags to the target, tombstones the source with mergedIntoId, and answers a repeat alike', async () => {
    const since = new Date().toISOString();
    const fromChat = await createConversation('merge-chat@example.com');
    const source = fromChat.customer.id;
    await ok('mutation U($id: ID!) { customerUpdate(input: { id: $id, name: "Chat Name", tagsAdd: ["chat"], externalIdsAdd: [{ system: "intercom", externalId: "ic-1" }, { system: "crm", externalId: "crm-old" }] }) { customer { id } } }', { id: source });
    await ok('mutation N($id: ID!) { customerNoteCreate(input: { customerId: $id, body: "From chat" }) { note { id } } }', { id: source });
    const target = (await ok('mutation { customerUpsert(input: { externalId: { system: "crm", externalId: "crm-1" }, name: "CRM Name" }) { customer { id } } }')).customerUpsert.customer.id;

    const merged = await ok('mutation M($s: ID!, $t: ID!) { customerMerge(input: { sourceId: $s, targetId: $t }) { mergedCustomerId customer { id name email tags externalIds { system externalId } notes { nodes { body } } conversations { nodes { id } } } } }', { s: source, t: target });
    expect(merged.customerMerge.mergedCustomerId).toBe(source);
    expect(merged.customerMerge.customer).toMatchObject({
      id: target, name: 'CRM Name', email: 'merge-chat@example.com', tags: ['chat'],
      externalIds: [{ system: 'crm', externalId: 'crm-1' }, { system: 'intercom', externalId: 'ic-1' }],
      notes: { nodes: [{ body: 'From chat' }] }, conversations: { nodes: [{ id: fromChat.id }] },
    });
    expect((await graphql('query C($id: ID!) { customer(id: $id) { id } }', { id: source })).errors?.[0].extensions.code).toBe('NOT_FOUND');
    expect((await ok('mutation { customerUpsert(input: { externalId: { system: "intercom", externalId: "ic-1" } }) { customer { id } wasCreated } }')).customerUpsert).toEqual({ customer: { id: target }, wasCreated: false });
    const [event] = (await eventsOf('customer.merged')).slice(-1);
    expect(event).toMatchObject({ customer: { id: target }, mergedCustomerId: source });

    const repeat = await ok('mutation M($s: ID!, $t: ID!) { customerMerge(input: { sourceId: $s, targetId: $t }) { customer { id } } }', { s: source, t: target });
    expect(repeat.customerMerge.customer.id).toBe(target);
    expect(await eventsOf('customer.merged')).toHaveLength(1);
    const self = await graphql('mutation M($t: ID!) { customerMerge(input: { sourceId: $t, targetId: $t }) { customer { id } } }', { t: target });
    expect(self.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.targetId' }] });

    const tombstones = (await ok('query P($since: DateTimeISO!) { customers(filter: { updatedAfter: $since }, orderBy: { field: UPDATED_AT, direction: ASC }, includeDeleted: true) { nodes { id deletedAt mergedIntoId email } } }', { since })).customers.nodes;
    expect(tombstones.find((node: { id: string }) => node.id === source)).toMatchObject({ mergedIntoId: target, email: null, deletedAt: expect.any(String) });
  });
});
