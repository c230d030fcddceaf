import { Client } from 'pg';
import { getNamedType, isInputObjectType, isObjectType, type GraphQLObjectType } from 'graphql';
import { committedSchema, schemaMutations } from '../support/committed-schema';
import { postGraphQL } from '../support/graphql-client';
import { startGatewayWithDatabase, stopGatewayWithDatabase } from '../support/gateway-with-database';
import type { TestGateway } from '../support/start-gateway';

/** Each versioned record: how to create one, its table, and a column a hand-run UPDATE can change. */
const records = {
  apiKey: {
    table: 'api_keys', touch: `name = name || '.'`,
    create: `apiKeyCreate(input: { name: "Versioned", scopes: ["conversations:read"], costBudget: { maximumAvailable: 100, restoreRate: 1 } }) { apiKey { id version } }`,
  },
  webhookEndpoint: {
    table: 'webhook_endpoints', touch: `description = coalesce(description, '') || '.'`,
    create: `webhookEndpointCreate(input: { url: "http://127.0.0.1:9999/hook", eventTypes: ["conversation.created"] }) { webhookEndpoint { id version } }`,
  },
  agent: { table: 'agents', touch: `name = name || '.'`, create: `agentCreate(input: { name: "Versioned", email: "versioned-AT@example.com" }) { agent { id version } }` },
  team: { table: 'teams', touch: `name = name || '.'`, create: `teamCreate(input: { name: "Versioned" }) { team { id version } }` },
  slaPolicy: {
    table: 'sla_policies', touch: `name = name || '.'`,
    create: `slaPolicyCreate(input: { name: "Versioned", targets: [{ priority: HIGH, firstResponseMinutes: 60, nextResponseMinutes: null, resolutionMinutes: null }] }) { slaPolicy { id version } }`,
  },
  conversation: { table: 'conversations', touch: `subject = subject || '.'`, create: `conversationCreate(input: { subject: "Versioned", channel: API }) { conversation { id version } }` },
  customer: { table: 'customers', touch: `name = coalesce(name, '') || '.'`, create: `customerUpsert(input: { email: "versioned-AT@example.com" }) { customer { id version } }` },
} as const;
type RecordKind = keyof typeof records;

/** Every mutation of these records that takes expectedVersion, with a valid input that changes the record. */
const versionedMutations: [string, string, RecordKind, Record<string, unknown>, boolean][] = [
  ['apiKeyUpdate', 'ApiKeyUpdateInput', 'apiKey', { name: 'Changed' }, true],
  ['apiKeyRotate', 'ApiKeyRotateInput', 'apiKey', {}, true],
  ['apiKeyRevoke', 'ApiKeyRevokeInput', 'apiKey', {}, true],
  ['webhookEndpointUpdate', 'WebhookEndpointUpdateInput', 'webhookEndpoint', { description: 'Changed' }, true],
  ['webhookEndpointRotateSecret', 'WebhookEndpointRotateSecretInput', 'webhookEndpoint', {}, true],
  ['webhookEndpointDelete', 'WebhookEndpointDeleteInput', 'webhookEndpoint', {}, false],
  ['agentUpdate', 'AgentUpdateInput', 'agent', { name: 'Changed' }, true],
  ['agentDeactivate', 'AgentDeactivateInput', 'agent', {}, true],
  ['teamUpdate', 'TeamUpdateInput', 'team', { name: 'Changed' }, true],
  ['slaPolicyUpdate', 'SlaPolicyUpdateInput', 'slaPolicy', { name: 'Changed' }, true],
  ['slaPolicyDelete', 'SlaPolicyDeleteInput', 'slaPolicy', {}, false],
  ['conversationDelete', 'ConversationDeleteInput', 'conversation', {}, false],
  ['customerDelete', 'CustomerDeleteInput', 'customer', {}, false],
];

