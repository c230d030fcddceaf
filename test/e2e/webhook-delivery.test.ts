import { Client } from 'pg';
import { maxInFlightPerEndpoint, maxInFlightPerFailingEndpoint } from '../../src/modules/webhooks/delivery/webhook-dispatcher';
import { postGraphQL } from '../support/graphql-client';
import { registerWebhookEndpoint } from '../support/register-webhook-endpoint';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { isSignedWith, startWebhookReceiver, type Reply } from '../support/start-webhook-receiver';

const compressedScheduleMs = [0, 150, 300, 600];
const compressedSchedule = compressedScheduleMs.map((delayMs) => `${delayMs}ms`).join(',');
const createMutation = /* GraphQL */ `mutation Create($subject: String!) { conversationCreate(input: { subject: $subject, channel: API }) { conversation { id } } }`;
const rotateMutation = /* GraphQL */ `mutation Rotate($id: ID!, $grace: Int) {
  webhookEndpointRotateSecret(input: { id: $id, previousSecretExpiresInSeconds: $grace }) { secret webhookEndpoint { previousSecretExpiresAt } } }`;
const batchUpdateMutation = /* GraphQL */ `mutation Batch($input: ConversationsBatchUpdateInput!) { conversationsBatchUpdate(input: $input) { appliedCount } }`;

