import { Client } from 'pg';
import { postGraphQL } from '../support/graphql-client';
import { buildChildEnvironment, findFreePort, spawnGatewayServer, type GatewayProcess } from '../support/gateway-process';
import { pollUntil } from '../support/poll-until';
import { registerWebhookEndpoint } from '../support/register-webhook-endpoint';
import { testPepper } from '../support/start-gateway';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startWebhookReceiver } from '../support/start-webhook-receiver';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const eventCount = 30;

describe('HOOK-CRASH: kill -9 with deliveries in flight loses nothing', () => {
  let database: TestDatabase;
  let gateway: GatewayProcess | undefined;
  afterAll(async () => {
    gateway?.child.kill('SIGKILL');
    await database?.drop();
  });

  it('HOOK-07 after a kill -9 and a restart, every committed event reaches the endpoint (duplicates allowed, losses not)', async () => {
    database = await createTestDatabase();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gateway-crash-'));
    const port = await findFreePort();
    const env = buildChildEnvironment({
      DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: String(port), API_KEY_PEPPER: testPepper, LOG_LEVEL: 'warn',
      WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_INTERVAL: '50ms',
      // Long enough that the hanging attempts are still in flight after the 30 mutations on a busy machine; the restarted
      // process retries them once their lease (2 × timeout + 5 s) has expired.
      WEBHOOK_TIMEOUT: '6s',
      WEBHOOK_RETRY_SCHEDULE: '0s,200ms,200ms,200ms,200ms,200ms',
    });
    const graphqlUrl = `http://127.0.0.1:${port}/graphql`;
    gateway = spawnGatewayServer(env);
    const [, secret] = await gateway.waitForStdout(/secret: (sgw_\S+)/);
    // The receiver stalls its first requests, so deliveries are in flight when the process dies.
    const receiver = await startWebhookReceiver((request) => (request <= 5 ? 'hang' : { status: 200 }));
    const endpoint = await registerWebhookEndpoint(database.url, receiver.url, { eventTypes: ['conversation.created'] });
    receiver.verifyWith(endpoint.secret);

    const committedIds: string[] = [];
    for (let index = 0; index < eventCount; index++) {
      const response = await postGraphQL(graphqlUrl, `mutation { conversationCreate(input: { subject: "crash ${index}", channel: API }) { conversation { id } } }`, {}, { secret });
      committedIds.push(response.body.data!.conversationCreate.conversation.id);
    }
    // Five attempts are now hanging in the receiver: kill the process mid-flight.
    await receiver.waitFor(5);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const inFlight = Number((await client.query(`select count(*) from webhook_deliveries where status = 'pending' and leased_until > now()`)).rows[0].count);
    await client.end();
    gateway.child.kill('SIGKILL');
    expect(inFlight).toBeGreaterThan(0);
    await gateway.exited;

    gateway = spawnGatewayServer(env);
    await pollUntil(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, { timeoutMs: 20_000, description: 'the restarted gateway' });
    const deliveredIds = await pollUntil(
      async () => {
        const ids = new Set(receiver.received.filter((webhook) => webhook.isSignatureValid && webhook.answeredStatus === 200).map((webhook) => JSON.parse(webhook.body).data.conversation.id));
        return committedIds.every((id) => ids.has(id)) ? ids : undefined;
      },
      { timeoutMs: 60_000, description: `all ${eventCount} committed events delivered` },
    );
    expect(committedIds.filter((id) => !deliveredIds.has(id))).toEqual([]);
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    gateway = undefined;
    await receiver.stop();
  }, 120_000);
});