/** Each setting of each update alone, with a value that changes it (records fresh from `create`). */
const settingChanges: [string, string, RecordKind, Record<string, unknown>][] = [
  ['apiKeyUpdate', 'ApiKeyUpdateInput', 'apiKey', { name: 'Renamed' }],
  ['apiKeyUpdate', 'ApiKeyUpdateInput', 'apiKey', { scopes: ['analytics:read'] }],
  ['apiKeyUpdate', 'ApiKeyUpdateInput', 'apiKey', { allowedCidrs: ['10.0.0.0/8'] }],
  ['apiKeyUpdate', 'ApiKeyUpdateInput', 'apiKey', { rateLimit: { requests: 10, windowSeconds: 60 } }],
  ['apiKeyUpdate', 'ApiKeyUpdateInput', 'apiKey', { costBudget: { maximumAvailable: 500, restoreRate: 5 } }],
  ['apiKeyUpdate', 'ApiKeyUpdateInput', 'apiKey', { expiresAt: '2099-01-01T00:00:00.000Z' }],
  ['webhookEndpointUpdate', 'WebhookEndpointUpdateInput', 'webhookEndpoint', { url: 'http://127.0.0.1:9998/other' }],
  ['webhookEndpointUpdate', 'WebhookEndpointUpdateInput', 'webhookEndpoint', { description: 'Described' }],
  ['webhookEndpointUpdate', 'WebhookEndpointUpdateInput', 'webhookEndpoint', { eventTypes: ['conversation.updated'] }],
  ['webhookEndpointUpdate', 'WebhookEndpointUpdateInput', 'webhookEndpoint', { isEnabled: false }],
  ['webhookEndpointUpdate', 'WebhookEndpointUpdateInput', 'webhookEndpoint', { method: 'PUT' }],
  ['webhookEndpointUpdate', 'WebhookEndpointUpdateInput', 'webhookEndpoint', { rateLimitPerSecond: 5 }],
  ['agentUpdate', 'AgentUpdateInput', 'agent', { name: 'Renamed' }],
  ['agentUpdate', 'AgentUpdateInput', 'agent', { email: 'renamed-agent@example.com' }],
  ['agentUpdate', 'AgentUpdateInput', 'agent', { teamId: 'TEAM' }],
  ['teamUpdate', 'TeamUpdateInput', 'team', { name: 'Renamed' }],
  ['slaPolicyUpdate', 'SlaPolicyUpdateInput', 'slaPolicy', { name: 'Renamed' }],
  ['slaPolicyUpdate', 'SlaPolicyUpdateInput', 'slaPolicy', { position: 7 }],
  ['slaPolicyUpdate', 'SlaPolicyUpdateInput', 'slaPolicy', { warnBeforeMinutes: 30 }],
  ['slaPolicyUpdate', 'SlaPolicyUpdateInput', 'slaPolicy', { pauseWhilePending: true }],
  ['slaPolicyUpdate', 'SlaPolicyUpdateInput', 'slaPolicy', { conditions: { channels: ['EMAIL'] } }],
  ['slaPolicyUpdate', 'SlaPolicyUpdateInput', 'slaPolicy', { targets: [{ priority: 'HIGH', firstResponseMinutes: 90, nextResponseMinutes: null, resolutionMinutes: null }] }],
];

