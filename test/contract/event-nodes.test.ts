import { collectSubscription, connectWsClient, type WsConnection } from '../support/connect-ws-client';
import { postGraphQL } from '../support/graphql-client';
import { readMetric } from '../support/read-metric';
import { startGateway, type TestGateway } from '../support/start-gateway';

const createMutation = /* GraphQL */ `
  mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id customer { id } } } }
`;
const messageMutation = /* GraphQL */ `
  mutation Message($id: ID!, $body: String!) { messageCreate(input: { conversationId: $id, body: $body }) { message { id } } }
`;
const updateMutation = /* GraphQL */ `
  mutation Update($id: ID!, $subject: String!) { conversationUpdate(input: { id: $id, subject: $subject }) { conversation { id } } }
`;
const nodesOfEvents = /* GraphQL */ `
  query Nodes($first: Int!) {
    events(first: $first, filter: { types: ["message.created"] }) {
      nodes { id conversation { id subject } message { id body conversationId } customer { id email } }
    }
  }
`;

describe('EVNODE: an event’s typed nodes, current, batched and inside the reader’s reach', () => {
  let gateway: TestGateway;
  const sockets: WsConnection[] = [];
  const graphql = (query: string, variables: Record<string, unknown>, secret = gateway.adminSecret) => postGraphQL(gateway.graphqlUrl, query, variables, { secret });
  const statementsOf = async (run: () => Promise<unknown>) => {
    const before = await readMetric(gateway.url, 'gateway_sql_statements_total');
    await run();
    return (await readMetric(gateway.url, 'gateway_sql_statements_total')) - before;
  };
  let conversations: { id: string; customerId: string; email: string }[];

  beforeAll(async () => {
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h' } });
    conversations = [];
    for (let index = 0; index < 12; index++) {
      const email = `node${index}@example.com`;
      const { conversation } = (await graphql(createMutation, { input: { subject: `Subject ${index}`, channel: 'EMAIL', customer: { email } } })).body.data!.conversationCreate;
      conversations.push({ id: conversation.id, customerId: conversation.customer.id, email });
      await graphql(messageMutation, { id: conversation.id, body: `Body ${index}` });
    }
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
  });
  afterAll(() => gateway.stop());

  it('EVNODE-01 each message.created event resolves its conversation, message and customer as they are now', async () => {
    await graphql(updateMutation, { id: conversations[0].id, subject: 'Renamed after the event' });

    const nodes = (await graphql(nodesOfEvents, { first: 12 })).body.data!.events.nodes;

    expect(nodes).toHaveLength(12);
    nodes.forEach((node: any, index: number) => {
      expect(node.conversation.id).toBe(conversations[index].id);
      expect(node.message).toMatchObject({ body: `Body ${index}`, conversationId: conversations[index].id });
      expect(node.customer).toEqual({ id: conversations[index].customerId, email: conversations[index].email });
    });
    expect(nodes[0].conversation.subject).toBe('Renamed after the event');
  });

  it('EVNODE-02 the nodes of a page of events cost the same statements for 3 events as for 12', async () => {
    await graphql(nodesOfEvents, { first: 1 });
    const few = await statementsOf(() => graphql(nodesOfEvents, { first: 3 }));
    const many = await statementsOf(() => graphql(nodesOfEvents, { first: 12 }));

    expect(many).toBe(few);
    expect(many).toBeLessThanOrEqual(5);
  });

  it('EVNODE-03 a live event carries its nodes as they are at delivery', async () => {
    const connection = connectWsClient(gateway.url, gateway.adminSecret);
    sockets.push(connection);
    const subscription = collectSubscription(
      connection.client,
      'subscription { events(types: ["conversation.updated"]) { conversation { id subject } customer { email } } }',
    );
    for (let attempt = 0; subscription.results.length === 0 && attempt < 50; attempt++) {
      await graphql(updateMutation, { id: conversations[1].id, subject: `Live ${attempt}` });
      await subscription.waitFor(1, 200).catch(() => undefined);
    }

    const live = (subscription.results[0].data as any).events;
    expect(live.conversation.id).toBe(conversations[1].id);
    expect(live.conversation.subject).toMatch(/^Live \d+$/);
    expect(live.customer.email).toBe(conversations[1].email);
  });

  it('EVNODE-04 a token bound to one conversation sees that conversation’s nodes, and its key without customers:read gets FORBIDDEN on customer', async () => {
    const minted = await graphql('mutation($id: ID!) { clientTokenCreate(input: { scopes: ["events:read", "conversations:read"], conversationId: $id }) { token } }', { id: conversations[2].id });
    const token = minted.body.data!.clientTokenCreate.token;

    const response = await graphql(
      '{ events(first: 100, filter: { types: ["message.created"] }) { nodes { conversation { id } message { conversationId } customer { id } } } }',
      {},
      token,
    );

    const nodes = response.body.data!.events.nodes;
    expect(nodes).toHaveLength(1);
    expect(nodes[0].conversation.id).toBe(conversations[2].id);
    expect(nodes[0].message.conversationId).toBe(conversations[2].id);
    expect(nodes[0].customer).toBeNull();
    expect(response.body.errors!.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
  });
});
