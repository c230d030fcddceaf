import { SecretBox } from '../../src/platform/secret-box';
import { createApiKey } from '../support/api-keys';
import { testPepper } from '../support/start-gateway';
import { pollUntil } from '../support/poll-until';
import { readMetric } from '../support/read-metric';
import { svixAccepts } from '../support/svix-verifier';
import { createConversationMutation, startWebhookHarness, type WebhookHarness } from '../support/webhook-harness';

const selection = '{ id type sequence conversation { id subject status customer { email } } }';
const updateEndpointMutation = /* GraphQL */ `
  mutation Update($input: WebhookEndpointUpdateInput!) { webhookEndpointUpdate(input: $input) { webhookEndpoint { id payloadQuery } } }
`;
const createEndpointMutation = /* GraphQL */ `
  mutation Create($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { webhookEndpoint { id } } }
`;
const endpointQuery = /* GraphQL */ `
  query Endpoint($id: ID!) { webhookEndpoint(id: $id) { method headers { name maskedValue } filter { inboxes channels } payloadQuery } }
`;
const fieldErrorsOf = (response: { body: { errors?: { extensions: Record<string, unknown> }[] } }) =>
  response.body.errors?.map((error) => ({ code: error.extensions.code, fieldErrors: error.extensions.fieldErrors })) ?? [];

