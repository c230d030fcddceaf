import { Client } from 'pg';
import { postGraphQL } from '../support/graphql-client';
import { seedAgents } from '../support/seed-support-data';
import { startGatewayWithDatabase, stopGatewayWithDatabase } from '../support/gateway-with-database';
import type { TestGateway } from '../support/start-gateway';

const createMutation = /* GraphQL */ `
  mutation Create($subject: String!) { conversationCreate(input: { subject: $subject, channel: API, customer: { email: "occ@example.com" } }) { conversation { id version customer { id version } } } }
`;
const readQuery = /* GraphQL */ `query Read($id: ID!) { conversation(id: $id) { version subject priority status } }`;

/** Every mutation that takes expectedVersion, with a valid input for the conversation or customer given. */
const versionedMutations: [string, string, (ids: { conversationId: string; customerId: string }) => Record<string, unknown>][] = [
  ['conversationUpdate', 'ConversationUpdateInput', ({ conversationId }) => ({ id: conversationId, subject: 'Changed' })],
  ['conversationAssign', 'ConversationAssignInput', ({ conversationId }) => ({ id: conversationId, assigneeId: null })],
  ['conversationEscalate', 'ConversationEscalateInput', ({ conversationId }) => ({ id: conversationId, reason: 'Urgent' })],
  ['conversationResolve', 'ConversationStatusChangeInput', ({ conversationId }) => ({ id: conversationId })],
  ['conversationReopen', 'ConversationStatusChangeInput', ({ conversationId }) => ({ id: conversationId })],
  ['customerUpdate', 'CustomerUpdateInput', ({ customerId }) => ({ id: customerId, name: 'Changed' })],
];

