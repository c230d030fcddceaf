import { createClient, type Client as SseClient } from 'graphql-sse';
import type { Client as WsClient } from 'graphql-ws';
import { collectSubscription, connectWsClient, type WsConnection } from '../support/connect-ws-client';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const conversationEvents = /* GraphQL */ `
  subscription One($id: ID!) { conversationEvents(conversationId: $id) { id type } }
`;

describe('SUBARGS: a subscription to an id that cannot exist fails at once, on both transports', () => {
  let gateway: TestGateway;
  let foreignConversationId: string;
  let ownConversationId: string;
  const sockets: WsConnection[] = [];
  const sseClients: SseClient[] = [];

  beforeAll(async () => {
    gateway = await startGateway();
    const other = await createWorkspaceKey(gateway, 'subargs-other', ['admin']);
    const create = 'mutation { conversationCreate(input: { subject: "Hi", channel: EMAIL }) { conversation { id } } }';
    foreignConversationId = (await postGraphQL(gateway.graphqlUrl, create, {}, { secret: other.secret })).body.data!.conversationCreate.conversation.id;
    ownConversationId = (await postGraphQL(gateway.graphqlUrl, create, {}, { secret: gateway.adminSecret })).body.data!.conversationCreate.conversation.id;
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
    for (const client of sseClients.splice(0)) client.dispose();
  });
  afterAll(() => gateway.stop());

  const transports: Record<string, () => WsClient> = {
    'graphql-ws': () => {
      const connection = connectWsClient(gateway.url, gateway.adminSecret);
      sockets.push(connection);
      return connection.client;
    },
    SSE: () => {
      const client = createClient({ url: `${gateway.url}/graphql/stream`, headers: { authorization: `Bearer ${gateway.adminSecret}` }, retryAttempts: 0 });
      sseClients.push(client);
      return client as unknown as WsClient;
    },
  };
  const cases = () => [
    ['an unknown id', 'conv_00000000000000000000', 'NOT_FOUND'],
    ['another workspace’s id', foreignConversationId, 'NOT_FOUND'],
    ['a malformed id', 'not-a-conversation', 'BAD_USER_INPUT'],
    ['a customer’s id', 'cus_00000000000000000000', 'BAD_USER_INPUT'],
  ] as const;

  /** The first error of a subscription, whether it came as an error message or as a result with errors. */
  const firstErrorOf = async (client: WsClient, id: string) => {
    const subscription = collectSubscription(client, conversationEvents, { id });
    await subscription.waitFor(1);
    const failure = subscription.failure as any;
    return (Array.isArray(failure) ? failure[0] : failure?.errors?.[0]) ?? (subscription.results[0] as any)?.errors?.[0];
  };

  for (const [transport, connect] of Object.entries(transports)) {
    it.each([0, 1, 2, 3])(`SUBARGS-01 ${transport}: conversationEvents on case #%i fails at once`, async (index) => {
      const [, id, code] = cases()[index];
      const error = await firstErrorOf(connect(), id);
      expect(error?.extensions?.code).toBe(code);
    });

    it(`SUBARGS-02 ${transport}: conversationEvents on an own conversation stays open and delivers its events`, async () => {
      const subscription = collectSubscription(connect(), conversationEvents, { id: ownConversationId });
      const note = 'mutation($id: ID!) { conversationNoteCreate(input: { conversationId: $id, body: "live" }) { note { id } } }';
      for (let attempt = 0; subscription.results.length === 0 && attempt < 50; attempt++) {
        await postGraphQL(gateway.graphqlUrl, note, { id: ownConversationId }, { secret: gateway.adminSecret });
        await subscription.waitFor(1, 200).catch(() => undefined);
      }
      expect(subscription.failure).toBeUndefined();
      expect((subscription.results[0].data as any).conversationEvents.type).toBe('conversation.note_created');
    });
  }
});
