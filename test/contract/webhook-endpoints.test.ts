import { Client } from 'pg';
import { createApiKey } from '../support/api-keys';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { tableReadBy } from '../support/table-read-by';

const endpointFields = 'id url description eventTypes isEnabled disabledReason failingSince previousSecretExpiresAt createdBy createdAt updatedAt';
const createMutation = /* GraphQL */ `mutation Create($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { secret webhookEndpoint { ${endpointFields} } } }`;
const updateMutation = /* GraphQL */ `mutation Update($input: WebhookEndpointUpdateInput!) { webhookEndpointUpdate(input: $input) { webhookEndpoint { ${endpointFields} } } }`;
const deleteMutation = /* GraphQL */ `mutation Delete($id: ID!) { webhookEndpointDelete(input: { id: $id }) { deletedWebhookEndpointId } }`;
const rotateMutation = /* GraphQL */ `mutation Rotate($id: ID!, $grace: Int) {
  webhookEndpointRotateSecret(input: { id: $id, previousSecretExpiresInSeconds: $grace }) { secret webhookEndpoint { id previousSecretExpiresAt } } }`;
const testMutation = /* GraphQL */ `mutation Test($id: ID!) {
  webhookEndpointTest(input: { id: $id }) { delivery { id endpointId eventId eventType status attemptCount nextAttemptAt } } }`;
const retryMutation = /* GraphQL */ `mutation Retry($id: ID!) {
  webhookDeliveryRetry(input: { deliveryId: $id }) { delivery { id status attemptCount nextAttemptAt lastError attempts { attemptNumber } } } }`;
const replayMutation = /* GraphQL */ `mutation Replay($input: WebhookEventsReplayInput!) { webhookEventsReplay(input: $input) { queuedCount hasMoreEvents } }`;
const endpointQuery = /* GraphQL */ `query Endpoint($id: ID!) { webhookEndpoint(id: $id) { ${endpointFields} } }`;
const endpointsQuery = /* GraphQL */ `query Endpoints { webhookEndpoints(first: 100) { totalCount nodes { id } } }`;
const deliveriesQuery = /* GraphQL */ `query Deliveries($id: ID!, $status: WebhookDeliveryStatus) {
  webhookEndpoint(id: $id) { deliveries(first: 50, filter: { status: $status }) {
    nodes { id eventId eventType eventSequence status attemptCount lastError attempts { attemptNumber statusCode responseExcerpt error durationMs } } } } }`;
const conversationCreateMutation = /* GraphQL */ `mutation Open($subject: String!) { conversationCreate(input: { subject: $subject, channel: API }) { conversation { id } } }`;

/** `.invalid` never resolves (RFC 2606): nothing in these tests reaches a real host. */
const receiverUrl = 'https://receiver.invalid/hooks';

