import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { operationalEventSchemas, type OperationalEventType } from '../../src/modules/events/operational-event-schemas';
import { runWebhookRecovery } from '../../src/modules/webhooks/recovery/webhook-recovery.runner';
import { createApiKey } from '../support/api-keys';
import { pollUntil } from '../support/poll-until';
import { createConversationMutation, startWebhookHarness, type WebhookHarness } from '../support/webhook-harness';

const resendMutation = /* GraphQL */ `
  mutation Resend($input: WebhookEventResendInput!) { webhookEventResend(input: $input) { delivery { id eventId status } } }
`;
const recoverMutation = /* GraphQL */ `
  mutation Recover($input: WebhookEndpointRecoverInput!) { webhookEndpointRecover(input: $input) { recovery { id status } } }
`;
const nodeQuery = /* GraphQL */ `
  query Node($id: ID!) { node(id: $id) { __typename id ... on WebhookRecovery { status totalCount requeuedCount endpointId } } }
`;
const statsQuery = /* GraphQL */ `
  query Stats($id: ID!, $window: WebhookStatsWindow!) {
    webhookEndpoint(id: $id) { stats(window: $window) { attemptCount successCount failureCount successRate failuresByOutcome { outcome count } p50LatencyMs p95LatencyMs } }
  }
`;
const eventsOfType = async (harness: WebhookHarness, type: string) =>
  (await harness.rows(`select data from events where type = $1 order by sequence`, [type])).map((row) => row.data as Record<string, any>);

const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);

