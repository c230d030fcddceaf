import { Client } from 'pg';
import { createApiKey } from '../support/api-keys';
import { postGraphQL } from '../support/graphql-client';
import { startGatewayWithDatabase, stopGatewayWithDatabase } from '../support/gateway-with-database';
import type { TestGateway } from '../support/start-gateway';

const agentFields = 'id name email teamId isActive deactivatedAt';

describe('DIR: agents and teams are provisioned through the API, and deactivation hands their open work back', () => {
  let gateway: TestGateway;
  let database: Client;
  const graphql = (query: string, variables: Record<string, unknown> = {}, secret = gateway.adminSecret) => postGraphQL(gateway.graphqlUrl, query, variables, { secret });
  const data = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await graphql(query, variables);
    if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
    return response.body.data!;
  };
  const createTeam = async (name: string) => (await data(`mutation T($name: String!) { teamCreate(input: { name: $name }) { team { id name } } }`, { name })).teamCreate.team;
  const createAgent = async (email: string, teamId: string | null = null) =>
    (await data(`mutation A($email: String!, $teamId: ID) { agentCreate(input: { name: "Ana", email: $email, teamId: $teamId }) { agent { ${agentFields} } } }`, { email, teamId })).agentCreate.agent;

  beforeAll(async () => {
    ({ gateway, database } = await startGatewayWithDatabase({ env: { WEBHOOK_POLL_INTERVAL: '1h' } }));
  });
  afterAll(() => stopGatewayWithDatabase({ gateway, database }));

  it('DIR-01 agents and teams are created, renamed and moved between teams; the agents list and node(id) show them; each change is audited', async () => {
    const [support, billing] = [await createTeam('Support'), await createTeam('Billing')];
    const agent = await createAgent('ana@example.com', support.id);
    const moved = (await data(`mutation U($id: ID!, $teamId: ID) { agentUpdate(input: { id: $id, teamId: $teamId, name: "Ana B." }) { agent { ${agentFields} } } }`, { id: agent.id, teamId: billing.id })).agentUpdate.agent;
    const renamed = (await data(`mutation T($id: ID!) { teamUpdate(input: { id: $id, name: "Billing EU" }) { team { id name } } }`, { id: billing.id })).teamUpdate.team;
    const listed = (await data(`{ agents { ${agentFields} } teams { id name } }`));
    const byNode = (await data(`query N($id: ID!) { node(id: $id) { ... on Agent { name teamId } } }`, { id: agent.id })).node;

    expect(agent).toMatchObject({ id: expect.stringMatching(/^agt_/), email: 'ana@example.com', teamId: support.id, isActive: true, deactivatedAt: null });
    expect(moved).toMatchObject({ name: 'Ana B.', teamId: billing.id });
    expect(renamed).toEqual({ id: billing.id, name: 'Billing EU' });
    expect(listed.agents).toContainEqual(moved);
    expect(listed.teams).toEqual(expect.arrayContaining([support, renamed]));
    expect(byNode).toEqual({ name: 'Ana B.', teamId: billing.id });
    const actions = (await database.query(`select action from audit_entries where target_id in ($1, $2, $3) order by created_at`, [agent.id, support.id, billing.id])).rows.map((row) => row.action);
    expect(actions).toEqual(expect.arrayContaining(['team.created', 'team.created', 'agent.created', 'agent.updated', 'team.updated']));
  });

  it('DIR-02 bad input names its field; an email another active agent has is CONFLICT; an unknown team is NOT_FOUND on input.teamId', async () => {
    await createAgent('taken@example.com');
    const duplicate = await graphql(`mutation { agentCreate(input: { name: "B", email: "TAKEN@example.com" }) { agent { id } } }`);
    const invalid = await graphql(`mutation { agentCreate(input: { name: "", email: "not-an-email" }) { agent { id } } }`);
    const unknownTeam = await graphql(`mutation { agentCreate(input: { name: "C", email: "c@example.com", teamId: "team_unknown" }) { agent { id } } }`);

    expect(duplicate.body.errors![0].extensions).toMatchObject({ code: 'CONFLICT', fieldErrors: [{ field: 'input.email' }] });
    expect(invalid.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((invalid.body.errors![0].extensions.fieldErrors as { field: string }[]).map((error) => error.field).sort()).toEqual(['input.email', 'input.name']);
    expect(unknownTeam.body.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', fieldErrors: [{ field: 'input.teamId' }] });
  });

  it('DIR-03 deactivation unassigns every conversation that is not resolved (team kept, one conversation.assigned each), keeps resolved ones, and refuses new assignments', async () => {
    const team = await createTeam('Tier 2');
    const agent = await createAgent('leaver@example.com', team.id);
    const create = async (subject: string) =>
      (await data(`mutation C($subject: String!, $agent: ID!, $team: ID!) { conversationCreate(input: { subject: $subject, channel: API, assigneeId: $agent, teamId: $team }) { conversation { id } } }`, { subject, agent: agent.id, team: team.id })).conversationCreate.conversation.id;
    const [open, pending, resolved] = [await create('open'), await create('pending'), await create('resolved')];
    await data(`mutation P($id: ID!) { conversationUpdate(input: { id: $id, status: PENDING }) { conversation { id } } }`, { id: pending });
    await data(`mutation R($id: ID!) { conversationResolve(input: { id: $id }) { conversation { id } } }`, { id: resolved });
    const before = Number((await database.query('select count(*) from events')).rows[0].count);

    const result = (await data(`mutation D($id: ID!) { agentDeactivate(input: { id: $id }) { agent { ${agentFields} } unassignedConversationIds } }`, { id: agent.id })).agentDeactivate;
    const again = (await data(`mutation D($id: ID!) { agentDeactivate(input: { id: $id }) { unassignedConversationIds } }`, { id: agent.id })).agentDeactivate;
    const states = await Promise.all([open, pending, resolved].map(async (id) => ({ id, ...(await data(`query C($id: ID!) { conversation(id: $id) { assignee { id isActive } team { id } } }`, { id })).conversation })));
    const events = (await database.query(`select type, data #>> '{conversation,id}' as id, data #>> '{conversation,assigneeId}' as assignee from events order by sequence offset $1`, [before])).rows;
    const reassign = await graphql(`mutation A($id: ID!, $agent: ID!) { conversationAssign(input: { id: $id, assigneeId: $agent }) { conversation { id } } }`, { id: open, agent: agent.id });

    expect(result.agent).toMatchObject({ isActive: false, deactivatedAt: expect.any(String) });
    expect([...result.unassignedConversationIds].sort()).toEqual([open, pending].sort());
    expect(again.unassignedConversationIds).toEqual([]);
    const byId = Object.fromEntries(states.map((state: { id: string }) => [state.id, state]));
    expect(byId[open]).toMatchObject({ assignee: null, team: { id: team.id } });
    expect(byId[pending]).toMatchObject({ assignee: null, team: { id: team.id } });
    expect(byId[resolved]).toMatchObject({ assignee: { id: agent.id, isActive: false }, team: { id: team.id } });
    expect(events.sort((a, b) => a.id.localeCompare(b.id))).toEqual([open, pending].sort().map((id) => ({ type: 'conversation.assigned', id, assignee: null })));
    expect(reassign.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.assigneeId', message: expect.stringContaining('deactivated') }] });
  });

  it('DIR-04 provisioning needs directory:write: a key with every other scope is refused, and the agents list still reads with conversations:read', async () => {
    const others = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read', 'conversations:write', 'customers:write', 'keys:write', 'webhooks:write'] });
    const refused = await graphql(`mutation { teamCreate(input: { name: "Nope" }) { team { id } } }`, {}, others.secret);
    const read = await graphql(`{ agents { id } }`, {}, others.secret);
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['directory:write']] });
    expect(read.body.errors).toBeUndefined();
  });
});
