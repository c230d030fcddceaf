import { Client } from 'pg';
import { postGraphQL } from './graphql-client';
import { startGateway, type TestGateway } from './start-gateway';
import { startWebhookReceiver, type Reply } from './start-webhook-receiver';

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

const createEndpointMutation = /* GraphQL */ `
  mutation Create($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { secret webhookEndpoint { id } } }
`;

/**
 * A gateway that delivers to local receivers quickly (short retry schedule and poll), a client on
 * its database, and endpoints registered through the API with receivers that verify signatures.
 */
export async function startWebhookHarness(env: Record<string, string> = {}, logLines?: string[]) {
  const gateway: TestGateway = await startGateway({
    env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_INTERVAL: '50ms', WEBHOOK_RETRY_SCHEDULE: '0ms,200ms,200ms', ...env },
    logLines,
  });
  const database = new Client({ connectionString: gateway.databaseUrl });
  await database.connect();
  const receivers: WebhookReceiver[] = [];

  const graphql = (query: string, variables: Record<string, unknown> = {}, secret = gateway.adminSecret) => postGraphQL(gateway.graphqlUrl, query, variables, { secret });
  /** Data of a call that must succeed. */
  const data = async (query: string, variables: Record<string, unknown> = {}, secret = gateway.adminSecret) => {
    const response = await graphql(query, variables, secret);
    if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
    return response.body.data!;
  };

  /** An endpoint registered through webhookEndpointCreate, pointing at a new receiver that verifies with its secret. */
  const endpointWithReceiver = async (input: Record<string, unknown>, reply?: (request: number) => Reply) => {
    const receiver = await startWebhookReceiver(reply);
    receivers.push(receiver);
    const { webhookEndpointCreate } = await data(createEndpointMutation, { input: { url: receiver.url, ...input } });
    receiver.verifyWith(webhookEndpointCreate.secret);
    return { receiver, id: webhookEndpointCreate.webhookEndpoint.id as string, secret: webhookEndpointCreate.secret as string };
  };

  const rows = async (sql: string, values: unknown[] = []) => (await database.query(sql, values)).rows;

  /** Until the fan-out has created every delivery of the events committed so far, for every endpoint. */
  const fannedOut = async () => {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 25))) {
      const [{ behind }] = await rows(`select count(*)::int as behind from webhook_endpoints e join workspaces w on w.id = e.workspace_id
        where e.is_enabled and e.deleted_at is null and e.enqueued_through_sequence < w.event_sequence`);
      if (behind === 0) return;
    }
    throw new Error('the fan-out did not catch up in 10 s');
  };

  return {
    gateway,
    database,
    graphql,
    data,
    rows,
    endpointWithReceiver,
    fannedOut,
    async stop() {
      await Promise.all(receivers.map((receiver) => receiver.stop()));
      await database.end();
      await gateway.stop();
    },
  };
}

export type WebhookHarness = Awaited<ReturnType<typeof startWebhookHarness>>;

export const createConversationMutation = /* GraphQL */ `
  mutation Create($input: ConversationCreateInput!) { conversationCreate(input: $input) { conversation { id customer { id } } } }
`;
