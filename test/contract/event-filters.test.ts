import { collectSubscription, connectWsClient, type WsConnection } from '../support/connect-ws-client';
import { postGraphQL } from '../support/graphql-client';
import { seedAgents, type SeededWorkspace } from '../support/seed-support-data';
import { startGateway, type TestGateway } from '../support/start-gateway';

const createMutation = /* GraphQL */ `
  mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id customer { id } } } }
`;
const assignMutation = /* GraphQL */ `
  mutation Assign($id: ID!, $assigneeId: ID!) { conversationAssign(input: { id: $id, assigneeId: $assigneeId }) { conversation { id } } }
`;
const noteMutation = /* GraphQL */ `
  mutation Note($id: ID!) { conversationNoteCreate(input: { conversationId: $id, body: "internal" }) { note { id } } }
`;
const logQuery = /* GraphQL */ `
  query Log($filter: EventFilter) { events(first: 100, filter: $filter) { nodes { id type data } } }
`;
const liveSubscription = /* GraphQL */ `
  subscription Live($filter: EventFilter) { events(filter: $filter) { id type } }
`;

interface Opened {
  readonly id: string;
  readonly customerId: string;
  readonly channel: string;
  readonly inbox: string;
  readonly assigneeId: string;
  readonly teamId: string;
}

/** Events whose conversation facts are known to the test: a creation, an assignment and a note per conversation. */
const eventsPerConversation = 3;

