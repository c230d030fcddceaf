import { createApiKey } from '../support/api-keys';
import { collectSubscription, connectWsClient, type WsConnection } from '../support/connect-ws-client';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const eventsSubscription = /* GraphQL */ `
  subscription Events($types: [String!], $after: String) { events(types: $types, after: $after) { id type sequence occurredAt data } }
`;
const conversationEventsSubscription = /* GraphQL */ `
  subscription ConversationEvents($id: ID!) { conversationEvents(conversationId: $id) { id type data } }
`;
const createMutation = /* GraphQL */ `
  mutation Create($subject: String!) { conversationCreate(input: { subject: $subject, channel: API }) { conversation { id } } }
`;
const eventsQuery = /* GraphQL */ `query Log($after: String) { events(first: 100, after: $after) { nodes { id type sequence occurredAt data } } }`;
const lastEventQuery = /* GraphQL */ `query LastEvent { events(last: 1) { nodes { sequence } } }`;

describe('SUB: graphql-ws subscriptions mirror the event log and resume without gaps', () => {
  let gateway: TestGateway;
  const connections: WsConnection[] = [];
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.dispose()));
  });
  afterAll(() => gateway.stop());

  const connect = (secret: string | undefined) => {
    const connection = connectWsClient(gateway.url, secret);
    connections.push(connection);
    return connection;
  };
  const createConversation = async (subject: string, secret = gateway.adminSecret) =>
    (await postGraphQL(gateway.graphqlUrl, createMutation, { subject }, { secret })).body.data!.conversationCreate.conversation.id as string;
  /**
   * A subscription is live once an event created after subscribing arrives. Markers are sent
   * until one comes back (bounded), since the socket connects lazily.
   */
  const waitUntilLive = async (subscription: ReturnType<typeof collectSubscription>, marker: string, secret = gateway.adminSecret) => {
    for (let attempt = 0; attempt < 50; attempt++) {
      await createConversation(`${marker} ${attempt}`, secret);
      const results = await subscription.waitFor(subscription.results.length + 1, 200).catch(() => subscription.results);
      if (results.some((result) => String((result.data as any)?.events?.data?.conversation?.subject).startsWith(marker))) return;
    }
    throw new Error(`subscription never went live (${marker})`);
  };

  it('SUB-01 a subscriber receives each committed event live, identical to the log entry', async () => {
    const subscription = collectSubscription(connect(gateway.adminSecret).client, eventsSubscription, { types: ['conversation.created'] });
    await waitUntilLive(subscription, 'SUB-01 warm-up');
    const seenBefore = subscription.results.length;
    const id = await createConversation('SUB-01 live');
    const results = await subscription.waitFor(seenBefore + 1);
    const live = results[seenBefore].data!.events;
    expect(live).toMatchObject({ type: 'conversation.created', data: { conversation: { id, subject: 'SUB-01 live' } } });
    const log = await postGraphQL(gateway.graphqlUrl, eventsQuery, {}, { secret: gateway.adminSecret });
    expect(log.body.data!.events.nodes.find((event: { id: string }) => event.id === live.id)).toEqual(live);
  });

  it('SUB-02 after a disconnect, resubscribing with after replays exactly the missed events in order, then live ones', async () => {
    const first = collectSubscription(connect(gateway.adminSecret).client, eventsSubscription);
    await waitUntilLive(first, 'SUB-02 before');
    const lastSeen = first.results.at(-1)!.data!.events;
    first.unsubscribe();
    const missedIds: string[] = [];
    for (let index = 0; index < 100; index++) missedIds.push(await createConversation(`SUB-02 missed ${index}`));

    const resumed = collectSubscription(connect(gateway.adminSecret).client, eventsSubscription, { after: lastSeen.id });
    const replayed = (await resumed.waitFor(100)).slice(0, 100).map((result) => result.data!.events);
    expect(replayed.map((event) => event.data.conversation.id)).toEqual(missedIds);
    expect(replayed.map((event) => event.sequence)).toEqual(replayed.map((_, index) => lastSeen.sequence + 1 + index));
    const liveId = await createConversation('SUB-02 live');
    const afterLive = await resumed.waitFor(101);
    expect(afterLive[100].data!.events.data.conversation.id).toBe(liveId);
    expect(afterLive).toHaveLength(101);
  });

  it('SUB-11 after: "<sequence>" resumes at exactly the next sequence, from the start, the middle or the end of the log', async () => {
    for (const subject of ['SUB-11 one', 'SUB-11 two']) await createConversation(subject);
    const last: number = (await postGraphQL(gateway.graphqlUrl, lastEventQuery, {}, { secret: gateway.adminSecret })).body.data!.events.nodes[0].sequence;
    const firstSequenceAfter = async (after: number) => {
      const subscription = collectSubscription(connect(gateway.adminSecret).client, eventsSubscription, { after: String(after) });
      const [first] = await subscription.waitFor(1);
      return first.data!.events.sequence as number;
    };
    expect(await firstSequenceAfter(0)).toBe(1);
    expect(await firstSequenceAfter(last - 1)).toBe(last);
    const atTheEnd = firstSequenceAfter(last);
    await createConversation('SUB-11 after the end');
    expect(await atTheEnd).toBe(last + 1);
  });

  it('SUB-03 a subscriber never sees another workspace’s events', async () => {
    const other = await createWorkspaceKey(gateway, 'sub-other', ['admin']);
    const subscription = collectSubscription(connect(other.secret).client, eventsSubscription, { types: ['conversation.created'] });
    await waitUntilLive(subscription, 'SUB-03 theirs', other.secret);
    const seenBefore = subscription.results.length;
    await createConversation('SUB-03 not theirs');
    const marker = await createConversation('SUB-03 theirs again', other.secret);
    const results = await subscription.waitFor(seenBefore + 1);
    expect(results.slice(seenBefore).map((result) => result.data!.events.data.conversation.id)).toEqual([marker]);
    expect(results.every((result) => String(result.data!.events.data.conversation.subject).startsWith('SUB-03 theirs'))).toBe(true);
  });

  it('SUB-04 a key without events:read cannot subscribe', async () => {
    const reader = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read'] });
    const subscription = collectSubscription(connect(reader.secret).client, eventsSubscription);
    const [result] = await subscription.waitFor(1);
    expect(result.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['events:read']], requestId: expect.any(String) });
  });

  it('SUB-05 a bad key gets the socket closed with 4403', async () => {
    const connection = connect('sgw_aaaaaaaaaaaaaaaaaaaa_' + 'A'.repeat(43));
    collectSubscription(connection.client, eventsSubscription);
    expect(await connection.closed).toBe(4403);
  });

  it('SUB-06 queries and mutations are refused over WebSocket: no side door around HTTP’s gates', async () => {
    const subscription = collectSubscription(connect(gateway.adminSecret).client, 'mutation { conversationCreate(input: { subject: "side door", channel: API }) { conversation { id } } }');
    await subscription.waitFor(1);
    expect(subscription.failure).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  });

  it('SUB-07 revoking a key closes its open sockets within seconds', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['events:read', 'conversations:read'] });
    const connection = connect(key.secret);
    const subscription = collectSubscription(connection.client, eventsSubscription, { types: ['conversation.created'] });
    await waitUntilLive(subscription, 'SUB-07 warm-up');
    await postGraphQL(gateway.graphqlUrl, `mutation R($id: ID!) { apiKeyRevoke(input: { id: $id }) { apiKey { id } } }`, { id: key.id }, { secret: gateway.adminSecret });
    expect(await connection.closed).toBe(4403);
  });

  it('SUB-08 conversationEvents follows one conversation: its changes and messages only', async () => {
    const id = await createConversation('SUB-08 watched');
    const otherId = await createConversation('SUB-08 other');
    const subscription = collectSubscription(connect(gateway.adminSecret).client, conversationEventsSubscription, { id });
    const message = `mutation M($id: ID!, $body: String!) { messageCreate(input: { conversationId: $id, body: $body }) { message { id } } }`;
    // Messages on the other conversation first; a message on the watched one marks when the subscription is live.
    for (;;) {
      await postGraphQL(gateway.graphqlUrl, message, { id: otherId, body: 'not watched' }, { secret: gateway.adminSecret });
      await postGraphQL(gateway.graphqlUrl, message, { id, body: 'watched' }, { secret: gateway.adminSecret });
      const results = await subscription.waitFor(1);
      if (results.length > 0) break;
    }
    await postGraphQL(gateway.graphqlUrl, `mutation R($id: ID!) { conversationResolve(input: { id: $id }) { conversation { id } } }`, { id }, { secret: gateway.adminSecret });
    const results = await subscription.waitFor(2);
    expect(results.every((result) => result.data!.conversationEvents.data.conversation?.id === id || result.data!.conversationEvents.data.message?.conversationId === id)).toBe(true);
    expect(results.at(-1)!.data!.conversationEvents.type).toBe('conversation.resolved');
  });

  it('SUB-10 a key holds at most 100 concurrent subscriptions; the 101st is RATE_LIMITED', async () => {
    const key = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['events:read', 'conversations:read'], rateLimit: { requests: 1000, windowSeconds: 60 } });
    const connection = connect(key.secret);
    const subscriptions = Array.from({ length: 100 }, () => collectSubscription(connection.client, eventsSubscription, { types: ['conversation.created'] }));
    await waitUntilLive(subscriptions[99], 'SUB-10 live');
    const extra = collectSubscription(connection.client, eventsSubscription);
    await extra.waitFor(1);
    expect(extra.failure).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })]);
    subscriptions[0].unsubscribe();
    const replacement = collectSubscription(connection.client, eventsSubscription, { types: ['conversation.created'] });
    await waitUntilLive(replacement, 'SUB-10 replacement');
  });
});
