import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { subscribeResumable, type SubscribableClient } from '../../client';
import { freePort } from '../support/free-port';
import { postGraphQL } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const liveQuery = /* GraphQL */ `
  subscription Live($after: String) { events(types: ["conversation.created"], after: $after) { id sequence data } }
`;
const createMutation = /* GraphQL */ `
  mutation Create($subject: String!) { conversationCreate(input: { subject: $subject, channel: API }) { conversation { id } } }
`;


/**
 * The gateway the subscriber talks to is stopped and started again on the same port mid-stream,
 * while a second instance on the same database keeps writing events: the SDK's helper must
 * resume right after the last event it delivered, on either transport.
 */
describe('RESUME: the SDK’s subscriptions survive a gateway restart with nothing missing and nothing twice', () => {
  let database: TestDatabase;
  let writer: TestGateway;
  let secret: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    writer = await startGateway({ database });
    secret = writer.adminSecret;
  });
  afterAll(async () => {
    await writer.stop();
    await database.drop();
  });

  const create = async (subject: string) => {
    const response = await postGraphQL(writer.graphqlUrl, createMutation, { subject }, { secret });
    return response.body.data!.conversationCreate.conversation.id as string;
  };

  const transports: Record<string, (url: string) => { client: SubscribableClient; dispose: () => void }> = {
    'graphql-ws': (url) => {
      const client = createWsClient({
        url: `${url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${secret}` },
        retryAttempts: 50,
        retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
        shouldRetry: () => true,
      });
      return { client, dispose: () => void client.dispose() };
    },
    SSE: (url) => {
      const client = createSseClient({
        url: `${url}/graphql/stream`,
        headers: { authorization: `Bearer ${secret}` },
        retryAttempts: 50,
        retry: () => new Promise((resolve) => setTimeout(resolve, 100)),
      });
      return { client: client as unknown as SubscribableClient, dispose: () => client.dispose() };
    },
  };

  for (const [transport, connect] of Object.entries(transports)) {
    it(`RESUME-01 ${transport}: 10 events before a restart, 10 while down, 10 after: each delivered once, in order`, async () => {
      const port = await freePort();
      let reader = await startGateway({ database, env: { PORT: String(port) } });
      const { client, dispose } = connect(reader.url);
      const received: { id: string; sequence: number; subject: string }[] = [];
      const errors: unknown[] = [];
      const subscription = subscribeResumable<{ events: { id: string; sequence: number; data: { conversation: { subject: string } } } }>(client, {
        query: liveQuery,
        next: ({ events }) => received.push({ id: events.id, sequence: events.sequence, subject: events.data.conversation.subject }),
        error: (error) => errors.push(error),
      });
      try {
        // Live once a marker arrives; markers are not counted below.
        await pollUntil(async () => (await create(`${transport} marker`), received.length > 0), { timeoutMs: 10_000, intervalMs: 100, description: 'the stream to go live' });
        const counted = () => received.map((event) => event.subject).filter((subject) => !subject.endsWith('marker'));
        const subjects = Array.from({ length: 30 }, (_, index) => `${transport} ${index}`);

        for (const subject of subjects.slice(0, 10)) await create(subject);
        await pollUntil(async () => counted().length >= 10, { timeoutMs: 10_000, intervalMs: 20, description: 'the first 10 events' });
        await reader.stop();
        for (const subject of subjects.slice(10, 20)) await create(subject);
        reader = await startGateway({ database, env: { PORT: String(port) } });
        for (const subject of subjects.slice(20)) await create(subject);
        await pollUntil(async () => counted().length >= 30, { timeoutMs: 20_000, intervalMs: 50, description: 'all 30 events' });
        await new Promise((resolve) => setTimeout(resolve, 300));

        expect(errors).toEqual([]);
        expect(counted()).toEqual(subjects);
        expect(new Set(received.map((event) => event.id)).size).toBe(received.length);
        expect(received.map((event) => event.sequence)).toEqual([...received.map((event) => event.sequence)].sort((a, b) => a - b));
        expect(subscription.lastSequence).toBe(received.at(-1)!.sequence);
      } finally {
        subscription.unsubscribe();
        dispose();
        await reader.stop();
      }
    }, 60_000);
  }
});