describe('HOOK: signed webhook deliveries with retries, at least once', () => {
  let gateway: TestGateway;
  let database: Client;
  const receivers: { stop(): Promise<void> }[] = [];
  beforeAll(async () => {
    gateway = await startGateway({
      env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_SCHEDULE: compressedSchedule, WEBHOOK_TIMEOUT: '400ms', WEBHOOK_POLL_INTERVAL: '50ms' },
    });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.stop()));
    await database.end();
    await gateway.stop();
  });

  const receiverFor = async (reply?: (request: number) => Reply, eventTypes = ['conversation.created']) => {
    const receiver = await startWebhookReceiver(reply);
    receivers.push(receiver);
    const endpoint = await registerWebhookEndpoint(gateway.databaseUrl, receiver.url, { eventTypes });
    receiver.verifyWith(endpoint.secret);
    return { receiver, endpoint };
  };
  const createConversation = async (subject: string) =>
    (await postGraphQL(gateway.graphqlUrl, createMutation, { subject }, { secret: gateway.adminSecret })).body.data!.conversationCreate.conversation.id as string;
  const deliveryOf = async (endpointId: string) => (await database.query('select * from webhook_deliveries where endpoint_id = $1', [endpointId])).rows;
  const pollUntil = async <T>(read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs = 10_000): Promise<T> => {
    for (const deadline = Date.now() + timeoutMs; ; ) {
      const value = await read();
      if (isDone(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('HOOK-01 a committed event is POSTed with valid Standard Webhooks headers and the log’s envelope as body', async () => {
    const { receiver } = await receiverFor();
    const id = await createConversation('HOOK-01');
    const [webhook] = await receiver.waitFor(1);
    expect(webhook.isSignatureValid).toBe(true);
    const body = JSON.parse(webhook.body);
    expect(body).toMatchObject({ type: 'conversation.created', id: expect.stringMatching(/^evt_/), sequence: expect.any(Number), data: { conversation: { id } } });
    expect(webhook.headers['webhook-id']).toBe(body.id);
    const log = await postGraphQL(gateway.graphqlUrl, `{ events(first: 100) { nodes { id type occurredAt sequence data } } }`, {}, { secret: gateway.adminSecret });
    expect(log.body.data!.events.nodes.find((event: { id: string }) => event.id === body.id)).toEqual(body);
  });

  it('HOOK-02 a receiver failing three times gets it on attempt 4, same webhook-id, each retry no sooner than its scheduled delay, every attempt logged', async () => {
    const { receiver, endpoint } = await receiverFor((request) => (request <= 3 ? { status: 500, body: 'boom' } : { status: 204 }));
    await createConversation('HOOK-02');
    const webhooks = await receiver.waitFor(4);
    expect(new Set(webhooks.map((webhook) => webhook.headers['webhook-id'])).size).toBe(1);
    expect(webhooks.every((webhook) => webhook.isSignatureValid)).toBe(true);
    // A busy machine only lengthens gaps, so a lower bound cannot fail spuriously; the exact delays are nextStepAfter's unit tests.
    // Jitter takes at most 20 % off a delay, and 1 ms covers the millisecond rounding of next_attempt_at.
    const gaps = webhooks.slice(1).map((webhook, index) => webhook.receivedAt - webhooks[index].receivedAt);
    const earliestGaps = compressedScheduleMs.slice(1).map((delayMs) => delayMs * 0.8 - 1);
    gaps.forEach((gap, index) => expect(gap).toBeGreaterThanOrEqual(earliestGaps[index]));
    const [delivery] = await pollUntil(() => deliveryOf(endpoint.id), (rows) => rows[0]?.status === 'succeeded');
    expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 4, last_status_code: 204 });
    const attempts = (await database.query('select status_code, response_excerpt from webhook_attempts where delivery_id = $1 order by attempt_number', [delivery.id])).rows;
    expect(attempts).toEqual([
      { status_code: 500, response_excerpt: 'boom' },
      { status_code: 500, response_excerpt: 'boom' },
      { status_code: 500, response_excerpt: 'boom' },
      { status_code: 204, response_excerpt: '' },
    ]);
  });

  it('HOOK-27 rotation returns a new secret; the old one signs until previousSecretExpiresAt, sealed like the new one', async () => {
    const { receiver, endpoint } = await receiverFor();
    const rotate = (grace: number) => postGraphQL(gateway.graphqlUrl, rotateMutation, { id: endpoint.id, grace }, { secret: gateway.adminSecret });
    const sealedBefore = (await database.query('select secret_ciphertext from webhook_endpoints where id = $1', [endpoint.id])).rows[0].secret_ciphertext;
    const rotated = (await rotate(3600)).body.data!.webhookEndpointRotateSecret;
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(new Date(rotated.webhookEndpoint.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    const sealed = (await database.query('select secret_ciphertext, previous_secret_ciphertext from webhook_endpoints where id = $1', [endpoint.id])).rows[0];
    expect(sealed.previous_secret_ciphertext).toBe(sealedBefore);
    expect(JSON.stringify(sealed)).not.toContain(rotated.secret.slice('whsec_'.length));

    await createConversation('HOOK-27 during the overlap');
    const [duringOverlap] = await receiver.waitFor(1);
    expect([isSignedWith(duringOverlap, endpoint.secret), isSignedWith(duringOverlap, rotated.secret)]).toEqual([true, true]);
    expect(String(duringOverlap.headers['webhook-signature']).split(' ')).toHaveLength(2);

    // The overlap ends now: the clock is moved in the row, not waited for.
    await database.query(`update webhook_endpoints set previous_secret_expires_at = now() - interval '1 second' where id = $1`, [endpoint.id]);
    await createConversation('HOOK-27 after the overlap');
    const [, afterOverlap] = await receiver.waitFor(2);
    expect([isSignedWith(afterOverlap, endpoint.secret), isSignedWith(afterOverlap, rotated.secret)]).toEqual([false, true]);
    expect(String(afterOverlap.headers['webhook-signature']).split(' ')).toHaveLength(1);

    const outOfRange = await rotate(604_801);
    expect(outOfRange.body.errors![0].extensions.fieldErrors).toEqual([{ field: 'input.previousSecretExpiresInSeconds', message: expect.any(String) }]);
  });

  it('HOOK-03 a 410 Gone disables the endpoint: no further attempts, and webhook_endpoint.disabled is recorded', async () => {
    const { receiver, endpoint } = await receiverFor(() => ({ status: 410 }));
    await createConversation('HOOK-03 first');
    await receiver.waitFor(1);
    const disabled = await pollUntil(async () => (await database.query('select is_enabled, disabled_reason from webhook_endpoints where id = $1', [endpoint.id])).rows[0], (row) => !row.is_enabled);
    expect(disabled).toEqual({ is_enabled: false, disabled_reason: 'The endpoint answered 410 Gone' });
    const events = (await database.query(`select data from events where type = 'webhook_endpoint.disabled' and data->'webhookEndpoint'->>'id' = $1`, [endpoint.id])).rows;
    expect(events).toHaveLength(1);
    await createConversation('HOOK-03 second');
    const other = await receiverFor();
    await createConversation('HOOK-03 proof the dispatcher moved on');
    await other.receiver.waitFor(1);
    expect(receiver.received).toHaveLength(1);
  });

  it('HOOK-04 a receiver that hangs times the attempt out and it is retried', async () => {
    const { receiver, endpoint } = await receiverFor((request) => (request === 1 ? 'hang' : { status: 200 }));
    await createConversation('HOOK-04');
    await receiver.waitFor(2);
    const [delivery] = await pollUntil(() => deliveryOf(endpoint.id), (rows) => rows[0]?.status === 'succeeded');
    const attempts = (await database.query('select status_code, error from webhook_attempts where delivery_id = $1 order by attempt_number', [delivery.id])).rows;
    expect(attempts[0]).toMatchObject({ status_code: null, error: expect.stringMatching(/^timeout/) });
    expect(attempts[1]).toMatchObject({ status_code: 200 });
  });

  it(`HOOK-11 an endpoint never has more than ${maxInFlightPerEndpoint} deliveries in flight, and a hanging one does not hold up another endpoint`, async () => {
    const eventCount = maxInFlightPerEndpoint + 8;
    const ids = await Promise.all(Array.from({ length: eventCount }, (_, index) => createConversation(`HOOK-11 ${index}`)));
    const { receiver: hanging } = await receiverFor(() => 'hang', ['conversation.updated']);
    const { receiver: healthy } = await receiverFor(undefined, ['conversation.updated']);
    // One idempotent batch commits its events together, so one dispatcher pass finds them all due.
    const batch = await postGraphQL(gateway.graphqlUrl, batchUpdateMutation, { input: { idempotencyKey: 'HOOK-11', operations: ids.map((id) => ({ id, tagsAdd: ['hook-11'] })) } }, { secret: gateway.adminSecret });
    expect(batch.body.data!.conversationsBatchUpdate.appliedCount).toBe(eventCount);
    await healthy.waitFor(eventCount);
    await hanging.waitFor(maxInFlightPerEndpoint);
    expect(hanging.maxOpenRequests).toBe(maxInFlightPerEndpoint);
  });

  it(`HOOK-12 an endpoint failing since its last success gets at most ${maxInFlightPerFailingEndpoint} attempts at once`, async () => {
    const eventCount = maxInFlightPerEndpoint;
    const ids = await Promise.all(Array.from({ length: eventCount + 1 }, (_, index) => createConversation(`HOOK-12 ${index}`)));
    // The first request fails (so the endpoint is failing), every later one hangs (so attempts pile up).
    const { receiver } = await receiverFor((request) => (request === 1 ? { status: 500 } : 'hang'), ['conversation.updated']);
    const update = (input: Record<string, unknown>) => postGraphQL(gateway.graphqlUrl, batchUpdateMutation, { input }, { secret: gateway.adminSecret });
    await update({ operations: [{ id: ids[0], tagsAdd: ['hook-12'] }] });
    await receiver.waitFor(1);
    await update({ idempotencyKey: 'HOOK-12', operations: ids.slice(1).map((id) => ({ id, tagsAdd: ['hook-12'] })) });
    await receiver.waitFor(1 + maxInFlightPerFailingEndpoint);
    // Had the failing cap not applied, the next pass would have claimed up to the healthy one.
    await receiver.waitFor(1 + maxInFlightPerEndpoint, 1_000).catch(() => undefined);
    expect(receiver.maxOpenRequests).toBe(maxInFlightPerFailingEndpoint);
  });

  it('HOOK-05 a redirect is a failure and is not followed', async () => {
    const target = await startWebhookReceiver();
    receivers.push(target);
    const { receiver, endpoint } = await receiverFor((request) => (request === 1 ? { status: 302, headers: { location: target.url } } : { status: 200 }));
    await createConversation('HOOK-05');
    await receiver.waitFor(2);
    const [delivery] = await pollUntil(() => deliveryOf(endpoint.id), (rows) => rows[0]?.status === 'succeeded');
    const attempts = (await database.query('select status_code, error from webhook_attempts where delivery_id = $1 order by attempt_number', [delivery.id])).rows;
    expect(attempts[0]).toMatchObject({ status_code: 302 });
    expect(target.received).toHaveLength(0);
  });

  it('HOOK-06 a rolled-back mutation produces no event and no delivery', async () => {
    const { receiver, endpoint } = await receiverFor(undefined, ['conversation.created', 'customer.created']);
    const createRef = `mutation C($s: String!) { conversationCreate(input: { subject: $s, channel: API, customer: { email: "rollback@example.com" }, externalRefs: [{ system: "zd", externalId: "ROLLBACK-1" }] }) { conversation { id } } }`;
    await postGraphQL(gateway.graphqlUrl, createRef, { s: 'HOOK-06 first' }, { secret: gateway.adminSecret });
    await receiver.waitFor(2);
    const conflicting = await postGraphQL(gateway.graphqlUrl, createRef.replace('rollback@example.com', 'rollback2@example.com'), { s: 'HOOK-06 second' }, { secret: gateway.adminSecret });
    expect(conflicting.body.errors![0].extensions.code).toBe('CONFLICT');
    await createConversation('HOOK-06 marker');
    const webhooks = await receiver.waitFor(3);
    const subjects = webhooks.map((webhook) => JSON.parse(webhook.body).data.conversation?.subject ?? JSON.parse(webhook.body).data.customer?.email);
    expect(subjects).not.toContain('HOOK-06 second');
    expect(subjects).not.toContain('rollback2@example.com');
    expect((await database.query(`select count(*) from events where data->'customer'->>'email' = 'rollback2@example.com'`)).rows[0].count).toBe('0');
    expect((await deliveryOf(endpoint.id)).length).toBe(3);
  });

  it('HOOK-08 ordering promise: bodies carry the sequence, so a consumer restores commit order per conversation', async () => {
    const { receiver } = await receiverFor(undefined, ['conversation.created', 'message.created', 'conversation.resolved']);
    const id = await createConversation('HOOK-08');
    await postGraphQL(gateway.graphqlUrl, `mutation M($id: ID!) { messageCreate(input: { conversationId: $id, body: "first" }) { message { id } } }`, { id }, { secret: gateway.adminSecret });
    await postGraphQL(gateway.graphqlUrl, `mutation R($id: ID!) { conversationResolve(input: { id: $id }) { conversation { id } } }`, { id }, { secret: gateway.adminSecret });
    const bodies = (await receiver.waitFor(3)).map((webhook) => JSON.parse(webhook.body));
    const bySequence = [...bodies].sort((a, b) => a.sequence - b.sequence).map((body) => body.type);
    expect(bySequence).toEqual(['conversation.created', 'message.created', 'conversation.resolved']);
  });

  it('HOOK-09 a Retry-After longer than the schedule is honoured', async () => {
    const { receiver } = await receiverFor((request) => (request === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }));
    await createConversation('HOOK-09');
    const [first, second] = await receiver.waitFor(2);
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1_000);
  });
});