/** A hand-run change of each setting column alone, which the trigger must count (bookkeeping columns: OCC-08). */
const columnChanges: [string, RecordKind, string][] = [
  ['api_keys', 'apiKey', `scopes = array['analytics:read']`], ['api_keys', 'apiKey', `secret_hash = secret_hash || 'x'`],
  ['api_keys', 'apiKey', `allowed_cidrs = array['10.0.0.0/8']`], ['api_keys', 'apiKey', `rate_limit_requests = coalesce(rate_limit_requests, 0) + 1`],
  ['api_keys', 'apiKey', `rate_limit_window_seconds = coalesce(rate_limit_window_seconds, 0) + 1`], ['api_keys', 'apiKey', `expires_at = now() + interval '1 day'`],
  ['api_keys', 'apiKey', `revoked_at = now()`], ['api_keys', 'apiKey', `cost_budget_maximum = coalesce(cost_budget_maximum, 0) + 1`],
  ['api_keys', 'apiKey', `cost_budget_restore_rate = coalesce(cost_budget_restore_rate, 0) + 1`],
  ['webhook_endpoints', 'webhookEndpoint', `url = url || 'x'`], ['webhook_endpoints', 'webhookEndpoint', `event_types = array['conversation.updated']`],
  ['webhook_endpoints', 'webhookEndpoint', `is_enabled = not is_enabled`], ['webhook_endpoints', 'webhookEndpoint', `secret_ciphertext = secret_ciphertext || 'x'`],
  ['webhook_endpoints', 'webhookEndpoint', `deleted_at = now()`], ['webhook_endpoints', 'webhookEndpoint', `payload_query = '{ id }'`],
  ['webhook_endpoints', 'webhookEndpoint', `filter = '{"channels": ["email"]}'`], ['webhook_endpoints', 'webhookEndpoint', `headers_ciphertext = 'x'`],
  ['webhook_endpoints', 'webhookEndpoint', `http_method = 'PUT'`], ['webhook_endpoints', 'webhookEndpoint', `rate_limit_per_second = 3`],
  ['webhook_endpoints', 'webhookEndpoint', `retry_schedule_ms = array[1000]`],
  ['agents', 'agent', `team_id = (select id from teams t where t.workspace_id = agents.workspace_id order by id limit 1)`], ['agents', 'agent', `email = 'x' || email`], ['agents', 'agent', `deactivated_at = now()`], ['agents', 'agent', `external_id = 'ext'`],
  ['teams', 'team', `external_id = 'ext'`],
  ['sla_policies', 'slaPolicy', `position = position + 1`], ['sla_policies', 'slaPolicy', `conditions = '{"channels": ["email"]}'`],
  ['sla_policies', 'slaPolicy', `targets = '{}'`], ['sla_policies', 'slaPolicy', `calendar_id = (select id from business_calendars c where c.workspace_id = sla_policies.workspace_id limit 1)`], ['sla_policies', 'slaPolicy', `warn_before_minutes = 1`],
  ['sla_policies', 'slaPolicy', `pause_while_pending = true`],
];
/** Conversation and customer updates: OCC-02 in optimistic-concurrency.test.ts. */
const coveredElsewhere = ['conversationUpdate', 'conversationAssign', 'conversationEscalate', 'conversationResolve', 'conversationReopen', 'customerUpdate'];