describe('WHREC: resend, recovery, operational events, per-endpoint limits, statistics and ids', () => {
  let harness: WebhookHarness;
  beforeAll(async () => {
    harness = await startWebhookHarness({ WEBHOOK_FAILING_AFTER: '300ms' });
  });
  afterAll(() => harness.stop());

  const createConversation = async (subject: string) =>
    (await harness.data(createConversationMutation, { input: { subject, channel: 'API' } })).conversationCreate.conversation.id as string;
  const eventIdOf = async (conversationId: string, type = 'conversation.created') =>
    (await harness.rows(`select id from events where type = $1 and data #>> '{conversation,id}' = $2`, [type, conversationId]))[0].id as string;

  it('WHREC-01 webhookEventResend sends a delivered event again with the same webhook-id and body; with its idempotency key a retry resends nothing more; it is audited', async () => {
    const { receiver, id } = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'] });
    const eventId = await eventIdOf(await createConversation('WHREC-01'));
    const [first] = await receiver.waitFor(1);
    await pollUntil(async () => (await harness.rows(`select status from webhook_deliveries where endpoint_id = $1`, [id]))[0]?.status === 'succeeded', { timeoutMs: 5_000, description: 'the first delivery to succeed' });

    const input = { endpointId: id, eventId, idempotencyKey: 'whrec-01-resend' };
    const resent = await harness.data(resendMutation, { input });
    const [, second] = await receiver.waitFor(2);
    const replay = await harness.graphql(resendMutation, { input });

    expect(resent.webhookEventResend.delivery).toMatchObject({ eventId, status: 'PENDING' });
    expect(second.headers['webhook-id']).toBe(eventId);
    expect(second.body).toBe(first.body);
    expect(second.isSignatureValid).toBe(true);
    expect(replay.body.extensions).toMatchObject({ idempotency: { replayed: true } });
    await pollUntil(async () => (await harness.rows(`select status from webhook_deliveries where endpoint_id = $1`, [id]))[0].status === 'succeeded', { timeoutMs: 5_000, description: 'the resend to succeed' });
    const [{ attempt_count: attempts }] = await harness.rows(`select attempt_count from webhook_deliveries where endpoint_id = $1`, [id]);
    expect(attempts).toBe(2);
    expect(receiver.received).toHaveLength(2);
    expect(await harness.rows(`select action, changes from audit_entries where target_id = $1 and action = 'webhook_event.resent'`, [id])).toEqual([
      { action: 'webhook_event.resent', changes: { eventId, deliveryId: resent.webhookEventResend.delivery.id } },
    ]);
  });

  it('WHREC-02 a resend is refused for events the endpoint does not receive, and another workspace’s event is NOT_FOUND', async () => {
    const { id } = await harness.endpointWithReceiver({ eventTypes: ['message.created'] });
    const ownEvent = await eventIdOf(await createConversation('WHREC-02'));
    await harness.rows(`insert into workspaces (id, slug, name) values (gen_random_uuid(), 'whrec-other', 'Other') on conflict do nothing`);
    const [{ id: foreignEvent }] = await harness.rows(`insert into events (id, workspace_id, sequence, type, occurred_at, data)
      select 'evt_whrec02foreign000000', id, 1, 'message.created', now(), '{}' from workspaces where slug = 'whrec-other' returning id`);

    const unsubscribed = await harness.graphql(resendMutation, { input: { endpointId: id, eventId: ownEvent } });
    const foreign = await harness.graphql(resendMutation, { input: { endpointId: id, eventId: foreignEvent } });

    expect(unsubscribed.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.eventId', message: expect.stringContaining('conversation.created') }] });
    expect(foreign.body.errors![0].extensions.code).toBe('NOT_FOUND');
    await harness.data(`mutation E($id: ID!) { webhookEndpointUpdate(input: { id: $id, isEnabled: false }) { webhookEndpoint { id } } }`, { id });
    const messageEvent = (await harness.rows(`select id from events where type = 'message.created' and workspace_id = (select workspace_id from webhook_endpoints where id = $1) limit 1`, [id]))[0];
    const [resendDisabled, recoverDisabled] = [
      await harness.graphql(resendMutation, { input: { endpointId: id, eventId: messageEvent?.id ?? ownEvent } }),
      await harness.graphql(recoverMutation, { input: { endpointId: id, since: new Date(Date.now() - 60_000).toISOString() } }),
    ];
    for (const refused of [resendDisabled, recoverDisabled]) {
      expect(refused.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.endpointId', message: expect.stringContaining('disabled') }] });
    }
    expect(await harness.rows(`select id from webhook_deliveries where endpoint_id = $1`, [id])).toEqual([]);
    expect(await harness.rows(`select id from webhook_recoveries where endpoint_id = $1`, [id])).toEqual([]);
  });

  it('WHREC-03 webhookEndpointRecover requeues every FAILED delivery since a time in a background job that reports its progress; the operational events say what happened, each matching its JSON Schema', async () => {
    let isHealthy = false;
    const failing = await harness.endpointWithReceiver({}, () => (isHealthy ? { status: 200 } : { status: 503 }));
    const operations = await harness.endpointWithReceiver({ eventTypes: ['webhook_delivery.exhausted', 'webhook_endpoint.failing', 'webhook_endpoint.recovered'] });
    const since = new Date(Date.now() - 1_000).toISOString();
    const conversations = [await createConversation('WHREC-03 a'), await createConversation('WHREC-03 b'), await createConversation('WHREC-03 c')];
    const statusesOf = async () => (await harness.rows(`select status from webhook_deliveries where endpoint_id = $1 and event_type = 'conversation.created'`, [failing.id])).map((row) => row.status);
    await pollUntil(async () => { const statuses = await statusesOf(); return statuses.length === 3 && statuses.every((status) => status === 'failed'); }, { timeoutMs: 10_000, description: 'three exhausted deliveries' });

    // WHOPS-01: each delivery whose schedule ran out is announced once; the failing run once.
    const exhausted = await eventsOfType(harness, 'webhook_delivery.exhausted');
    const eventIds: string[] = [];
    for (const id of conversations) eventIds.push(await eventIdOf(id));
    expect(exhausted.map((data) => data.delivery.eventId).sort()).toEqual(eventIds.sort());
    expect(exhausted.every((data) => data.webhookEndpoint.id === failing.id && data.delivery.attemptCount === 3 && data.delivery.lastStatusCode === 503)).toBe(true);
    await pollUntil(async () => (await eventsOfType(harness, 'webhook_endpoint.failing')).length > 0, { timeoutMs: 5_000, description: 'webhook_endpoint.failing' });

    isHealthy = true;
    const input = { endpointId: failing.id, since, idempotencyKey: 'whrec-03-recover' };
    const { recovery } = (await harness.data(recoverMutation, { input })).webhookEndpointRecover;
    const replayed = (await harness.data(recoverMutation, { input })).webhookEndpointRecover.recovery;
    const done = await pollUntil(async () => {
      const node = (await harness.data(nodeQuery, { id: recovery.id })).node;
      return node.status === 'COMPLETED' && node;
    }, { timeoutMs: 15_000, description: 'the recovery to complete' });
    await pollUntil(async () => (await statusesOf()).every((status) => status === 'succeeded'), { timeoutMs: 10_000, description: 'the recovered deliveries to succeed' });

    expect(replayed.id).toBe(recovery.id);
    expect(recovery.id).toMatch(/^wrec_[a-z0-9]{20}$/);
    expect(done).toMatchObject({ __typename: 'WebhookRecovery', endpointId: failing.id, totalCount: 3, requeuedCount: 3 });
    expect((await harness.rows(`select count(*)::int as count from audit_entries where target_id = $1 and action = 'webhook_endpoint.recovery_started'`, [failing.id]))[0].count).toBe(1);

    // WHOPS-02: one failing, then one recovered, and the operations endpoint got them; the failing endpoint never got news of itself.
    await pollUntil(async () => (await eventsOfType(harness, 'webhook_endpoint.recovered')).length > 0, { timeoutMs: 5_000, description: 'webhook_endpoint.recovered' });
    const [failingEvents, recoveredEvents] = [await eventsOfType(harness, 'webhook_endpoint.failing'), await eventsOfType(harness, 'webhook_endpoint.recovered')];
    expect([failingEvents.length, recoveredEvents.length]).toEqual([1, 1]);
    expect(recoveredEvents[0].webhookEndpoint).toMatchObject({ id: failing.id, failingSince: failingEvents[0].webhookEndpoint.failingSince });
    const toOperations = await operations.receiver.waitFor(5);
    expect(toOperations.map((webhook) => JSON.parse(webhook.body).type).sort()).toEqual([
      'webhook_delivery.exhausted', 'webhook_delivery.exhausted', 'webhook_delivery.exhausted', 'webhook_endpoint.failing', 'webhook_endpoint.recovered',
    ]);
    expect(await harness.rows(`select event_type from webhook_deliveries where endpoint_id = $1 and event_type like 'webhook%'`, [failing.id])).toEqual([]);
    for (const type of Object.keys(operationalEventSchemas) as OperationalEventType[]) {
      const validate = ajv.compile(operationalEventSchemas[type].schema);
      expect(validate(operationalEventSchemas[type].example)).toBe(true);
      for (const data of await eventsOfType(harness, type)) expect({ type, valid: validate(data), errors: validate.errors ?? null }).toEqual({ type, valid: true, errors: null });
    }
  });

  it('WHREC-04 a recovery leaves other endpoints’ failures, and failures outside its range, alone', async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const [first, second] = await Promise.all([
      harness.endpointWithReceiver({ eventTypes: ['conversation.created'] }, () => ({ status: 500 })),
      harness.endpointWithReceiver({ eventTypes: ['conversation.created'] }, () => ({ status: 500 })),
    ]);
    await createConversation('WHREC-04');
    const failedOf = async (id: string) => (await harness.rows(`select count(*)::int as count from webhook_deliveries where endpoint_id = $1 and status = 'failed'`, [id]))[0].count;
    await pollUntil(async () => (await failedOf(first.id)) === 1 && (await failedOf(second.id)) === 1, { timeoutMs: 10_000, description: 'both deliveries to fail' });
    // Another workspace's failed delivery naming this endpoint (the keys are separate columns) is not this recovery's.
    await harness.rows(`insert into workspaces (id, slug, name) values (gen_random_uuid(), 'whrec-foreign', 'Other') on conflict do nothing`);
    const [{ id: foreignDelivery }] = await harness.rows(`with event as (
        insert into events (id, workspace_id, sequence, type, occurred_at, data) select 'evt_whrec04foreign00000', id, 1, 'conversation.created', now(), '{}' from workspaces where slug = 'whrec-foreign' returning id, workspace_id)
      insert into webhook_deliveries (id, workspace_id, endpoint_id, event_id, event_sequence, event_type, status, attempt_count, updated_at)
      select new_public_id('del'), workspace_id, $1, id, 1, 'conversation.created', 'failed', 3, now() - interval '1 second' from event returning id`, [first.id]);

    const { recovery } = (await harness.data(recoverMutation, { input: { endpointId: first.id, since } })).webhookEndpointRecover;
    const done = await pollUntil(async () => { const node = (await harness.data(nodeQuery, { id: recovery.id })).node; return node.status === 'COMPLETED' && node; }, { timeoutMs: 15_000, description: 'the recovery' });

    expect(done).toMatchObject({ totalCount: 1, requeuedCount: 1 });
    expect(await failedOf(second.id)).toBe(1);
    expect((await harness.rows(`select status from webhook_deliveries where id = $1`, [foreignDelivery]))[0].status).toBe('failed');
    await pollUntil(async () => (await failedOf(first.id)) === 2, { timeoutMs: 10_000, description: 'the requeued delivery to fail again' });
    // A rerun after a crash: what failed again since the recovery was asked for is not requeued twice.
    await harness.rows(`update webhook_recoveries set status = 'RUNNING' where id = $1`, [recovery.id]);
    await runWebhookRecovery(harness.gateway.app.orm, recovery.id);
    expect((await harness.data(nodeQuery, { id: recovery.id })).node).toMatchObject({ status: 'COMPLETED', totalCount: 1, requeuedCount: 1 });
    expect(await failedOf(first.id)).toBe(2);
    const again = (await harness.data(recoverMutation, { input: { endpointId: first.id, since: new Date(Date.now() - 60_000).toISOString(), until: new Date(Date.now() - 30_000).toISOString() } })).webhookEndpointRecover.recovery;
    const empty = await pollUntil(async () => { const node = (await harness.data(nodeQuery, { id: again.id })).node; return node.status === 'COMPLETED' && node; }, { timeoutMs: 15_000, description: 'the empty recovery' });
    expect(empty).toMatchObject({ totalCount: 0, requeuedCount: 0 });
    const listed = (await harness.data(`query R($id: ID!) { webhookEndpoint(id: $id) { recoveries { id } } }`, { id: first.id })).webhookEndpoint.recoveries;
    expect(listed).toEqual([{ id: again.id }, { id: recovery.id }]);
  });

  it('WHREC-05 an endpoint’s rate limit spaces the deliveries it starts, across the pass loop: never more than its limit within a second', async () => {
    const { receiver, id } = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'], rateLimitPerSecond: 2 });
    // Another endpoint's claims, dated an hour ahead, must not count against this one's limit: counted, they would hold it back for an hour.
    const other = await harness.endpointWithReceiver({ eventTypes: ['message.created'] });
    await harness.rows(`insert into webhook_deliveries (id, workspace_id, endpoint_id, event_id, event_sequence, event_type, status, claimed_at)
      select new_public_id('del'), workspace_id, $1, id, sequence, type, 'succeeded', now() + interval '1 hour' from events
      where workspace_id = (select workspace_id from webhook_endpoints where id = $1) order by sequence limit 3`, [other.id]);
    for (let index = 0; index < 5; index++) await createConversation(`WHREC-05 ${index}`);
    await receiver.waitFor(5, 10_000);
    const claims = (await harness.rows(`select claimed_at from webhook_deliveries where endpoint_id = $1 order by claimed_at`, [id])).map((row) => new Date(row.claimed_at).getTime());
    expect(claims).toHaveLength(5);
    // Claims read the database clock and count the endpoint's claims of the last second: a third comes a full second after the first.
    for (let index = 2; index < claims.length; index++) expect(claims[index] - claims[index - 2]).toBeGreaterThanOrEqual(999);
  });

  it('WHREC-06 an endpoint’s retry schedule overrides the instance’s: its attempts, its delays; bad limits and schedules are refused with their paths', async () => {
    const { id } = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'], retrySchedule: [1] }, () => ({ status: 500 }));
    await createConversation('WHREC-06');
    await pollUntil(async () => (await harness.rows(`select status from webhook_deliveries where endpoint_id = $1`, [id]))[0]?.status === 'failed', { timeoutMs: 10_000, description: 'the delivery to fail' });
    const attempts = (await harness.rows(`select a.started_at from webhook_attempts a where a.endpoint_id = $1 order by a.attempt_number`, [id])).map((row) => new Date(row.started_at).getTime());
    expect(attempts).toHaveLength(2);
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(800);
    const exhausted = (await eventsOfType(harness, 'webhook_delivery.exhausted')).filter((data) => data.webhookEndpoint.id === id);
    expect(exhausted.map((data) => data.delivery.attemptCount)).toEqual([2]);
    expect((await harness.data(`query E($id: ID!) { webhookEndpoint(id: $id) { retrySchedule rateLimitPerSecond } }`, { id })).webhookEndpoint).toEqual({ retrySchedule: [1], rateLimitPerSecond: null });

    const refused = await harness.graphql(`mutation C($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { webhookEndpoint { id } } }`, {
      input: { url: 'https://receiver.invalid/hooks', rateLimitPerSecond: 0, retrySchedule: [5, 0, 86_401] },
    });
    expect(refused.body.errors![0].extensions.fieldErrors).toEqual([
      { field: 'input.retrySchedule.1', message: expect.any(String) },
      { field: 'input.retrySchedule.2', message: expect.any(String) },
      { field: 'input.rateLimitPerSecond', message: expect.any(String) },
    ]);
    const at = new Date(Date.now() - 60_000).toISOString();
    const emptyRange = await harness.graphql(recoverMutation, { input: { endpointId: id, since: at, until: at } });
    const future = await harness.graphql(recoverMutation, { input: { endpointId: id, since: new Date(Date.now() + 3_600_000).toISOString() } });
    expect(emptyRange.body.errors![0].extensions.fieldErrors).toEqual([{ field: 'input.until', message: 'Must be later than since' }]);
    expect(future.body.errors![0].extensions.fieldErrors).toEqual([{ field: 'input.since', message: 'Must not be in the future' }]);
  });

  it('WHREC-07 WebhookEndpoint.stats counts the window’s attempts by outcome with latency percentiles, and only the workspace’s own', async () => {
    const { id } = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'] }, (request) => (request === 1 ? { status: 500 } : { status: 200 }));
    await createConversation('WHREC-07');
    await pollUntil(async () => (await harness.rows(`select status from webhook_deliveries where endpoint_id = $1`, [id]))[0]?.status === 'succeeded', { timeoutMs: 5_000, description: 'the delivery' });
    // Another workspace's attempt naming this endpoint must not count: its workspace differs.
    await harness.rows(`insert into workspaces (id, slug, name) values (gen_random_uuid(), 'whrec-stats', 'Other') on conflict do nothing`);
    await harness.rows(`insert into webhook_attempts (id, workspace_id, delivery_id, endpoint_id, attempt_number, started_at, duration_ms, status_code, outcome)
      select new_public_id('att'), w.id, d.id, d.endpoint_id, 9, now(), 99999, 404, 'client_error' from webhook_deliveries d, workspaces w where d.endpoint_id = $1 and w.slug = 'whrec-stats'`, [id]);
    const durations = (await harness.rows(`select duration_ms from webhook_attempts where endpoint_id = $1 and outcome <> 'client_error' order by duration_ms`, [id])).map((row) => row.duration_ms);

    await harness.rows(`insert into webhook_recoveries (id, workspace_id, endpoint_id, since, status, created_by)
      select new_public_id('wrec'), w.id, $1, now(), 'COMPLETED', 'key_other' from workspaces w where w.slug = 'whrec-stats'`, [id]);
    const { stats, recoveries } = (await harness.data(`query S($id: ID!) { webhookEndpoint(id: $id) { recoveries { id } stats(window: HOUR) {
      attemptCount successCount failureCount successRate failuresByOutcome { outcome count } p50LatencyMs p95LatencyMs } } }`, { id })).webhookEndpoint;
    const fresh = (await harness.endpointWithReceiver({ eventTypes: ['message.created'] })).id;
    const { stats: empty } = (await harness.data(statsQuery, { id: fresh, window: 'WEEK' })).webhookEndpoint;

    expect(stats).toEqual({
      attemptCount: 2, successCount: 1, failureCount: 1, successRate: 0.5, failuresByOutcome: [{ outcome: 'SERVER_ERROR', count: 1 }],
      p50LatencyMs: durations[0], p95LatencyMs: durations[1],
    });
    expect(empty).toEqual({ attemptCount: 0, successCount: 0, failureCount: 0, successRate: null, failuresByOutcome: [], p50LatencyMs: null, p95LatencyMs: null });
    expect(recoveries).toEqual([]);
    // One failure, shorter than WEBHOOK_FAILING_AFTER, then a success: neither failing nor recovered is announced.
    const announced = await harness.rows(`select type from events where type in ('webhook_endpoint.failing', 'webhook_endpoint.recovered') and data #>> '{webhookEndpoint,id}' = $1`, [id]);
    expect(announced).toEqual([]);
  });

  it('WHREC-08 /metrics counts every attempt by outcome, with no per-endpoint label', async () => {
    const read = async () => {
      const text = await (await fetch(`${harness.gateway.url}/metrics`)).text();
      const samples = text.split('\n').filter((line) => line.startsWith('gateway_webhook_attempts_total{'));
      const counted = samples.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
      const [{ count: recorded }] = await harness.rows(`select count(*)::int as count from webhook_attempts a join workspaces w on w.id = a.workspace_id where w.slug = 'default'`);
      return { text, samples, counted, recorded };
    };
    // An attempt is counted as it ends and recorded just after: the two agree once nothing is in flight.
    const { text, samples } = await pollUntil(async () => { const figures = await read(); return figures.counted === figures.recorded && figures; }, { timeoutMs: 5_000, description: 'metrics to match the attempts recorded' });

    expect(samples.some((line) => line.startsWith('gateway_webhook_attempts_total{outcome="server_error"}'))).toBe(true);
    const labels = new Set(text.split('\n').filter((line) => line.startsWith('gateway_webhook_')).flatMap((line) => [...line.matchAll(/(\w+)="/g)].map((match) => match[1])));
    expect([...labels].sort()).toEqual(['le', 'outcome', 'status']);
  });

  it('WHREC-09 deliveries and attempts share one id format, and node(id) resolves endpoints, deliveries, attempts and recoveries', async () => {
    const [delivery] = await harness.rows(`select d.id, d.endpoint_id, (select a.id from webhook_attempts a where a.delivery_id = d.id limit 1) as attempt_id
      from webhook_deliveries d join workspaces w on w.id = d.workspace_id where w.slug = 'default' and exists (select 1 from webhook_attempts a where a.delivery_id = d.id) limit 1`);
    const [recovery] = await harness.rows(`select id from webhook_recoveries limit 1`);
    expect(delivery.id).toMatch(/^del_[a-z0-9]{20}$/);
    expect(delivery.attempt_id).toMatch(/^att_[a-z0-9]{20}$/);
    const [{ malformed }] = await harness.rows(`select count(*)::int as malformed from (select id from webhook_deliveries union all select id from webhook_attempts) ids where id !~ '^(del|att)_[a-z0-9]{20}$'`);
    expect(malformed).toBe(0);

    const typenames = [];
    for (const id of [delivery.endpoint_id, delivery.id, delivery.attempt_id, recovery.id]) typenames.push((await harness.data(`query N($id: ID!) { node(id: $id) { __typename id } }`, { id })).node);
    expect(typenames).toEqual([
      { __typename: 'WebhookEndpoint', id: delivery.endpoint_id },
      { __typename: 'WebhookDelivery', id: delivery.id },
      { __typename: 'WebhookAttempt', id: delivery.attempt_id },
      { __typename: 'WebhookRecovery', id: recovery.id },
    ]);
    const reader = await createApiKey(harness.gateway.graphqlUrl, harness.gateway.adminSecret, { scopes: ['conversations:read'] });
    const refused = await harness.graphql(`query N($id: ID!) { node(id: $id) { id } }`, { id: delivery.id }, reader.secret);
    expect(refused.body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['webhooks:read']] });

    // A deleted endpoint's log goes with it, as from its deliveries connection.
    await harness.data(`mutation D($id: ID!) { webhookEndpointDelete(input: { id: $id }) { deletedWebhookEndpointId } }`, { id: delivery.endpoint_id });
    for (const id of [delivery.endpoint_id, delivery.id, delivery.attempt_id]) {
      expect((await harness.graphql(`query N($id: ID!) { node(id: $id) { id } }`, { id })).body.errors![0].extensions.code).toBe('NOT_FOUND');
    }
  });

  it('WHREC-10 a recovery whose endpoint was deleted meanwhile requeues nothing: no delivery is left pending where nothing will claim it', async () => {
    const { id } = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'] }, () => ({ status: 500 }));
    await createConversation('WHREC-10');
    await pollUntil(async () => (await harness.rows(`select status from webhook_deliveries where endpoint_id = $1`, [id]))[0]?.status === 'failed', { timeoutMs: 10_000, description: 'the delivery to fail' });
    const [{ id: recoveryId }] = await harness.rows(`insert into webhook_recoveries (id, workspace_id, endpoint_id, since, status, created_by)
      select new_public_id('wrec'), workspace_id, id, now() - interval '1 hour', 'QUEUED', 'key_test' from webhook_endpoints where id = $1 returning id`, [id]);
    await harness.data(`mutation D($id: ID!) { webhookEndpointDelete(input: { id: $id }) { deletedWebhookEndpointId } }`, { id });

    await runWebhookRecovery(harness.gateway.app.orm, recoveryId);

    expect(await harness.rows(`select status, requeued_count, total_count from webhook_recoveries where id = $1`, [recoveryId])).toEqual([{ status: 'COMPLETED', requeued_count: 0, total_count: 0 }]);
    expect(await harness.rows(`select status from webhook_deliveries where endpoint_id = $1`, [id])).toEqual([{ status: 'failed' }]);
  });

  it('WHREC-11 an operational event’s own delivery that runs out of attempts announces nothing: failures cannot feed each other', async () => {
    const operations = await harness.endpointWithReceiver({ eventTypes: ['webhook_delivery.exhausted'], retrySchedule: [1] }, () => ({ status: 500 }));
    const failing = await harness.endpointWithReceiver({ eventTypes: ['conversation.created'], retrySchedule: [1] }, () => ({ status: 500 }));
    await createConversation('WHREC-11');
    const operationsDelivery = await pollUntil(async () => {
      const [row] = await harness.rows(`select d.status from webhook_deliveries d join events ev on ev.id = d.event_id
        where d.endpoint_id = $1 and ev.data #>> '{webhookEndpoint,id}' = $2`, [operations.id, failing.id]);
      return row?.status === 'failed' && row;
    }, { timeoutMs: 15_000, description: 'the operations endpoint’s delivery of the exhausted event to fail' });

    expect(operationsDelivery).toEqual({ status: 'failed' });
    expect((await eventsOfType(harness, 'webhook_delivery.exhausted')).filter((data) => data.webhookEndpoint.id === operations.id)).toEqual([]);
    expect((await eventsOfType(harness, 'webhook_delivery.exhausted')).filter((data) => data.webhookEndpoint.id === failing.id)).toHaveLength(1);
  });
});
