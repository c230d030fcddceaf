import { collectSubscription, connectWsClient } from '../support/connect-ws-client';
import { postGraphQL } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const createMutation = (subject: string) => `mutation { conversationCreate(input: { subject: "${subject}", channel: API }) { conversation { id } } }`;

describe('SUB-RESTART: subscribers survive a PostgreSQL restart', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let gateway: TestGateway;
  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    gateway = await startGateway({ database, env: { DATABASE_URL: proxy.urlThrough(database.url) } });
  });
  afterAll(async () => {
    await gateway.stop();
    await proxy.close();
    await database.drop();
  });

  it('SUB-09 a connected subscriber keeps receiving once PostgreSQL is back', async () => {
    const connection = connectWsClient(gateway.url, gateway.adminSecret);
    const subscription = collectSubscription(connection.client, `subscription { events(types: ["conversation.created"]) { data } }`);
    try {
      for (let attempt = 0; subscription.results.length === 0 && attempt < 50; attempt++) {
        await postGraphQL(gateway.graphqlUrl, createMutation('before the restart'), {}, { secret: gateway.adminSecret });
        await subscription.waitFor(1, 200).catch(() => undefined);
      }
      const seenBefore = subscription.results.length;
      expect(seenBefore).toBeGreaterThan(0);

      await proxy.cut();
      const during = await postGraphQL(gateway.graphqlUrl, createMutation('during the outage'), {}, { secret: gateway.adminSecret });
      expect(during.status).toBe(503);
      await proxy.restore();

      await pollUntil(async () => (await postGraphQL(gateway.graphqlUrl, createMutation('after the restart'), {}, { secret: gateway.adminSecret })).status === 200, {
        timeoutMs: 15_000,
        description: 'a mutation to succeed again',
      });
      const results = await subscription.waitFor(seenBefore + 1, 15_000);
      const subjects = results.slice(seenBefore).map((result) => result.data!.events.data.conversation.subject);
      expect(subjects).toContain('after the restart');
      expect(subjects).not.toContain('during the outage');
      expect(subscription.isDone).toBe(false);
    } finally {
      await connection.dispose();
    }
  });
});
