import { collectSubscription, connectWsClient } from '../support/connect-ws-client';
import { postGraphQL } from '../support/graphql-client';
import { registerWebhookEndpoint } from '../support/register-webhook-endpoint';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startWebhookReceiver } from '../support/start-webhook-receiver';

const webhookEnv = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_INTERVAL: '50ms' };

describe('MULTI: instances share only PostgreSQL', () => {
  let database: TestDatabase;
  let first: TestGateway;
  let second: TestGateway;
  beforeAll(async () => {
    database = await createTestDatabase();
    first = await startGateway({ database, env: webhookEnv });
    second = await startGateway({ database, env: webhookEnv });
  });
  afterAll(async () => {
    await first.stop();
    await second.stop();
    await database.drop();
  });

  it('MULTI-01 a mutation on one instance reaches a subscriber on the other', async () => {
    const connection = connectWsClient(second.url, first.adminSecret);
    const subscription = collectSubscription(connection.client, `subscription { events(types: ["conversation.created"]) { data } }`);
    try {
      for (let attempt = 0; subscription.results.length === 0 && attempt < 50; attempt++) {
        await postGraphQL(first.graphqlUrl, `mutation { conversationCreate(input: { subject: "from the first instance", channel: API }) { conversation { id } } }`, {}, { secret: first.adminSecret });
        await subscription.waitFor(1, 200).catch(() => undefined);
      }
      expect(subscription.results[0].data!.events.data.conversation.subject).toBe('from the first instance');
    } finally {
      await connection.dispose();
    }
  });

  it('MULTI-02 with two dispatchers running, each event is delivered once, not once per instance', async () => {
    const receiver = await startWebhookReceiver();
    const endpoint = await registerWebhookEndpoint(database.url, receiver.url, { eventTypes: ['conversation.created'] });
    receiver.verifyWith(endpoint.secret);
    const ids: string[] = [];
    for (let index = 0; index < 20; index++) {
      const target = index % 2 === 0 ? first : second;
      const response = await postGraphQL(target.graphqlUrl, `mutation { conversationCreate(input: { subject: "multi ${index}", channel: API }) { conversation { id } } }`, {}, { secret: first.adminSecret });
      ids.push(response.body.data!.conversationCreate.conversation.id);
    }
    await receiver.waitFor(20);
    // One more event, delivered after the others: once it is in, any duplicate of the 20 would be too.
    await postGraphQL(first.graphqlUrl, `mutation { conversationCreate(input: { subject: "multi last", channel: API }) { conversation { id } } }`, {}, { secret: first.adminSecret });
    const webhooks = await receiver.waitFor(21);
    const delivered = webhooks.map((webhook) => JSON.parse(webhook.body).data.conversation.id);
    expect(delivered.slice(0, 20).sort()).toEqual([...ids].sort());
    expect(new Set(delivered).size).toBe(delivered.length);
    await receiver.stop();
  });
});