describe('HOOK: an endpoint failing without a success for WEBHOOK_DISABLE_AFTER is disabled', () => {
  it('HOOK-10 continuous failures past the window disable the endpoint and record webhook_endpoint.disabled', async () => {
    const gateway = await startGateway({
      env: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_SCHEDULE: '0ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms', WEBHOOK_POLL_INTERVAL: '50ms', WEBHOOK_DISABLE_AFTER: '250ms' },
    });
    const receiver = await startWebhookReceiver(() => ({ status: 500 }));
    const database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    try {
      const endpoint = await registerWebhookEndpoint(gateway.databaseUrl, receiver.url, { eventTypes: ['conversation.created'] });
      await postGraphQL(gateway.graphqlUrl, `mutation { conversationCreate(input: { subject: "HOOK-10", channel: API }) { conversation { id } } }`, {}, { secret: gateway.adminSecret });
      await receiver.waitFor(2);
      let row;
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
        row = (await database.query('select is_enabled, disabled_reason from webhook_endpoints where id = $1', [endpoint.id])).rows[0];
        if (!row.is_enabled) break;
      }
      expect(row).toMatchObject({ is_enabled: false, disabled_reason: expect.stringMatching(/^Failing without a success since/) });
      const attemptsAtDisable = receiver.received.length;
      await postGraphQL(gateway.graphqlUrl, `mutation { conversationCreate(input: { subject: "HOOK-10 after", channel: API }) { conversation { id } } }`, {}, { secret: gateway.adminSecret });
      const disabledEvents = (await database.query(`select count(*) from events where type = 'webhook_endpoint.disabled'`)).rows[0].count;
      expect(disabledEvents).toBe('1');
      expect(receiver.received.length).toBe(attemptsAtDisable);
    } finally {
      await database.end();
      await receiver.stop();
      await gateway.stop();
    }
  });
});