describe('HOOK: webhook endpoints are managed over GraphQL; secrets are shown once and never stored in the clear', () => {
  let gateway: TestGateway;
  let database: Client;
  beforeAll(async () => {
    // The dispatcher stays idle: these tests set delivery states themselves.
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h' } });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await database.end();
    await gateway.stop();
  });

  const as = (secret: string) => (query: string, variables: Record<string, unknown> = {}) => postGraphQL(gateway.graphqlUrl, query, variables, { secret });
  const asAdmin = (query: string, variables: Record<string, unknown> = {}) => as(gateway.adminSecret)(query, variables);
  const createEndpoint = async (input: Record<string, unknown> = {}) => {
    const response = await asAdmin(createMutation, { input: { url: receiverUrl, isEnabled: false, ...input } });
    if (response.body.errors) throw new Error(`webhookEndpointCreate failed: ${JSON.stringify(response.body.errors)}`);
    return response.body.data!.webhookEndpointCreate as { secret: string; webhookEndpoint: Record<string, any> };
  };
  const fieldErrorsOf = (response: { body: { errors?: { extensions: Record<string, any> }[] } }) => response.body.errors![0].extensions.fieldErrors as { field: string }[];
  const row = async (sql: string, params: unknown[] = []) => (await database.query(sql, params)).rows[0];

  it('HOOK-20 creation shows a whsec_ secret once; reads, the table, the idempotency record and the audit log never hold it', async () => {
    const input = { url: receiverUrl, eventTypes: ['conversation.created'], description: 'CRM sync', idempotencyKey: 'hook-20' };
    const created = await asAdmin(createMutation, { input });
    const { secret, webhookEndpoint: endpoint } = created.body.data!.webhookEndpointCreate;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({ id: expect.stringMatching(/^we_/), url: receiverUrl, eventTypes: ['conversation.created'], isEnabled: true, createdBy: expect.stringMatching(/^key_/) });
    const retry = await asAdmin(createMutation, { input });
    expect(retry.body).toMatchObject({ data: created.body.data, extensions: { idempotency: { replayed: true } } });
    const read = await asAdmin(endpointQuery, { id: endpoint.id });
    expect(read.body.data!.webhookEndpoint).toEqual(endpoint);
    const secretBody = secret.slice('whsec_'.length);
    const stored = await row('select * from webhook_endpoints where id = $1', [endpoint.id]);
    const idempotencyRecord = await row(`select response::text from idempotency_records where idempotency_key = 'hook-20'`);
    const audit = await asAdmin(`{ auditLog(first: 100) { nodes { action targetId changes } } }`);
    for (const text of [JSON.stringify(read.body), JSON.stringify(stored), idempotencyRecord.response, JSON.stringify(audit.body)]) expect(text).not.toContain(secretBody);
    expect(audit.body.data!.auditLog.nodes).toContainEqual(expect.objectContaining({ action: 'webhook_endpoint.created', targetId: endpoint.id }));
    const sequence = await row(`select event_sequence from workspaces where slug = 'default'`);
    expect(stored.enqueued_through_sequence).toBe(sequence.event_sequence);
  });

  it.each([
    ['http://hooks.example.com/', 'plain http'],
    ['https://127.0.0.1/', 'loopback'],
    ['https://169.254.169.254/latest/meta-data', 'metadata'],
    ['https://[::1]/', 'loopback'],
    ['https://2130706433/', 'not written as four decimal numbers'],
    ['https://localhost/', 'local name'],
    ['https://user:password@hooks.example.com/', 'credentials'],
  ])('HOOK-21 %s is refused as BAD_USER_INPUT on input.url, naming why (%s), and nothing is created', async (url, reason) => {
    const before = await row('select count(*)::int as count from webhook_endpoints');
    const response = await asAdmin(createMutation, { input: { url } });
    expect(response.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(fieldErrorsOf(response)).toEqual([{ field: 'input.url', message: expect.stringContaining(reason) }]);
    expect((await row('select count(*)::int as count from webhook_endpoints', [])).count).toBe(before.count);
  });

  it('HOOK-22 unknown event types, and webhook.test, are refused by their index in input.eventTypes', async () => {
    const response = await asAdmin(createMutation, { input: { url: receiverUrl, eventTypes: ['conversation.created', 'conversation.exploded', 'webhook.test'] } });
    expect(response.body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(fieldErrorsOf(response).map((error) => error.field)).toEqual(['input.eventTypes.1', 'input.eventTypes.2']);
  });

  it('HOOK-23 a key cannot subscribe an endpoint, or manage one, beyond the events it may read', async () => {
    const webhooksOnly = as((await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['webhooks:read', 'webhooks:write'] })).secret);
    const narrow = await webhooksOnly(createMutation, { input: { url: receiverUrl, eventTypes: ['conversation.created'] } });
    expect(narrow.body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['conversations:read']] });
    const everything = await webhooksOnly(createMutation, { input: { url: receiverUrl } });
    expect(everything.body.errors![0].extensions.code).toBe('FORBIDDEN');
    const allowed = await webhooksOnly(createMutation, { input: { url: receiverUrl, eventTypes: ['webhook_endpoint.disabled'] } });
    expect(allowed.body.data!.webhookEndpointCreate.webhookEndpoint.eventTypes).toEqual(['webhook_endpoint.disabled']);

    const adminsEndpoint = (await createEndpoint({ eventTypes: null })).webhookEndpoint;
    const redirect = await webhooksOnly(updateMutation, { input: { id: adminsEndpoint.id, url: 'https://attacker.example.com/' } });
    expect(redirect.body.errors![0].extensions.code).toBe('FORBIDDEN');
    expect((await asAdmin(endpointQuery, { id: adminsEndpoint.id })).body.data!.webhookEndpoint.url).toBe(receiverUrl);
  });

  it('HOOK-24 webhooks:read may list and read but not change; webhooks:write alone may change but not read the log', async () => {
    const { webhookEndpoint: endpoint } = await createEndpoint();
    const reader = as((await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['webhooks:read'] })).secret);
    const writer = as((await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['webhooks:write'] })).secret);
    expect((await reader(endpointsQuery)).body.data!.webhookEndpoints.nodes).toContainEqual({ id: endpoint.id });
    expect((await reader(deleteMutation, { id: endpoint.id })).body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['webhooks:write']] });
    expect((await writer(endpointsQuery)).body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['webhooks:read']] });
    // Managing an endpoint needs the scopes of its events: this one gets every type.
    expect((await writer(deleteMutation, { id: endpoint.id })).body.errors![0].extensions.code).toBe('FORBIDDEN');
  });

  it('HOOK-25 another workspace’s endpoint is NOT_FOUND, exactly like one that does not exist', async () => {
    const foreign = as((await createWorkspaceKey(gateway, 'hook-25-other', ['admin'])).secret);
    const foreignEndpoint = (await foreign(createMutation, { input: { url: receiverUrl, isEnabled: false } })).body.data!.webhookEndpointCreate.webhookEndpoint;
    const read = await asAdmin(endpointQuery, { id: foreignEndpoint.id });
    const missing = await asAdmin(endpointQuery, { id: 'we_doesnotexist000000' });
    expect(read.body.errors![0].extensions.code).toBe('NOT_FOUND');
    expect(read.body.errors![0].message).toBe(missing.body.errors![0].message);
    for (const mutation of [deleteMutation, rotateMutation, testMutation]) {
      expect((await asAdmin(mutation, { id: foreignEndpoint.id })).body.errors![0].extensions.code).toBe('NOT_FOUND');
    }
    expect((await asAdmin(endpointsQuery)).body.data!.webhookEndpoints.nodes).not.toContainEqual({ id: foreignEndpoint.id });
  });

  it('HOOK-26 update changes the given fields; disabling names the caller; enabling clears the reason and the failure run', async () => {
    const { webhookEndpoint: endpoint } = await createEndpoint({ isEnabled: true, description: 'before' });
    const updated = await asAdmin(updateMutation, { input: { id: endpoint.id, url: 'https://other.example.com:8443/in', description: '', eventTypes: ['customer.created'] } });
    expect(updated.body.data!.webhookEndpointUpdate.webhookEndpoint).toMatchObject({ url: 'https://other.example.com:8443/in', description: null, eventTypes: ['customer.created'], isEnabled: true });
    const disabled = await asAdmin(updateMutation, { input: { id: endpoint.id, isEnabled: false } });
    expect(disabled.body.data!.webhookEndpointUpdate.webhookEndpoint).toMatchObject({ isEnabled: false, disabledReason: expect.stringMatching(/^Disabled by key_/) });
    await database.query(`update webhook_endpoints set disabled_reason = 'failing for 5 days', failing_since = now() - interval '5 days' where id = $1`, [endpoint.id]);
    const enabled = await asAdmin(updateMutation, { input: { id: endpoint.id, isEnabled: true, eventTypes: null } });
    expect(enabled.body.data!.webhookEndpointUpdate.webhookEndpoint).toMatchObject({ isEnabled: true, disabledReason: null, failingSince: null, eventTypes: null });
    const invalid = await asAdmin(updateMutation, { input: { id: endpoint.id, url: 'https://10.0.0.1/' } });
    expect(fieldErrorsOf(invalid)).toEqual([{ field: 'input.url', message: expect.stringContaining('private') }]);
  });

  it('HOOK-28 replay queues the past events of the range the endpoint subscribes to, once, and none it has not reached', async () => {
    const since = new Date().toISOString();
    for (const subject of ['one', 'two', 'three']) await asAdmin(conversationCreateMutation, { subject: `HOOK-28 ${subject}` });
    await asAdmin(`mutation { customerUpsert(input: { email: "hook28@example.com" }) { customer { id } } }`);
    const { webhookEndpoint: endpoint } = await createEndpoint({ eventTypes: ['conversation.created', 'customer.created'] });
    await asAdmin(conversationCreateMutation, { subject: 'HOOK-28 after the endpoint' });
    const replay = (input: Record<string, unknown>) => asAdmin(replayMutation, { input: { endpointId: endpoint.id, since, ...input } });
    expect((await replay({ eventTypes: ['conversation.created'] })).body.data!.webhookEventsReplay).toEqual({ queuedCount: 3, hasMoreEvents: false });
    expect((await replay({})).body.data!.webhookEventsReplay).toEqual({ queuedCount: 1, hasMoreEvents: false });
    expect((await replay({})).body.data!.webhookEventsReplay.queuedCount).toBe(0);
    const deliveries = (await asAdmin(deliveriesQuery, { id: endpoint.id })).body.data!.webhookEndpoint.deliveries.nodes;
    expect(deliveries.map((delivery: any) => delivery.eventType).sort()).toEqual(['conversation.created', 'conversation.created', 'conversation.created', 'customer.created']);
    expect(deliveries.every((delivery: any) => delivery.status === 'PENDING' && delivery.attemptCount === 0)).toBe(true);
    const backwards = await replay({ until: since });
    expect(fieldErrorsOf(backwards)).toEqual([{ field: 'input.until', message: 'Must be later than since' }]);
  });

  it('HOOK-29 retry makes a failed delivery due again and keeps its attempts; a succeeded one is refused', async () => {
    const since = new Date().toISOString();
    await asAdmin(conversationCreateMutation, { subject: 'HOOK-29' });
    const { webhookEndpoint: endpoint } = await createEndpoint({ eventTypes: ['conversation.created'] });
    await asAdmin(replayMutation, { input: { endpointId: endpoint.id, since } });
    const [{ id }] = (await asAdmin(deliveriesQuery, { id: endpoint.id })).body.data!.webhookEndpoint.deliveries.nodes;
    await database.query(`update webhook_deliveries set status = 'failed', attempt_count = 2, next_attempt_at = null, last_error = 'HTTP 500' where id = $1`, [id]);
    await database.query(
      `insert into webhook_attempts (id, workspace_id, delivery_id, endpoint_id, attempt_number, started_at, duration_ms, status_code, response_excerpt, error, outcome)
       select 'att_' || n, workspace_id, id, endpoint_id, n, now(), 12, 500, 'boom', 'HTTP 500', 'server_error' from webhook_deliveries, generate_series(1, 2) n where id = $1`,
      [id],
    );
    const failed = (await asAdmin(deliveriesQuery, { id: endpoint.id, status: 'FAILED' })).body.data!.webhookEndpoint.deliveries.nodes;
    expect(failed).toEqual([expect.objectContaining({ id, status: 'FAILED', attempts: [expect.objectContaining({ attemptNumber: 1, statusCode: 500, responseExcerpt: 'boom' }), expect.objectContaining({ attemptNumber: 2 })] })]);
    const retried = (await asAdmin(retryMutation, { id })).body.data!.webhookDeliveryRetry.delivery;
    expect(retried).toMatchObject({ id, status: 'PENDING', attemptCount: 2, lastError: 'HTTP 500', attempts: [{ attemptNumber: 1 }, { attemptNumber: 2 }] });
    expect(Math.abs(new Date(retried.nextAttemptAt).getTime() - Date.now())).toBeLessThan(5_000);
    await database.query(`update webhook_deliveries set status = 'succeeded' where id = $1`, [id]);
    expect(fieldErrorsOf(await asAdmin(retryMutation, { id }))).toEqual([{ field: 'input.deliveryId', message: expect.stringContaining('succeeded') }]);
  });

  it('HOOK-30 a test sends a webhook.test event to that endpoint only; deletion fails what is pending and hides the endpoint', async () => {
    const { webhookEndpoint: endpoint } = await createEndpoint({ isEnabled: true });
    const bystander = (await createEndpoint({ isEnabled: true })).webhookEndpoint;
    const { delivery } = (await asAdmin(testMutation, { id: endpoint.id })).body.data!.webhookEndpointTest;
    expect(delivery).toMatchObject({ endpointId: endpoint.id, eventType: 'webhook.test', status: 'PENDING', attemptCount: 0 });
    expect((await row('select data from events where id = $1', [delivery.eventId])).data).toEqual({ webhookEndpointId: endpoint.id });
    expect((await row('select count(*)::int as count from webhook_deliveries where event_id = $1', [delivery.eventId])).count).toBe(1);
    expect((await asAdmin(deleteMutation, { id: endpoint.id })).body.data!.webhookEndpointDelete).toEqual({ deletedWebhookEndpointId: endpoint.id });
    expect(await row('select status, last_error, next_attempt_at from webhook_deliveries where id = $1', [delivery.id])).toEqual({ status: 'failed', last_error: 'endpoint deleted', next_attempt_at: null });
    expect((await asAdmin(endpointQuery, { id: endpoint.id })).body.errors![0].extensions.code).toBe('NOT_FOUND');
    expect((await asAdmin(deleteMutation, { id: endpoint.id })).body.errors![0].extensions.code).toBe('NOT_FOUND');
    const listed = (await asAdmin(endpointsQuery)).body.data!.webhookEndpoints.nodes;
    expect(listed).not.toContainEqual({ id: endpoint.id });
    expect(listed).toContainEqual({ id: bystander.id });
    expect((await row('select deleted_at from webhook_endpoints where id = $1', [endpoint.id])).deleted_at).not.toBeNull();
  });

  it('HOOK-31 a delivery log page with every attempt costs 3 reads, whatever its size: endpoint, deliveries, attempts (the key is cached)', async () => {
    const since = new Date().toISOString();
    for (let index = 0; index < 6; index++) await asAdmin(conversationCreateMutation, { subject: `HOOK-31 ${index}` });
    const { webhookEndpoint: endpoint } = await createEndpoint({ eventTypes: ['conversation.created'] });
    await asAdmin(replayMutation, { input: { endpointId: endpoint.id, since } });
    await database.query(`insert into webhook_attempts (id, workspace_id, delivery_id, endpoint_id, attempt_number, started_at, duration_ms, status_code, outcome)
      select 'att_' || d.id || n, d.workspace_id, d.id, d.endpoint_id, n, now(), 5, 500, 'server_error' from webhook_deliveries d, generate_series(1, 3) n where d.endpoint_id = $1`, [endpoint.id]);
    const statements: string[] = [];
    const countStatement = gateway.app.orm.config.get('onQuery');
    gateway.app.orm.config.set('onQuery', (sql: string, params: unknown[]) => (statements.push(sql), countStatement(sql, params)));
    const readsOf = async (first: number) => {
      statements.length = 0;
      const nodes = (await asAdmin(deliveriesQuery.replace('first: 50', `first: ${first}`), { id: endpoint.id })).body.data!.webhookEndpoint.deliveries.nodes;
      expect(nodes.filter((node: any) => node.attempts.length === 3)).toHaveLength(first);
      // The table of each read; a NOTIFY announcing an earlier mutation's events may be sent meanwhile.
      return statements.filter((sql) => /^\s*select\b/i.test(sql)).map(tableReadBy).filter((table) => table !== undefined);
    };
    try {
      expect(await readsOf(2)).toEqual(['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts']);
      expect(await readsOf(6)).toEqual(['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts']);
    } finally {
      gateway.app.orm.config.set('onQuery', countStatement);
    }
  });

  it('HOOK-32 a workspace has at most 20 endpoints; deleting one makes room', async () => {
    const admin = as((await createWorkspaceKey(gateway, 'hook-32-full', ['admin'])).secret);
    const create = () => admin(createMutation, { input: { url: receiverUrl, isEnabled: false } });
    const created = [];
    for (let index = 0; index < 20; index++) created.push((await create()).body.data!.webhookEndpointCreate.webhookEndpoint.id);
    expect(fieldErrorsOf(await create())).toEqual([{ field: 'input', message: expect.stringContaining('at most 20') }]);
    await admin(deleteMutation, { id: created[0] });
    expect((await create()).body.data!.webhookEndpointCreate.webhookEndpoint.id).toMatch(/^we_/);
  });
});
