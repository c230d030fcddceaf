import { Client } from 'pg';
import { getNamedType, isInputObjectType, isObjectType, type GraphQLObjectType } from 'graphql';
import { committedSchema, schemaMutations } from '../support/committed-schema';
import { postGraphQL } from '../support/graphql-client';
import { startGatewayWithDatabase, stopGatewayWithDatabase } from '../support/gateway-with-database';
import type { TestGateway } from '../support/start-gateway';

/** Each versioned record: how to create one, its table, and a column a hand-run UPDATE can change. */
const records = {
  apiKey: { table: 'api_keys', touch: `name = name || '.'`, create: `apiKeyCreate(input: { name: "Versioned", scopes: ["conversations:read"] }) { apiKey { id version } }` },
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
const versionedMutations: [string, string, RecordKind, Record<string, unknown>][] = [
  ['apiKeyUpdate', 'ApiKeyUpdateInput', 'apiKey', { name: 'Changed' }],
  ['apiKeyRotate', 'ApiKeyRotateInput', 'apiKey', {}],
  ['apiKeyRevoke', 'ApiKeyRevokeInput', 'apiKey', {}],
  ['webhookEndpointUpdate', 'WebhookEndpointUpdateInput', 'webhookEndpoint', { description: 'Changed' }],
  ['webhookEndpointRotateSecret', 'WebhookEndpointRotateSecretInput', 'webhookEndpoint', {}],
  ['webhookEndpointDelete', 'WebhookEndpointDeleteInput', 'webhookEndpoint', {}],
  ['agentUpdate', 'AgentUpdateInput', 'agent', { name: 'Changed' }],
  ['agentDeactivate', 'AgentDeactivateInput', 'agent', {}],
  ['teamUpdate', 'TeamUpdateInput', 'team', { name: 'Changed' }],
  ['slaPolicyUpdate', 'SlaPolicyUpdateInput', 'slaPolicy', { name: 'Changed' }],
  ['slaPolicyDelete', 'SlaPolicyDeleteInput', 'slaPolicy', {}],
  ['conversationDelete', 'ConversationDeleteInput', 'conversation', {}],
  ['customerDelete', 'CustomerDeleteInput', 'customer', {}],
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
  });
  afterAll(() => stopGatewayWithDatabase({ gateway, database }));

  it.each(versionedMutations)('OCC-06 %s with a stale expectedVersion is CONFLICT with the current version and changes nothing; with the current one it applies', async (mutation, inputType, kind, change) => {
    const { id, version } = await create(kind);
    // Changed by hand since it was read: the trigger raises the version of any change of a setting.
    await database.query(`update ${records[kind].table} set ${records[kind].touch} where id = $1`, [id]);
    const [before, activity] = [await rowOf(kind, id), await counts()];
    const call = (expectedVersion: number) => graphql(`mutation Call($input: ${inputType}!) { ${mutation}(input: $input) { __typename } }`, { input: { id, ...change, expectedVersion } });

    const stale = await call(1);
    const [afterStale, activityAfterStale] = [await rowOf(kind, id), await counts()];
    const current = await call(2);

    expect(version).toBe(1);
    expect(before.version).toBe(2);
    expect(stale.body.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2, expectedVersion: 1, fieldErrors: [{ field: 'input.expectedVersion', message: expect.any(String) }] });
    expect(afterStale).toEqual(before);
    expect(activityAfterStale).toEqual(activity);
    expect(current.body.errors).toBeUndefined();
    const after = await rowOf(kind, id);
    if (after) expect(after.version).toBe(3);
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
