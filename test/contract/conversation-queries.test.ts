import { Client } from 'pg';
import { postGraphQL } from '../support/graphql-client';
import { seedAgents, type SeededWorkspace } from '../support/seed-support-data';
import { startGateway, type TestGateway } from '../support/start-gateway';

const createMutation = /* GraphQL */ `
  mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id } } }
`;
const listQuery = /* GraphQL */ `
  query List($filter: ConversationFilter, $orderBy: ConversationOrder, $first: Int, $after: String, $last: Int, $before: String) {
    conversations(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      nodes { id subject }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

describe('CONVQ: finding conversations', () => {
  let gateway: TestGateway;
  let seeded: SeededWorkspace;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    gateway = await startGateway();
    seeded = await seedAgents(gateway.databaseUrl);
    const inputs: Record<string, Record<string, unknown>> = {
      refund: { subject: 'Refund for a broken kettle', channel: 'EMAIL', tags: ['billing'], priority: 'HIGH', firstMessage: { body: 'The kettle arrived cracked' } },
      login: { subject: 'Cannot log in', channel: 'WEB_CHAT', tags: ['account'], assigneeId: seeded.agentIds[0] },
      invoice: { subject: 'Invoice address', channel: 'EMAIL', tags: ['billing', 'vip'], externalRefs: [{ system: 'zendesk', externalId: 'ZD-77' }] },
      shipping: { subject: 'Where is my parcel', channel: 'WHATSAPP', firstMessage: { body: 'Tracking shows nothing since Monday' } },
    };
    for (const [name, input] of Object.entries(inputs)) {
      const response = await postGraphQL(gateway.graphqlUrl, createMutation, { input }, { secret: gateway.adminSecret });
      ids[name] = response.body.data!.conversationCreate.conversation.id;
    }
  });
  afterAll(() => gateway.stop());

  const list = async (variables: Record<string, unknown>) => {
    const response = await postGraphQL(gateway.graphqlUrl, listQuery, variables, { secret: gateway.adminSecret });
    if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
    return response.body.data!.conversations;
  };
  const idsOf = (connection: { nodes: { id: string }[] }) => connection.nodes.map((node) => node.id);

  it.each([
    ['channel', { channel: ['EMAIL'] }, ['invoice', 'refund']],
    ['all given tags', { tags: ['billing', 'vip'] }, ['invoice']],
    ['priority', { priority: ['HIGH'] }, ['refund']],
    ['assignee', { assigneeId: 'AGENT_0' }, ['login']],
    ['unassigned', { isUnassigned: true }, ['shipping', 'invoice', 'refund']],
    ['external ref', { externalRef: { system: 'zendesk', externalId: 'ZD-77' } }, ['invoice']],
    ['full text in the subject', { text: 'kettle' }, ['refund']],
    ['full text in the messages', { text: 'tracking' }, ['shipping']],
    ['status', { status: ['RESOLVED'] }, []],
  ])('CONVQ-01 filters by %s, with a matching totalCount', async (_name, filter: Record<string, unknown>, expected: string[]) => {
    const resolvedFilter = JSON.parse(JSON.stringify(filter).replace('AGENT_0', seeded.agentIds[0]));
    const connection = await list({ filter: resolvedFilter, first: 50 });
    expect(idsOf(connection).sort()).toEqual(expected.map((name) => ids[name]).sort());
    expect(connection.totalCount).toBe(expected.length);
  });

  it('CONVQ-02 orders by creation, newest first by default and oldest first when asked', async () => {
    // (created_at, id) decides, so two rows created in the same millisecond still have one order.
    const database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    const creationOrder = (await database.query('select id from conversations order by created_at, id')).rows.map((row) => row.id);
    await database.end();
    expect(creationOrder).toHaveLength(4);
    expect(idsOf(await list({ first: 10 }))).toEqual([...creationOrder].reverse());
    expect(idsOf(await list({ first: 10, orderBy: { field: 'CREATED_AT', direction: 'ASC' } }))).toEqual(creationOrder);
  });

  it('CONVQ-03 pages forward and backward over the same rows, and stays correct while rows are inserted', async () => {
    const orderBy = { field: 'UPDATED_AT', direction: 'ASC' };
    const firstPage = await list({ first: 2, orderBy });
    await postGraphQL(gateway.graphqlUrl, createMutation, { input: { subject: 'Inserted mid-walk', channel: 'API' } }, { secret: gateway.adminSecret });
    const secondPage = await list({ first: 2, after: firstPage.pageInfo.endCursor, orderBy });
    const thirdPage = await list({ first: 2, after: secondPage.pageInfo.endCursor, orderBy });
    const forward = [...idsOf(firstPage), ...idsOf(secondPage), ...idsOf(thirdPage)];
    expect(new Set(forward).size).toBe(5);
    expect(thirdPage.pageInfo.hasNextPage).toBe(false);
    const lastPage = await list({ last: 2, orderBy });
    const middlePage = await list({ last: 2, before: lastPage.pageInfo.startCursor, orderBy });
    const firstBackward = await list({ last: 2, before: middlePage.pageInfo.startCursor, orderBy });
    expect([...idsOf(firstBackward), ...idsOf(middlePage), ...idsOf(lastPage)]).toEqual(forward);
    expect(firstBackward.pageInfo.hasPreviousPage).toBe(false);
  });

  it('CONVQ-04 a conversation shows its messages oldest first and its last message', async () => {
    await postGraphQL(
      gateway.graphqlUrl,
      `mutation M($id: ID!) { messageCreate(input: { conversationId: $id, authorType: AGENT, authorAgentId: "${seeded.agentIds[1]}", body: "We are sending a new one" }) { message { id } } }`,
      { id: ids.refund },
      { secret: gateway.adminSecret },
    );
    const response = await postGraphQL(
      gateway.graphqlUrl,
      `query C($id: ID!) { conversation(id: $id) { firstResponseAt lastMessage { body authorType } messages(first: 10) { nodes { body authorType } } } }`,
      { id: ids.refund },
      { secret: gateway.adminSecret },
    );
    const conversation = response.body.data!.conversation;
    expect(conversation.messages.nodes).toEqual([
      { body: 'The kettle arrived cracked', authorType: 'CUSTOMER' },
      { body: 'We are sending a new one', authorType: 'AGENT' },
    ]);
    expect(conversation.lastMessage).toEqual({ body: 'We are sending a new one', authorType: 'AGENT' });
    expect(conversation.firstResponseAt).not.toBeNull();
  });
});
