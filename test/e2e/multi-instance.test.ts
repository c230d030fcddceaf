import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { collectSubscription, connectWsClient } from '../support/connect-ws-client';
import { buildChildEnvironment, findFreePort, spawnGatewayServer, type GatewayProcess } from '../support/gateway-process';
import { postGraphQL } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { registerWebhookEndpoint } from '../support/register-webhook-endpoint';
import { testPepper } from '../support/start-gateway';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startWebhookReceiver } from '../support/start-webhook-receiver';

interface Instance {
  readonly process: GatewayProcess;
  readonly url: string;
  readonly graphqlUrl: string;
}

/** A `node dist/main.js serve` process of its own, on the shared database. */
async function startInstance(databaseUrl: string): Promise<Instance> {
  const port = await findFreePort();
  const env = buildChildEnvironment({
    DATABASE_URL: databaseUrl, DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'gateway-multi-')), PORT: String(port), API_KEY_PEPPER: testPepper,
    LOG_LEVEL: 'warn', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_INTERVAL: '50ms',
  });
  const url = `http://127.0.0.1:${port}`;
  const instance = { process: spawnGatewayServer(env), url, graphqlUrl: `${url}/graphql` };
  await pollUntil(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 20_000, description: `the gateway on port ${port}` });
  return instance;
}

describe('MULTI: two gateway processes share only PostgreSQL', () => {
  let database: TestDatabase;
  let first: Instance;
  let second: Instance;
  let adminSecret: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    first = await startInstance(database.url);
    [, adminSecret] = await first.process.waitForStdout(/secret: (sgw_\S+)/);
    second = await startInstance(database.url);
  });
  afterAll(async () => {
    for (const instance of [first, second]) {
      instance?.process.child.kill('SIGTERM');
      await instance?.process.exited;
    }
    await database.drop();
  });

  it('MULTI-01 a mutation on one instance reaches a subscriber on the other', async () => {
    const connection = connectWsClient(second.url, adminSecret);
    const subscription = collectSubscription(connection.client, `subscription { events(types: ["conversation.created"]) { data } }`);
    try {
      for (let attempt = 0; subscription.results.length === 0 && attempt < 50; attempt++) {
        await postGraphQL(first.graphqlUrl, `mutation { conversationCreate(input: { subject: "from the first instance", channel: API }) { conversation { id } } }`, {}, { secret: adminSecret });
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
      const response = await postGraphQL(target.graphqlUrl, `mutation { conversationCreate(input: { subject: "multi ${index}", channel: API }) { conversation { id } } }`, {}, { secret: adminSecret });
      ids.push(response.body.data!.conversationCreate.conversation.id);
    }
    await receiver.waitFor(20);
    // One more event, delivered after the others: once it is in, any duplicate of the 20 would be too.
    await postGraphQL(first.graphqlUrl, `mutation { conversationCreate(input: { subject: "multi last", channel: API }) { conversation { id } } }`, {}, { secret: adminSecret });
    const webhooks = await receiver.waitFor(21);
    const delivered = webhooks.map((webhook) => JSON.parse(webhook.body).data.conversation.id);
    expect(delivered.slice(0, 20).sort()).toEqual([...ids].sort());
    expect(new Set(delivered).size).toBe(delivered.length);
    await receiver.stop();
  });
});
