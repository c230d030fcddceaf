import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { postGraphQL } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { registerWebhookEndpoint } from '../support/register-webhook-endpoint';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { isSignedWith, startWebhookReceiver, type ReceivedWebhook, type Reply } from '../support/start-webhook-receiver';
import { svixAccepts } from '../support/svix-verifier';

// Jitter takes at most 20 % off, so the retry comes at least 2.4 s after the first attempt:
// more than the 2 s freshness bound below, which a timestamp frozen at the event cannot meet.
const retryDelayMs = 3_000;
const freshnessBoundSeconds = 2;
const createMutation = /* GraphQL */ `mutation Create($subject: String!) { conversationCreate(input: { subject: $subject, channel: API }) { conversation { id } } }`;
const messageMutation = /* GraphQL */ `mutation Message($conversationId: ID!, $body: String!) { messageCreate(input: { conversationId: $conversationId, body: $body }) { message { id } } }`;
const updateMutation = /* GraphQL */ `mutation Update($id: ID!, $subject: String!) { conversationUpdate(input: { id: $id, subject: $subject }) { conversation { id } } }`;
const rotateMutation = /* GraphQL */ `mutation Rotate($id: ID!, $grace: Int) {
  webhookEndpointRotateSecret(input: { id: $id, previousSecretExpiresInSeconds: $grace }) { secret webhookEndpoint { previousSecretExpiresAt } } }`;

const timestampOf = (webhook: ReceivedWebhook) => Number(webhook.headers['webhook-timestamp']);
const signaturesOf = (webhook: ReceivedWebhook) => String(webhook.headers['webhook-signature']).split(' ');
const bodyOf = (webhook: ReceivedWebhook) => JSON.parse(webhook.body);

