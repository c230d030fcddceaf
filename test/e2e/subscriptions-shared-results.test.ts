import { EventSubscriptionResolver, type EventEnvelope } from '../../src/modules/events';
import { createApiKey } from '../support/api-keys';
import { collectSubscription, connectWsClient, type WsConnection } from '../support/connect-ws-client';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const eventsSubscription = /* GraphQL */ `
  subscription Events($types: [String!], $after: String) { events(types: $types, after: $after) { id type sequence data } }
`;
const createConversationMutation = /* GraphQL */ `
  mutation Create($subject: String!) { conversationCreate(input: { subject: $subject, channel: API }) { conversation { id } } }
`;
const upsertCustomerMutation = /* GraphQL */ `
  mutation Upsert($email: String!) { customerUpsert(input: { email: $email, name: "Shared Results" }) { customer { id } } }
`;
const readerScopes = ['events:read', 'conversations:read'];

type Subscription = ReturnType<typeof collectSubscription>;

const conversationIdOf = (event: EventEnvelope) => (event.data.conversation as { id?: string } | undefined)?.id;
const subjectsOf = (subscription: Subscription) => subscription.results.map((result) => (result.data as any)?.events?.data?.conversation?.subject as string | undefined);

describe('SUB-SHARED: alike subscriptions share one execution and one serialisation per event', () => {
  let gateway: TestGateway;
  const connections: WsConnection[] = [];
  /** Each call is one execution of the `events` field for one event. */
  const executions = jest.spyOn(EventSubscriptionResolver.prototype, 'events');
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.dispose()));
  });
  afterAll(async () => {
    executions.mockRestore();
    await gateway.stop();
  });

  const connect = (secret: string) => {
    const connection = connectWsClient(gateway.url, secret);
    connections.push(connection);
    return connection.client;
  };
  const createConversation = async (subject: string, secret = gateway.adminSecret) =>
    (await postGraphQL(gateway.graphqlUrl, createConversationMutation, { subject }, { secret })).body.data!.conversationCreate.conversation.id as string;
  const executionsOf = (conversationId: string) => executions.mock.calls.filter(([event]) => conversationIdOf(event) === conversationId).length;
  /** Creates marker conversations until every subscription has received one (bounded). */
  const waitUntilLive = async (subscriptions: Subscription[], marker: string, secret = gateway.adminSecret) => {
    for (let attempt = 0; attempt < 50; attempt++) {
      await createConversation(`${marker} ${attempt}`, secret);
      await Promise.all(subscriptions.map((subscription) => subscription.waitFor(subscription.results.length + 1, 200).catch(() => undefined)));
      if (subscriptions.every((subscription) => subjectsOf(subscription).some((subject) => subject?.startsWith(marker)))) return;
    }
    throw new Error(`subscriptions never went live (${marker})`);
  };

  it('SUB-12 subscriptions alike, over two sockets and two keys of the same scopes, get one execution per event and the same payload under their own ids', async () => {
    const [first, second] = [await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: readerScopes }), await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: readerScopes })];
    const sharedSocket = connect(first.secret);
    const alike = [
      collectSubscription(sharedSocket, eventsSubscription, { types: ['conversation.created'] }),
      collectSubscription(sharedSocket, eventsSubscription, { types: ['conversation.created'] }),
      collectSubscription(connect(second.secret), eventsSubscription, { types: ['conversation.created'] }),
    ];
    await waitUntilLive(alike, 'SUB-12 warm-up');
    const seenBefore = alike.map((subscription) => subscription.results.length);

    const id = await createConversation('SUB-12 shared');

    const received = await Promise.all(alike.map(async (subscription, index) => (await subscription.waitFor(seenBefore[index] + 1))[seenBefore[index]]));
    expect(received[0].data!.events).toMatchObject({ type: 'conversation.created', data: { conversation: { id, subject: 'SUB-12 shared' } } });
    expect(received.slice(1)).toEqual([received[0], received[0]]);
    expect(alike.map((subscription) => subscription.results.length)).toEqual(seenBefore.map((count) => count + 1));
    expect(executionsOf(id)).toBe(1);
  });

  it('SUB-13 other scopes, other variables and other workspaces are executed apart, each subscriber getting what its key may see', async () => {
    const reader = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: readerScopes });
    const widerReader = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: [...readerScopes, 'customers:read'] });
    const customerReader = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['events:read', 'customers:read'] });
    const otherAdmin = await createWorkspaceKey(gateway, 'shared-results-other', ['admin']);
    const otherReader = await createWorkspaceKey(gateway, 'shared-results-other', readerScopes);
    const onlyCreated = collectSubscription(connect(reader.secret), eventsSubscription, { types: ['conversation.created'] });
    const everything = collectSubscription(connect(reader.secret), eventsSubscription, {});
    const wider = collectSubscription(connect(widerReader.secret), eventsSubscription, { types: ['conversation.created'] });
    const customersOnly = collectSubscription(connect(customerReader.secret), eventsSubscription, {});
    const otherWorkspace = collectSubscription(connect(otherReader.secret), eventsSubscription, { types: ['conversation.created'] });
    await waitUntilLive([onlyCreated, everything, wider], 'SUB-13 warm-up');
    await waitUntilLive([otherWorkspace], 'SUB-13 other warm-up', otherAdmin.secret);
    const seenBefore = [onlyCreated, everything, wider, customersOnly, otherWorkspace].map((subscription) => subscription.results.length);

    const id = await createConversation('SUB-13 apart');
    await postGraphQL(gateway.graphqlUrl, upsertCustomerMutation, { email: 'sub-13@example.com' }, { secret: gateway.adminSecret });

    for (const [index, subscription] of [onlyCreated, everything, wider].entries()) {
      expect((await subscription.waitFor(seenBefore[index] + 1))[seenBefore[index]].data!.events.data.conversation).toMatchObject({ id, subject: 'SUB-13 apart' });
    }
    const customerEvent = (await customersOnly.waitFor(seenBefore[3] + 1))[seenBefore[3]].data!.events;
    expect(customerEvent.type).toBe('customer.created');
    expect(customersOnly.results.map((result) => result.data!.events.type)).not.toContain('conversation.created');
    expect(executionsOf(id)).toBe(3);
    await waitUntilLive([otherWorkspace], 'SUB-13 other again', otherAdmin.secret);
    expect(subjectsOf(otherWorkspace)).not.toContain('SUB-13 apart');
  });

  it('SUB-15 subscribers with the same EventFilter share one execution per event; a filter that rejects an event costs it no execution', async () => {
    const filtered = /* GraphQL */ `subscription Filtered($filter: EventFilter) { events(filter: $filter) { id type data } }`;
    const apiChannel = { filter: { types: ['conversation.created'], channels: ['API'] } };
    const sameFilter = [connect(gateway.adminSecret), connect(gateway.adminSecret), connect(gateway.adminSecret)].map((client) => collectSubscription(client, filtered, apiChannel));
    const otherChannel = collectSubscription(connect(gateway.adminSecret), filtered, { filter: { types: ['conversation.created'], channels: ['EMAIL'] } });
    await waitUntilLive(sameFilter, 'SUB-15 warm-up');
    const seenBefore = sameFilter.map((subscription) => subscription.results.length);

    const id = await createConversation('SUB-15 filtered');

    const received = await Promise.all(sameFilter.map(async (subscription, index) => (await subscription.waitFor(seenBefore[index] + 1))[seenBefore[index]]));
    expect(received.map((result) => result.data!.events.data.conversation.id)).toEqual([id, id, id]);
    expect(executionsOf(id)).toBe(1);
    expect(otherChannel.results).toHaveLength(0);
  });

  it('SUB-14 an after that is not an event of the workspace fails the subscription with BAD_USER_INPUT and its request id', async () => {
    const subscription = collectSubscription(connect(gateway.adminSecret), eventsSubscription, { after: 'evt_unknown' });

    await subscription.waitFor(1);

    expect(subscription.failure).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', fieldErrors: [expect.objectContaining({ field: 'after' })], requestId: expect.any(String) }) }),
    ]);
  });
});