describe('FILTER: one EventFilter for the event log and live subscriptions', () => {
  let gateway: TestGateway;
  let seeded: SeededWorkspace;
  let opened: Opened[];
  const sockets: WsConnection[] = [];
  const graphql = (query: string, variables: Record<string, unknown>) => postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });

  const open = async (channel: string, inbox: string, email: string, assigneeId: string): Promise<Opened> => {
    const input = { subject: `${channel} ${inbox}`, channel, inbox, customer: { email } };
    const { conversation } = (await graphql(createMutation, { input })).body.data!.conversationCreate;
    await graphql(assignMutation, { id: conversation.id, assigneeId });
    await graphql(noteMutation, { id: conversation.id });
    return { id: conversation.id, customerId: conversation.customer.id, channel, inbox, assigneeId, teamId: seeded.teamId };
  };

  beforeAll(async () => {
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h' } });
    seeded = await seedAgents(gateway.databaseUrl, 'default', 2);
    const [first, second] = seeded.agentIds;
    opened = [
      await open('EMAIL', 'support', 'one@example.com', first),
      await open('WEB_CHAT', 'support', 'two@example.com', second),
      await open('EMAIL', 'sales', 'one@example.com', second),
    ];
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
  });
  afterAll(() => gateway.stop());

  /** Each condition, and the conversations whose events it must keep. */
  const cases = (): [string, Record<string, unknown>, Opened[]][] => [
    ['channels', { channels: ['EMAIL'] }, opened.filter((conversation) => conversation.channel === 'EMAIL')],
    ['inboxes', { inboxes: ['support'] }, opened.filter((conversation) => conversation.inbox === 'support')],
    // Conditions hold on the conversation as it was at each event: a conversation assigned after its creation matches from its assignment on.
    ['assigneeIds', { assigneeIds: [seeded.agentIds[1]], types: ['conversation.assigned', 'conversation.note_created'] }, opened.filter((conversation) => conversation.assigneeId === seeded.agentIds[1])],
    ['assigneeIds, at creation', { assigneeIds: [seeded.agentIds[1]], types: ['conversation.created'] }, []],
    ['conversationIds', { conversationIds: [opened[0].id, opened[2].id] }, [opened[0], opened[2]]],
    ['inboxes and channels', { inboxes: ['support'], channels: ['WEB_CHAT'] }, [opened[1]]],
    ['types with inboxes', { types: ['conversation.note_created'], inboxes: ['sales'] }, [opened[2]]],
  ];

  it.each([0, 1, 2, 3, 4, 5, 6])('FILTER-01 case #%i: the event log keeps exactly the events of the matching conversations', async (index) => {
    const [, filter, expected] = cases()[index];
    const wantedTypes = (filter.types as string[] | undefined) ?? ['conversation.created', 'conversation.assigned', 'conversation.note_created'];
    const all = await graphql(logQuery, { filter: { types: wantedTypes } });
    const kept = await graphql(logQuery, { filter });

    expect(all.body.errors).toBeUndefined();
    const conversationOf = (event: { data: any }) => event.data.conversation?.id ?? event.data.note?.conversationId;
    const expectedIds = all.body.data!.events.nodes.filter((event: { data: any }) => expected.some((conversation) => conversation.id === conversationOf(event)));
    const keptIds = kept.body.data!.events.nodes.map((event: { id: string }) => event.id);
    expect(keptIds).toEqual(expectedIds.map((event: { id: string }) => event.id));
    expect(keptIds.length).toBe(expected.length * ((filter.types as string[] | undefined)?.length ?? eventsPerConversation));
  });

  it('FILTER-02 customerIds keeps events about the customer and about their conversations', async () => {
    const customerId = opened[0].customerId;
    const kept = await graphql(logQuery, { filter: { customerIds: [customerId] } });

    const types = kept.body.data!.events.nodes.map((event: { type: string }) => event.type).sort();
    // Two conversations of that customer (3 events each) and the customer's own creation.
    expect(types.filter((type: string) => type.startsWith('conversation.'))).toHaveLength(2 * eventsPerConversation);
    expect(types).toContain('customer.created');
    expect(kept.body.data!.events.nodes).toHaveLength(2 * eventsPerConversation + 1);
  });

  it('FILTER-03 a live subscription with a filter receives exactly what the log keeps for the same filter', async () => {
    const filter = { inboxes: ['support'], channels: ['EMAIL'] };
    const connection = connectWsClient(gateway.url, gateway.adminSecret);
    sockets.push(connection);
    const { sequence } = (await graphql('{ events(last: 1) { nodes { sequence } } }', {})).body.data!.events.nodes[0];
    const resumed = collectSubscription(connection.client, `subscription Resume($filter: EventFilter, $after: String) { events(filter: $filter, after: $after) { id type } }`, { filter, after: String(sequence) });

    const [first, second] = seeded.agentIds;
    const matching = await open('EMAIL', 'support', 'three@example.com', first);
    await open('EMAIL', 'sales', 'four@example.com', second);
    await open('WEB_CHAT', 'support', 'five@example.com', second);
    const marker = await open('EMAIL', 'support', 'six@example.com', second);

    const received = (await resumed.waitFor(2 * eventsPerConversation)).map((result) => (result.data as any).events.id);
    const logged = (await graphql(logQuery, { filter: { ...filter, conversationIds: [matching.id, marker.id] } })).body.data!.events.nodes.map((event: { id: string }) => event.id);
    expect(received).toEqual(logged);
    expect(logged).toHaveLength(2 * eventsPerConversation);
  });

  it('FILTER-04 a bad filter is BAD_USER_INPUT with the path of the bad field, on the log and on a subscription', async () => {
    const log = await graphql(logQuery, { filter: { types: ['conversation.created', 'no.such.type'] } });
    const tooMany = await graphql(logQuery, { filter: { inboxes: Array.from({ length: 101 }, (_, index) => `inbox ${index}`) } });
    const connection = connectWsClient(gateway.url, gateway.adminSecret);
    sockets.push(connection);
    const live = collectSubscription(connection.client, liveSubscription, { filter: { types: ['no.such.type'] } });
    await live.waitFor(1);

    expect(log.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'filter.types.1' }] });
    expect(tooMany.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'filter.inboxes' }] });
    expect(live.failure ?? live.results[0]).toBeDefined();
    const errors = (live.failure as any)?.[0] ?? (live.results[0] as any)?.errors?.[0];
    expect(errors.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'filter.types.0' }] });
  });
});