describe('HOOKPIN: per-attempt timestamps, event-type filters and the end of a rotation overlap', () => {
  let gateway: TestGateway;
  let database: Client;
  const receivers: { stop(): Promise<void> }[] = [];
  beforeAll(async () => {
    gateway = await startGateway({
      env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_SCHEDULE: `0ms,${retryDelayMs}ms`, WEBHOOK_POLL_INTERVAL: '50ms' },
    });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.stop()));
    await database.end();
    await gateway.stop();
  });

  const receiverFor = async (eventTypes: string[] | undefined, reply?: (request: number) => Reply) => {
    const receiver = await startWebhookReceiver(reply);
    receivers.push(receiver);
    const endpoint = await registerWebhookEndpoint(gateway.databaseUrl, receiver.url, { eventTypes });
    receiver.verifyWith(endpoint.secret);
    return { receiver, endpoint };
  };
  const mutate = async (query: string, variables: Record<string, unknown>) => {
    const response = await postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });
    expect(response.body.errors).toBeUndefined();
    return response.body.data!;
  };
  const createConversation = async (subject: string) => (await mutate(createMutation, { subject })).conversationCreate.conversation.id as string;
  const createMessage = async (conversationId: string, body: string) => (await mutate(messageMutation, { conversationId, body })).messageCreate.message.id as string;
  /** Resolves once every delivery of the endpoint has been answered, so nothing more is on its way. */
  const waitUntilSettled = (endpointId: string) =>
    pollUntil(
      async () => (await database.query(`select count(*)::int as unsettled from webhook_deliveries where endpoint_id = $1 and status <> 'succeeded'`, [endpointId])).rows[0].unsettled === 0,
      { timeoutMs: 10_000, intervalMs: 50, description: `the deliveries of ${endpointId} to settle` },
    );

  it('HOOKPIN-01 each attempt is signed at its own time: the retry carries a later, fresh webhook-timestamp, and Standard Webhooks and Svix accept both attempts', async () => {
    const { receiver, endpoint } = await receiverFor(['conversation.created'], (request) => (request === 1 ? { status: 500 } : { status: 204 }));
    await createConversation('HOOKPIN-01');
    const [first, retry] = await receiver.waitFor(2);
    expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(timestampOf(retry)).toBeGreaterThan(timestampOf(first));
    // A frozen timestamp would grow stale with every retry until receivers' 5-minute tolerance rejects it.
    for (const attempt of [first, retry]) {
      const secondsOld = attempt.receivedAt / 1000 - timestampOf(attempt);
      expect(secondsOld).toBeGreaterThanOrEqual(0);
      expect(secondsOld).toBeLessThan(freshnessBoundSeconds);
      expect(attempt.isSignatureValid).toBe(true);
      expect(await svixAccepts(attempt, [endpoint.secret])).toEqual([true]);
    }
  });

  it('HOOKPIN-02 an endpoint gets only the event types it registered for: conversation.created gets no message or update, message.created gets only messages', async () => {
    const { receiver: conversationsOnly, endpoint: conversationsEndpoint } = await receiverFor(['conversation.created']);
    const { receiver: messagesOnly, endpoint: messagesEndpoint } = await receiverFor(['message.created']);
    const conversationId = await createConversation('HOOKPIN-02');
    const messageId = await createMessage(conversationId, 'HOOKPIN-02 first message');
    await mutate(updateMutation, { id: conversationId, subject: 'HOOKPIN-02 renamed' });
    // Later events of each endpoint's own type: once they arrive, every earlier event has been fanned out to it.
    const markerConversationId = await createConversation('HOOKPIN-02 marker');
    const markerMessageId = await createMessage(markerConversationId, 'HOOKPIN-02 marker message');
    await conversationsOnly.waitFor(2);
    await messagesOnly.waitFor(2);
    await waitUntilSettled(conversationsEndpoint.id);
    await waitUntilSettled(messagesEndpoint.id);

    const conversationBodies = conversationsOnly.received.map(bodyOf);
    expect(conversationBodies.map((body) => body.type)).toEqual(['conversation.created', 'conversation.created']);
    expect(new Set(conversationBodies.map((body) => body.data.conversation.id))).toEqual(new Set([conversationId, markerConversationId]));
    const messageBodies = messagesOnly.received.map(bodyOf);
    expect(messageBodies.map((body) => body.type)).toEqual(['message.created', 'message.created']);
    expect(new Set(messageBodies.map((body) => body.data.message.id))).toEqual(new Set([messageId, markerMessageId]));
  });

  it('HOOKPIN-03 a rotated-out secret signs only until its overlap ends: then one signature, valid with the new secret and rejected with the old by Standard Webhooks and Svix', async () => {
    const { receiver, endpoint } = await receiverFor(['conversation.created']);
    const oldSecret = endpoint.secret;
    const rotated = (await mutate(rotateMutation, { id: endpoint.id, grace: 1 })).webhookEndpointRotateSecret;
    const newSecret = rotated.secret as string;
    const overlapEndsAt = new Date(rotated.webhookEndpoint.previousSecretExpiresAt).getTime();

    await createConversation('HOOKPIN-03 during the overlap');
    const [duringOverlap] = await receiver.waitFor(1);
    expect(signaturesOf(duringOverlap)).toEqual([expect.stringMatching(/^v1,/), expect.stringMatching(/^v1,/)]);
    expect([isSignedWith(duringOverlap, oldSecret), isSignedWith(duringOverlap, newSecret)]).toEqual([true, true]);
    expect(await svixAccepts(duringOverlap, [oldSecret, newSecret])).toEqual([true, true]);

    // The gateway decides by its own clock, the one this process shares: past the expiry, the old secret is out.
    await delay(Math.max(0, overlapEndsAt - Date.now()) + 500);
    await createConversation('HOOKPIN-03 after the overlap');
    const [, afterOverlap] = await receiver.waitFor(2);
    expect(signaturesOf(afterOverlap)).toEqual([expect.stringMatching(/^v1,/)]);
    expect([isSignedWith(afterOverlap, oldSecret), isSignedWith(afterOverlap, newSecret)]).toEqual([false, true]);
    expect(await svixAccepts(afterOverlap, [oldSecret, newSecret])).toEqual([false, true]);
  });
});