describe('WHSEL: typed payload selections, filters, custom headers and methods', () => {
  let harness: WebhookHarness;
  const logLines: string[] = [];
  beforeAll(async () => {
    harness = await startWebhookHarness({}, logLines);
  });
  afterAll(() => harness.stop());

  const createConversation = async (input: Record<string, unknown>) =>
    (await harness.data(createConversationMutation, { input: { channel: 'API', ...input } })).conversationCreate.conversation as { id: string; customer: { id: string } | null };

  it('WHSEL-01 an endpoint with a payloadQuery receives exactly the selection’s result as its body, signed for Standard Webhooks and Svix alike', async () => {
    const { receiver, secret } = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'], payloadQuery: selection });
    const conversation = await createConversation({ subject: 'WHSEL-01', channel: 'EMAIL', customer: { email: 'whsel01@example.com' } });

    const [webhook] = await receiver.waitFor(1);

    const body = JSON.parse(webhook.body);
    expect(body).toEqual({
      id: expect.stringMatching(/^evt_/), type: 'conversation.created', sequence: expect.any(Number),
      conversation: { id: conversation.id, subject: 'WHSEL-01', status: 'OPEN', customer: { email: 'whsel01@example.com' } },
    });
    expect(webhook.headers['webhook-id']).toBe(body.id);
    expect(webhook.isSignatureValid).toBe(true);
    expect(await svixAccepts(webhook, [secret])).toEqual([true]);
  });

  it('WHSEL-02 a selection is checked at registration against the schema, its shape, the cost limit and the key’s scopes, with the path of the field', async () => {
    const expensive = `{ conversation { customer { conversations(first: 100) { nodes { messages(first: 100) { nodes { id } } } } } } }`;
    const refusals: [string, string, RegExp][] = [
      ['{ nope }', 'BAD_USER_INPUT', /Cannot query field "nope" on type "Event"/],
      ['query Q($id: ID) { id }', 'BAD_USER_INPUT', /takes no variables/],
      ['mutation { id }', 'BAD_USER_INPUT', /exactly one selection on Event/],
      ['{ id', 'BAD_USER_INPUT', /Syntax Error/],
      ['{ id __schema { types { name } } }', 'BAD_USER_INPUT', /introspection has been disabled/],
      [expensive, 'BAD_USER_INPUT', /cost/i],
    ];
    for (const [payloadQuery, code, message] of refusals) {
      const response = await harness.graphql(createEndpointMutation, { input: { url: 'https://receiver.invalid/hooks', payloadQuery } });
      expect(fieldErrorsOf(response)).toEqual([{ code, fieldErrors: [{ field: 'input.payloadQuery', message: expect.stringMatching(message) }] }]);
    }
    expect(await harness.rows(`select id from webhook_endpoints where url = 'https://receiver.invalid/hooks'`)).toEqual([]);

    // The selection reads customers: a key that may not cannot register it, nor re-point an endpoint that has it.
    const conversationsOnly = await createApiKey(harness.gateway.graphqlUrl, harness.gateway.adminSecret, { scopes: ['conversations:read', 'webhooks:read', 'webhooks:write'] });
    const input = { url: 'https://receiver.invalid/hooks', eventTypes: ['conversation.created'], payloadQuery: selection };
    const refused = await harness.graphql(createEndpointMutation, { input }, conversationsOnly.secret);
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['customers:read']] });
    const { id } = (await harness.data(createEndpointMutation, { input: { ...input, isEnabled: false } })).webhookEndpointCreate.webhookEndpoint;
    const repointed = await harness.graphql(updateEndpointMutation, { input: { id, url: 'https://elsewhere.invalid/hooks' } }, conversationsOnly.secret);
    const resent = await harness.graphql(`mutation R($id: ID!) { webhookEventResend(input: { endpointId: $id, eventId: "evt_any" }) { delivery { id } } }`, { id }, conversationsOnly.secret);
    const recovered = await harness.graphql(`mutation R($id: ID!, $since: DateTimeISO!) { webhookEndpointRecover(input: { endpointId: $id, since: $since }) { recovery { id } } }`, { id, since: new Date().toISOString() }, conversationsOnly.secret);
    for (const refusal of [repointed, resent, recovered]) expect(refusal.body.errors![0].extensions.code).toBe('FORBIDDEN');

    // An explicit null returns to the envelope; absent leaves the selection.
    expect((await harness.data(updateEndpointMutation, { input: { id, description: 'kept' } })).webhookEndpointUpdate.webhookEndpoint.payloadQuery).toBe(selection);
    expect((await harness.data(updateEndpointMutation, { input: { id, payloadQuery: null } })).webhookEndpointUpdate.webhookEndpoint.payloadQuery).toBeNull();
  });

  it('WHSEL-03 one event is rendered once per distinct selection, however many endpoints share it; a retry sends the first render’s bytes even after the data changed', async () => {
    const other = '{ id conversation { id } }';
    let updated: Promise<unknown> | undefined;
    let conversationId = '';
    // The first attempt fails, and the conversation is renamed before the retry.
    const flaky = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'], payloadQuery: selection }, (request) => {
      if (request > 1) return { status: 200 };
      updated = harness.data(`mutation U($id: ID!) { conversationUpdate(input: { id: $id, subject: "Renamed" }) { conversation { id } } }`, { id: conversationId });
      return { status: 500 };
    });
    const [first, second, third] = await Promise.all([
      harness.endpointWithReceiver({ eventTypes: ['conversation.created'], payloadQuery: selection }),
      harness.endpointWithReceiver({ eventTypes: ['conversation.created'], payloadQuery: selection }),
      harness.endpointWithReceiver({ eventTypes: ['conversation.created'], payloadQuery: other }),
    ]);
    const rendersBefore = await readMetric(harness.gateway.url, 'gateway_webhook_payload_renders_total');

    conversationId = (await createConversation({ subject: 'WHSEL-03' })).id;
    const [[a], [b], [c], flakyWebhooks] = await Promise.all([first.receiver.waitFor(1), second.receiver.waitFor(1), third.receiver.waitFor(1), flaky.receiver.waitFor(2)]);
    await updated;

    expect(a.body).toBe(b.body);
    expect(JSON.parse(a.body).conversation.subject).toBe('WHSEL-03');
    expect(JSON.parse(c.body)).toEqual({ id: JSON.parse(a.body).id, conversation: { id: conversationId } });
    expect(flakyWebhooks.map((webhook) => webhook.body)).toEqual([a.body, a.body]);
    expect((await readMetric(harness.gateway.url, 'gateway_webhook_payload_renders_total')) - rendersBefore).toBe(2);
    const [stored] = await harness.rows('select id, event_id, payload from webhook_deliveries where endpoint_id = $1', [flaky.id]);
    expect(stored.payload).toBe(a.body);

    // A resend sends the kept bytes, not a new render.
    await harness.rows(`update webhook_deliveries set payload = '{"kept":true}' where id = $1`, [stored.id]);
    await harness.data(`mutation R($endpointId: ID!, $eventId: ID!) { webhookEventResend(input: { endpointId: $endpointId, eventId: $eventId }) { delivery { id } } }`, { endpointId: flaky.id, eventId: stored.event_id });
    const [, , resent] = await flaky.receiver.waitFor(3);
    expect(resent.body).toBe('{"kept":true}');
    expect(resent.isSignatureValid).toBe(true);
  });

  it('WHSEL-04 an endpoint filter (the EventFilter of subscriptions) keeps only events about matching conversations, decided at fan-out', async () => {
    const billing = await harness.endpointWithReceiver({ eventTypes: ['conversation.created', 'message.created', 'customer.created'], filter: { inboxes: ['billing'] } });
    const email = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'], filter: { channels: ['EMAIL'] } });
    const billingChat = await createConversation({ subject: 'WHSEL-04 billing', inbox: 'billing', channel: 'WEB_CHAT' });
    await harness.data(`mutation M($id: ID!) { messageCreate(input: { conversationId: $id, body: "Invoice?" }) { message { id } } }`, { id: billingChat.id });
    const supportMail = await createConversation({ subject: 'WHSEL-04 support', inbox: 'support', channel: 'EMAIL' });
    await harness.data(`mutation M($id: ID!) { messageCreate(input: { conversationId: $id, body: "Hello" }) { message { id } } }`, { id: supportMail.id });
    // A customer's event has no inbox: an inbox condition cannot hold for it.
    await harness.data(`mutation C { customerUpsert(input: { email: "whsel04@example.com" }) { customer { id } } }`);
    await harness.fannedOut();

    const deliveredTo = async (endpointId: string) =>
      (await harness.rows(`select d.event_type, coalesce(ev.data #>> '{conversation,id}', ev.data #>> '{message,conversationId}') as conversation_id
        from webhook_deliveries d join events ev on ev.id = d.event_id where d.endpoint_id = $1 order by d.event_sequence`, [endpointId]));
    expect(await deliveredTo(billing.id)).toEqual([
      { event_type: 'conversation.created', conversation_id: billingChat.id },
      { event_type: 'message.created', conversation_id: billingChat.id },
    ]);
    expect(await deliveredTo(email.id)).toEqual([{ event_type: 'conversation.created', conversation_id: supportMail.id }]);
    expect((await harness.data(endpointQuery, { id: billing.id })).webhookEndpoint.filter).toEqual({ inboxes: ['billing'], channels: null });

    const refused = await harness.graphql(createEndpointMutation, { input: { url: 'https://receiver.invalid/hooks', filter: { types: ['conversation.created'], occurredAfter: new Date().toISOString() } } });
    expect(fieldErrorsOf(refused)).toEqual([{ code: 'BAD_USER_INPUT', fieldErrors: [
      { field: 'input.filter.types', message: expect.stringContaining('eventTypes') },
      { field: 'input.filter.occurredAfter', message: expect.stringContaining('no time range') },
    ] }]);
  });

  it('WHSEL-05 custom headers reach the receiver on a PUT; they are stored sealed, shown masked, kept out of the audit log and the logs, and cannot override the signature', async () => {
    const token = 'Bearer receiver-token-5f8d2c9a1b7e';
    const { receiver, id, secret } = await harness.endpointWithReceiver({
      eventTypes: ['conversation.created'], method: 'PUT', headers: [{ name: 'Authorization', value: token }, { name: 'X-Tenant', value: 'acme' }],
    });
    await createConversation({ subject: 'WHSEL-05' });

    const [webhook] = await receiver.waitFor(1);

    expect(webhook.method).toBe('PUT');
    expect(webhook.headers).toMatchObject({ authorization: token, 'x-tenant': 'acme', 'content-type': 'application/json' });
    expect(webhook.isSignatureValid).toBe(true);
    expect(await svixAccepts(webhook, [secret])).toEqual([true]);
    expect((await harness.data(endpointQuery, { id })).webhookEndpoint).toMatchObject({
      method: 'PUT', headers: [{ name: 'Authorization', maskedValue: '••••1b7e' }, { name: 'X-Tenant', maskedValue: '••••' }],
    });
    const stored = await harness.rows(`select row_to_json(e)::text as endpoint from webhook_endpoints e where id = $1`, [id]);
    const audit = await harness.rows(`select row_to_json(a)::text as entry from audit_entries a where target_id = $1`, [id]);
    expect(audit.length).toBeGreaterThan(0);
    for (const text of [stored[0].endpoint, ...audit.map((row) => row.entry), logLines.join('\n')]) expect(text).not.toContain('receiver-token');

    const refused = await harness.graphql(createEndpointMutation, {
      input: {
        url: 'https://receiver.invalid/hooks',
        headers: [{ name: 'webhook-signature', value: 'v1,forged' }, { name: 'X-Ok', value: 'a\r\nInjected: yes' }, { name: 'Bad Name', value: 'x' }, { name: 'Content-Type', value: 'text/plain' }],
      },
    });
    expect(fieldErrorsOf(refused)).toEqual([{ code: 'BAD_USER_INPUT', fieldErrors: [
      { field: 'input.headers.0.name', message: expect.stringContaining('cannot be overridden') },
      { field: 'input.headers.1.value', message: expect.stringContaining('line breaks') },
      { field: 'input.headers.2.name', message: expect.stringContaining('token characters') },
      { field: 'input.headers.3.name', message: expect.stringContaining('cannot be overridden') },
    ] }]);

    // Should a reserved header ever be stored, the gateway's own still win.
    const sealed = new SecretBox(testPepper, 'webhook-secrets').seal(JSON.stringify([{ name: 'webhook-signature', value: 'v1,forged' }, { name: 'content-type', value: 'text/plain' }]));
    await harness.rows(`update webhook_endpoints set headers_ciphertext = $2 where id = $1`, [id, sealed]);
    await createConversation({ subject: 'WHSEL-05 again' });
    const [, second] = await receiver.waitFor(2);
    expect(second.isSignatureValid).toBe(true);
    expect(second.headers['content-type']).toBe('application/json');
  });

  it('WHSEL-07 a selection runs with its endpoint’s own scopes: without them it fails as PAYLOAD_ERROR while a twin selection with them renders; the next attempt renders afresh', async () => {
    const query = '{ id conversation { id } }';
    const granted = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'], payloadQuery: query });
    const stripped = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'], payloadQuery: query, retrySchedule: [1] });
    await harness.rows(`update webhook_endpoints set payload_scopes = '{}' where id = $1`, [stripped.id]);
    const conversation = await createConversation({ subject: 'WHSEL-07' });
    const [rendered] = await granted.receiver.waitFor(1);
    await pollUntil(async () => (await harness.rows(`select 1 from webhook_attempts where endpoint_id = $1`, [stripped.id])).length > 0, { timeoutMs: 5_000, description: 'the first attempt' });
    await harness.rows(`update webhook_endpoints set payload_scopes = '{conversations:read}' where id = $1`, [stripped.id]);

    const [second] = await stripped.receiver.waitFor(1);

    expect(JSON.parse(rendered.body).conversation).toEqual({ id: conversation.id });
    expect(second.body).toBe(rendered.body);
    const attempts = await pollUntil(async () => {
      const rows = await harness.rows(`select outcome, error from webhook_attempts where endpoint_id = $1 order by attempt_number`, [stripped.id]);
      return rows.length === 2 && rows;
    }, { timeoutMs: 5_000, description: 'the second attempt to be recorded' });
    expect(attempts).toEqual([{ outcome: 'payload_error', error: expect.stringContaining('lacks a scope') }, { outcome: 'succeeded', error: null }]);
  });

  it('WHSEL-06 the selections a dispatcher pass renders together share their loaders: a backlog of 16 events reads its conversations in a statement or two, not 16', async () => {
    // The earlier tests' endpoints would render these events too: only this one may read conversations meanwhile.
    await harness.rows(`update webhook_endpoints set is_enabled = false`);
    const { receiver, id } = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'], payloadQuery: '{ id conversation { id subject } }', isEnabled: false });
    for (let index = 0; index < 16; index++) await createConversation({ subject: `WHSEL-06 ${index}` });
    const conversationReads: string[] = [];
    const countStatement = harness.gateway.app.orm.config.get('onQuery');
    harness.gateway.app.orm.config.set('onQuery', (sql: string, params: unknown[]) => {
      if (/from "?conversations"?/i.test(sql)) conversationReads.push(sql);
      return countStatement(sql, params);
    });
    try {
      await harness.data(`mutation E($id: ID!) { webhookEndpointUpdate(input: { id: $id, isEnabled: true }) { webhookEndpoint { id } } }`, { id });
      const webhooks = await receiver.waitFor(16);
      expect(new Set(webhooks.map((webhook) => JSON.parse(webhook.body).conversation.subject)).size).toBe(16);
    } finally {
      harness.gateway.app.orm.config.set('onQuery', countStatement);
    }
    // One pass claims up to 16 deliveries of an endpoint; a pass split by the fan-out may add one more read.
    expect(conversationReads.length).toBeGreaterThan(0);
    expect(conversationReads.length).toBeLessThanOrEqual(3);
  });
});
