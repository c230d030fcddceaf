import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import type { Client } from 'graphql-ws';
import { createApiKey, type CreatedKey } from '../support/api-keys';
import { collectSubscription, connectWsClient, type WsConnection } from '../support/connect-ws-client';
import { postGraphQL, type GraphQLErrorBody } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { readMetric } from '../support/read-metric';
import { startGateway, type TestGateway } from '../support/start-gateway';

const eventsSubscription = /* GraphQL */ `subscription Events($types: [String!]) { events(types: $types) { id type data } }`;
const createMutation = /* GraphQL */ `
  mutation Create($subject: String!) { conversationCreate(input: { subject: $subject, channel: API }) { conversation { id } } }
`;
const cap = 100;

type Subscription = ReturnType<typeof collectSubscription>;

describe('SUBCAP: the per-key subscription cap counts exactly under bursts and reconnects', () => {
  let gateway: TestGateway;
  const connections: WsConnection[] = [];
  const sseClients: SseClient[] = [];
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterEach(async () => {
    for (const client of sseClients.splice(0)) client.dispose();
    await Promise.all(connections.splice(0).map((connection) => connection.dispose()));
  });
  afterAll(() => gateway.stop());

  const newKey = () => createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['events:read', 'conversations:read'], rateLimit: { requests: 10_000, windowSeconds: 60 } });
  const connect = (key: CreatedKey) => {
    const connection = connectWsClient(gateway.url, key.secret);
    connections.push(connection);
    return connection;
  };
  const subscribe = (client: Client) => collectSubscription(client, eventsSubscription, { types: ['conversation.created'] });
  const openSockets = () => readMetric(gateway.url, 'gateway_subscription_connections', { transport: 'websocket' });
  /**
   * Waits until each subscription is refused or live, live meaning a conversation created after
   * it subscribed reached it: markers are created until every one has heard one (bounded).
   */
  const settle = async (subscriptions: readonly Subscription[], marker: string) => {
    const liveOnes = new Set<Subscription>();
    for (let attempt = 0; attempt < 50; attempt++) {
      const subject = `${marker} ${attempt}`;
      await postGraphQL(gateway.graphqlUrl, createMutation, { subject }, { secret: gateway.adminSecret });
      await Promise.all(subscriptions.filter((subscription) => !liveOnes.has(subscription)).map((subscription) => subscription.waitFor(subscription.results.length + 1, 300).catch(() => undefined)));
      for (const subscription of subscriptions) {
        if (subscription.results.some((result) => String((result.data as any)?.events?.data?.conversation?.subject).startsWith(marker))) liveOnes.add(subscription);
      }
      if (subscriptions.every((subscription) => liveOnes.has(subscription) || subscription.isDone)) break;
    }
    const refused = subscriptions.filter((subscription) => subscription.isDone);
    for (const subscription of refused) {
      expect(subscription.failure).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })]);
    }
    return { live: subscriptions.filter((subscription) => liveOnes.has(subscription)).length, refused: refused.length };
  };

  it.each([
    [101, 1],
    [105, 5],
  ])('SUBCAP-01 %i subscribes sent at once on one socket: exactly 100 are accepted and %i refused RATE_LIMITED', async (sent, refused) => {
    const { client } = connect(await newKey());

    const subscriptions = Array.from({ length: sent }, () => subscribe(client));

    expect(await settle(subscriptions, `SUBCAP-01 ${sent}`)).toEqual({ live: cap, refused });
  });

  it('SUBCAP-02 a burst spread over three sockets of one key: exactly 100 accepted in all', async () => {
    const key = await newKey();
    const clients = [connect(key).client, connect(key).client, connect(key).client];

    const subscriptions = Array.from({ length: 103 }, (_, index) => subscribe(clients[index % 3]));

    expect(await settle(subscriptions, 'SUBCAP-02')).toEqual({ live: cap, refused: 3 });
  });

  it('SUBCAP-03 closing a socket frees its slots for the key’s other sockets', async () => {
    const key = await newKey();
    const closing = connect(key);
    const staying = connect(key);
    const first = [...Array.from({ length: 60 }, () => subscribe(closing.client)), ...Array.from({ length: 40 }, () => subscribe(staying.client))];
    expect(await settle(first, 'SUBCAP-03 full')).toEqual({ live: cap, refused: 0 });
    const socketsBefore = await openSockets();

    await closing.dispose();
    await pollUntil(async () => (await openSockets()) === socketsBefore - 1, { timeoutMs: 5000, description: 'the server to see the socket close' });

    const again = Array.from({ length: 61 }, () => subscribe(staying.client));
    expect(await settle(again, 'SUBCAP-03 again')).toEqual({ live: 60, refused: 1 });
  });

  it('SUBCAP-04 completing a subscription and at once resubscribing, in a loop at the cap, is never refused', async () => {
    const { client } = connect(await newKey());
    const held = Array.from({ length: cap }, () => subscribe(client));
    expect(await settle(held, 'SUBCAP-04 full')).toEqual({ live: cap, refused: 0 });

    const replacements: Subscription[] = [];
    for (let round = 0; round < 30; round++) {
      held[round].unsubscribe();
      replacements.push(subscribe(client));
    }

    expect(await settle(replacements, 'SUBCAP-04 loop')).toEqual({ live: 30, refused: 0 });
    const extra = subscribe(client);
    expect(await settle([extra], 'SUBCAP-04 extra')).toEqual({ live: 0, refused: 1 });
  });

  it('SUBCAP-05 WebSocket and SSE share one cap: with 99 over WebSocket one SSE stream opens, then both refuse', async () => {
    const key = await newKey();
    const { client } = connect(key);
    const sse = () => {
      const sseClient = createSseClient({ url: `${gateway.url}/graphql/stream`, headers: { authorization: `Bearer ${key.secret}` }, retryAttempts: 0 });
      sseClients.push(sseClient);
      return sseClient as unknown as Client;
    };
    expect(await settle(Array.from({ length: 99 }, () => subscribe(client)), 'SUBCAP-05 ws')).toEqual({ live: 99, refused: 0 });

    expect(await settle([subscribe(sse())], 'SUBCAP-05 sse')).toEqual({ live: 1, refused: 0 });

    const overSse = await fetch(`${gateway.url}/graphql/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: eventsSubscription }),
    });
    expect(overSse.status).toBe(429);
    expect(((await overSse.json()) as { errors: GraphQLErrorBody[] }).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(await settle([subscribe(client)], 'SUBCAP-05 over')).toEqual({ live: 0, refused: 1 });
  });
});