describe('OCC: versions and expectedVersion keep two writers from overwriting each other', () => {
  let gateway: TestGateway;
  let database: Client;
  const graphql = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });
  const created = async (subject: string) => (await graphql(createMutation, { subject })).body.data!.conversationCreate.conversation;
  const eventCount = async () => Number((await database.query('select count(*) from events')).rows[0].count);

  beforeAll(async () => {
    ({ gateway, database } = await startGatewayWithDatabase({ env: { WEBHOOK_POLL_INTERVAL: '1h' } }));
  });
  afterAll(() => stopGatewayWithDatabase({ gateway, database }));

  it('OCC-01 a version starts at 1 and rises by one with each change, however it is made; events carry the version they produced', async () => {
    const conversation = await created('OCC-01');
    expect(conversation.version).toBe(1);
    const updated = (await graphql(`mutation U($id: ID!) { conversationUpdate(input: { id: $id, priority: HIGH, expectedVersion: 1 }) { conversation { version } } }`, { id: conversation.id })).body.data!.conversationUpdate.conversation;
    await graphql(`mutation M($id: ID!) { messageCreate(input: { conversationId: $id, body: "Hi" }) { message { id } } }`, { id: conversation.id });
    // A write outside the services (a migration, an operator's SQL) still counts.
    await database.query(`update conversations set subject = 'Renamed by SQL' where id = $1`, [conversation.id]);

    expect(updated.version).toBe(2);
    expect((await graphql(readQuery, { id: conversation.id })).body.data!.conversation.version).toBe(4);
    const events = (await database.query(`select type, data #>> '{conversation,version}' as version from events where data #>> '{conversation,id}' = $1 order by sequence`, [conversation.id])).rows;
    expect(events).toEqual([
      { type: 'conversation.created', version: '1' },
      { type: 'conversation.updated', version: '2' },
      { type: 'message.created', version: '3' },
    ]);
  });

  it.each(versionedMutations)('OCC-02 %s with a stale expectedVersion is CONFLICT with the current version, and changes nothing', async (mutation, inputType, inputOf) => {
    const conversation = await created(`OCC-02 ${mutation}`);
    // Version 2 of each, so expectedVersion 1 is stale (a resolved conversation, for the reopen).
    const change = mutation === 'conversationReopen' ? 'conversationResolve(input: { id: $id })' : 'conversationUpdate(input: { id: $id, priority: LOW })';
    await graphql(`mutation U($id: ID!) { ${change} { conversation { id } } }`, { id: conversation.id });
    await graphql(`mutation U($id: ID!) { customerUpdate(input: { id: $id, locale: "de" }) { customer { id } } }`, { id: conversation.customer.id });
    const before = await eventCount();
    const [conversationRow, customerRow] = [
      (await database.query('select * from conversations where id = $1', [conversation.id])).rows[0],
      (await database.query('select * from customers where id = $1', [conversation.customer.id])).rows[0],
    ];

    const response = await graphql(`mutation Call($input: ${inputType}!) { ${mutation}(input: $input) { __typename } }`, {
      input: { ...inputOf({ conversationId: conversation.id, customerId: conversation.customer.id }), expectedVersion: 1 },
    });

    expect(response.body.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2, expectedVersion: 1, fieldErrors: [{ field: 'input.expectedVersion', message: expect.any(String) }] });
    expect((await database.query('select * from conversations where id = $1', [conversation.id])).rows[0]).toEqual(conversationRow);
    expect((await database.query('select * from customers where id = $1', [conversation.customer.id])).rows[0]).toEqual(customerRow);
    expect(await eventCount()).toBe(before);

    const current = await graphql(`mutation Call($input: ${inputType}!) { ${mutation}(input: $input) { __typename } }`, {
      input: { ...inputOf({ conversationId: conversation.id, customerId: conversation.customer.id }), expectedVersion: 2 },
    });
    expect(current.body.errors).toBeUndefined();
  });

  it('OCC-03 two writers holding the same version at once: exactly one wins, the other gets CONFLICT, and only the winner writes an event', async () => {
    for (let round = 0; round < 5; round++) {
      const conversation = await created(`OCC-03 ${round}`);
      const before = await eventCount();
      const update = (subject: string) =>
        graphql(`mutation U($id: ID!, $subject: String!) { conversationUpdate(input: { id: $id, subject: $subject, expectedVersion: 1 }) { conversation { version subject } } }`, { id: conversation.id, subject });

      const answers = await Promise.all([update('From the CRM'), update('From the agent')]);

      const winners = answers.filter((answer) => !answer.body.errors);
      const losers = answers.filter((answer) => answer.body.errors);
      expect([winners.length, losers.length]).toEqual([1, 1]);
      expect(losers[0].body.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
      const winner = winners[0].body.data!.conversationUpdate.conversation;
      expect((await graphql(readQuery, { id: conversation.id })).body.data!.conversation).toMatchObject({ version: 2, subject: winner.subject });
      expect(await eventCount()).toBe(before + 1);
    }
  });

  it('OCC-04 a batch checks expectedVersion per operation: the stale one is CONFLICT at its own path, the others apply', async () => {
    const [first, second] = [await created('OCC-04 a'), await created('OCC-04 b')];
    await graphql(`mutation U($id: ID!) { conversationUpdate(input: { id: $id, priority: LOW }) { conversation { id } } }`, { id: second.id });

    const results = (await graphql(`mutation B($input: ConversationsBatchUpdateInput!) { conversationsBatchUpdate(input: $input) { results { index conversation { id version } error { code fieldErrors { field } } } } }`, {
      input: { operations: [{ id: first.id, subject: 'Batch', expectedVersion: 1 }, { id: second.id, subject: 'Batch', expectedVersion: 1 }] },
    })).body;

    expect(results.errors).toBeUndefined();
    const [applied, refused] = results.data!.conversationsBatchUpdate.results;
    expect(applied).toMatchObject({ index: 0, conversation: { id: first.id, version: 2 } });
    expect(refused).toMatchObject({ index: 1, conversation: null, error: { code: 'CONFLICT', fieldErrors: [{ field: 'input.operations.1.expectedVersion' }] } });
    expect((await graphql(readQuery, { id: second.id })).body.data!.conversation.version).toBe(2);
  });

  it('OCC-05 conversationAssign refuses a team that is not the assignee’s, and takes the assignee’s own', async () => {
    const { agentIds, teamId: ownTeam } = await seedAgents(gateway.databaseUrl, 'default', 1);
    const { teamId: otherTeam } = await seedAgents(gateway.databaseUrl, 'default', 1);
    const conversation = await created('OCC-05');
    const assign = (teamId: string) =>
      graphql(`mutation A($id: ID!, $agent: ID!, $team: ID) { conversationAssign(input: { id: $id, assigneeId: $agent, teamId: $team }) { conversation { assignee { id } team { id } } } }`, { id: conversation.id, agent: agentIds[0], team: teamId });

    const refused = await assign(otherTeam);
    const accepted = await assign(ownTeam);

    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.teamId', message: expect.stringContaining(ownTeam) }] });
    expect(accepted.body.data!.conversationAssign.conversation).toEqual({ assignee: { id: agentIds[0] }, team: { id: ownTeam } });
  });
});