describe('OCC: every record an integrator changes has a version, and every change of it takes expectedVersion', () => {
  let gateway: TestGateway;
  let database: Client;
  let created = 0;
  const graphql = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(gateway.graphqlUrl, query, variables, { secret: gateway.adminSecret });
  const create = async (kind: RecordKind): Promise<{ id: string; version: number }> => {
    const response = await graphql(`mutation { ${records[kind].create.replace('AT', String(++created))} }`);
    if (response.body.errors) throw new Error(JSON.stringify(response.body.errors));
    return Object.values(Object.values(response.body.data!)[0] as Record<string, { id: string; version: number }>)[0];
  };
  const rowOf = async (kind: RecordKind, id: string) => (await database.query(`select * from ${records[kind].table} where id = $1`, [id])).rows[0];
  const counts = async () => (await database.query('select (select count(*) from events) as events, (select count(*) from audit_entries) as audit')).rows[0];

  beforeAll(async () => {
    ({ gateway, database } = await startGatewayWithDatabase({ env: { WEBHOOK_POLL_INTERVAL: '1h', WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } }));
    // OCC-12 moves agents to a team and policies to a calendar.
    await create('team');
    await graphql(`mutation { businessCalendarCreate(input: { name: "Office", timeZone: "UTC", weeklyHours: [{ day: 1, opens: "09:00", closes: "17:00" }] }) { businessCalendar { id } } }`);
  });
  afterAll(() => stopGatewayWithDatabase({ gateway, database }));

  it.each(versionedMutations)('OCC-06 %s with a stale expectedVersion (or 0) is CONFLICT with the current version and changes nothing; with the current one it applies and returns the new version', async (mutation, inputType, kind, change, returnsRecord) => {
    const { id, version } = await create(kind);
    // Changed by hand since it was read: the trigger raises the version of any change of a setting.
    await database.query(`update ${records[kind].table} set ${records[kind].touch} where id = $1`, [id]);
    const [before, activity] = [await rowOf(kind, id), await counts()];
    // The payload's record field is named after the record (apiKey, webhookEndpoint, agent…).
    const call = (expectedVersion: number) =>
      graphql(`mutation Call($input: ${inputType}!) { ${mutation}(input: $input) { ${returnsRecord ? `${kind} { version }` : '__typename'} } }`, { input: { id, ...change, expectedVersion } });

    const stale = await call(1);
    const zero = await call(0);
    const [afterStale, activityAfterStale] = [await rowOf(kind, id), await counts()];
    const current = await call(2);

    expect(version).toBe(1);
    expect(before.version).toBe(2);
    expect(stale.body.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2, expectedVersion: 1, fieldErrors: [{ field: 'input.expectedVersion', message: expect.any(String) }] });
    expect(zero.body.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2, expectedVersion: 0 });
    expect(afterStale).toEqual(before);
    expect(activityAfterStale).toEqual(activity);
    expect(current.body.errors).toBeUndefined();
    const after = await rowOf(kind, id);
    if (after) expect(after.version).toBe(3);
    if (returnsRecord) expect(current.body.data![mutation][kind].version).toBe(3);
  });

  it.each(settingChanges.map(([mutation, inputType, kind, change]) => [mutation, JSON.stringify(change), inputType, kind, change] as const))(
    'OCC-11 %s of %s alone raises the version by one and says so; the same update again changes nothing and keeps it',
    async (mutation, _described, inputType, kind, change) => {
      const { id } = await create(kind);
      const input = change.teamId === 'TEAM' ? { ...change, teamId: (await create('team')).id } : change;
      const update = () => graphql(`mutation Call($input: ${inputType}!) { ${mutation}(input: $input) { ${kind} { version } } }`, { input: { id, ...input } });

      const changed = await update();
      const unchanged = await update();

      expect([changed.body.errors, unchanged.body.errors]).toEqual([undefined, undefined]);
      expect([changed.body.data![mutation][kind].version, unchanged.body.data![mutation][kind].version, (await rowOf(kind, id)).version]).toEqual([2, 2, 2]);
    },
  );

  it.each(columnChanges)('OCC-12 a hand-run change of %s alone (%s: %s) raises the version', async (table, kind, assignment) => {
    const { id } = await create(kind);
    await database.query(`update ${table} set ${assignment} where id = $1`, [id]);
    expect((await rowOf(kind, id)).version).toBe(2);
  });

  it('OCC-13 SCIM group membership raises the version of the agents it moves, and only theirs', async () => {
    const team = await create('team');
    const [member, outsider] = [await create('agent'), await create('agent')];
    const patch = (operations: unknown[]) => fetch(`${gateway.url}/scim/v2/Groups/${team.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${gateway.adminSecret}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations }),
    });

    expect((await patch([{ op: 'add', path: 'members', value: [{ value: member.id }] }])).status).toBe(200);
    expect((await patch([{ op: 'remove', path: `members[value eq "${outsider.id}"]` }])).status).toBe(200);

    expect([(await rowOf('agent', member.id)).version, (await rowOf('agent', outsider.id)).version]).toEqual([2, 1]);
  });

  it.each(versionedMutations.filter(([mutation]) => mutation.endsWith('Update')))('OCC-07 %s by two writers holding the same version at once: exactly one wins and is told its new version, the other gets CONFLICT', async (mutation, inputType, kind) => {
    const { id } = await create(kind);
    // The payload's record field is named after the record (apiKey, webhookEndpoint, agent…).
    const update = (name: string) => graphql(`mutation Call($input: ${inputType}!) { ${mutation}(input: $input) { ${kind} { version } } }`, { input: { id, ...(kind === 'webhookEndpoint' ? { description: name } : { name }), expectedVersion: 1 } });

    const answers = await Promise.all([update('From the CRM'), update('From the admin')]);

    expect(answers.filter((answer) => answer.body.errors).map((answer) => answer.body.errors![0].extensions)).toEqual([expect.objectContaining({ code: 'CONFLICT', currentVersion: 2 })]);
    // The winner learns the version it produced, to chain its next update.
    expect(answers.filter((answer) => !answer.body.errors).map((answer) => answer.body.data![mutation])).toEqual([{ [kind]: { version: 2 } }]);
    expect((await rowOf(kind, id)).version).toBe(2);
  });

  it('OCC-08 versions read back over GraphQL, and the gateway’s own bookkeeping (a key’s last use, an endpoint’s delivery progress) raises none', async () => {
    const key = await create('apiKey');
    const endpoint = await create('webhookEndpoint');
    await database.query(`update api_keys set last_used_at = now() where id = $1`, [key.id]);
    await database.query(`update webhook_endpoints set failing_since = now(), failing_notified_at = now(), enqueued_through_sequence = enqueued_through_sequence + 1 where id = $1`, [endpoint.id]);
    await graphql(`mutation U($id: ID!) { apiKeyUpdate(input: { id: $id, name: "Renamed" }) { apiKey { id } } }`, { id: key.id });

    const read = (await graphql(`query R($key: ID!, $endpoint: ID!) { key: node(id: $key) { ... on ApiKey { version } } endpoint: node(id: $endpoint) { ... on WebhookEndpoint { version } } }`, { key: key.id, endpoint: endpoint.id })).body.data!;
    expect(read).toEqual({ key: { version: 2 }, endpoint: { version: 1 } });
  });

  it('OCC-10 key events carry the version they produced, so a sync can order and deduplicate them', async () => {
    const { id } = await create('apiKey');
    await graphql(`mutation R($id: ID!) { apiKeyRotate(input: { id: $id, previousSecretExpiresInSeconds: 0 }) { apiKey { id } } }`, { id });
    await graphql(`mutation R($id: ID!) { apiKeyRevoke(input: { id: $id }) { apiKey { id } } }`, { id });

    const events = (await database.query(`select type, (data #>> '{apiKey,version}')::int as version from events where data #>> '{apiKey,id}' = $1 order by sequence`, [id])).rows;
    expect(events).toEqual([
      { type: 'api_key.created', version: 1 },
      { type: 'api_key.rotated', version: 2 },
      { type: 'api_key.revoked', version: 3 },
    ]);
  });

  it('OCC-09 every mutation that takes expectedVersion is exercised above or in OCC-02, and every type whose update takes it exposes version', () => {
    const takingVersion = schemaMutations().filter(({ inputType }) => {
      const type = committedSchema.getType(inputType);
      return isInputObjectType(type) && 'expectedVersion' in type.getFields();
    }).map(({ name }) => name).sort();
    expect(takingVersion).toEqual([...versionedMutations.map(([mutation]) => mutation), ...coveredElsewhere].sort());
    for (const mutation of takingVersion.filter((name) => name.endsWith('Update'))) {
      const payload = getNamedType(committedSchema.getMutationType()!.getFields()[mutation].type) as GraphQLObjectType;
      const record = getNamedType(Object.values(payload.getFields())[0].type);
      expect({ mutation, hasVersion: isObjectType(record) && 'version' in record.getFields() }).toEqual({ mutation, hasVersion: true });
    }
  });
});
