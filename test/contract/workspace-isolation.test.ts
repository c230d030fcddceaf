import { getNamedType, isInputObjectType, isListType, isNonNullType } from 'graphql';
import { Client } from 'pg';
import { nodeTypeByIdPrefix } from '../../src/platform/node';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { committedSchema, schemaMutations } from '../support/committed-schema';
import { seedAgents } from '../support/seed-support-data';
import { startGateway, type TestGateway } from '../support/start-gateway';

interface ListCase {
  readonly field: string;
  /** Arguments beyond the page, e.g. a filter: where conditions are built, a workspace condition can go missing. */
  readonly arguments?: string;
  /** The rows the workspace's admin must see, and nothing else: SQL over `t`, with $1 the workspace id. */
  readonly rowsOf: string;
}

/** Every top-level list of the schema; ISO-02 fails when one is missing. */
const listCases: readonly ListCase[] = [
  { field: 'conversations', rowsOf: 'select id from conversations t where workspace_id = $1' },
  { field: 'conversations', arguments: 'filter: { status: [OPEN], channel: [EMAIL] }', rowsOf: 'select id from conversations t where workspace_id = $1' },
  { field: 'customers', rowsOf: 'select id from customers t where workspace_id = $1' },
  { field: 'customers', arguments: 'filter: { createdAfter: "2000-01-01T00:00:00Z" }', rowsOf: 'select id from customers t where workspace_id = $1' },
  { field: 'apiKeys', rowsOf: 'select id from api_keys t where workspace_id = $1' },
  { field: 'satisfactionFeedbacks', rowsOf: 'select id from satisfaction_feedback t where workspace_id = $1' },
  { field: 'slaPolicies', rowsOf: 'select id from sla_policies t where workspace_id = $1' },
  { field: 'businessCalendars', rowsOf: 'select id from business_calendars t where workspace_id = $1' },
  { field: 'auditLog', rowsOf: 'select id from audit_entries t where workspace_id = $1' },
  { field: 'events', rowsOf: 'select id from events t where workspace_id = $1' },
  { field: 'webhookEndpoints', rowsOf: 'select id from webhook_endpoints t where workspace_id = $1 and deleted_at is null' },
  { field: 'agents', rowsOf: 'select id from agents t where workspace_id = $1' },
  { field: 'teams', rowsOf: 'select id from teams t where workspace_id = $1' },
  { field: 'bulkExports', rowsOf: 'select id from bulk_exports t where workspace_id = $1' },
];

/** The table of each id prefix node(id) resolves; ISO-04 fails when node resolves a prefix missing here. */
const tableByIdPrefix: Readonly<Record<string, string>> = {
  conv: 'conversations', msg: 'messages', cus: 'customers', agt: 'agents', team: 'teams', key: 'api_keys', bex: 'bulk_exports',
  we: 'webhook_endpoints', del: 'webhook_deliveries', att: 'webhook_attempts', wrec: 'webhook_recoveries',
};

/** Ids of each workspace's records, as ISO-08's inputs name them. */
interface RecordIds {
  readonly conversation: string;
  readonly customer: string;
  readonly apiKey: string;
  readonly endpoint: string;
  readonly bulkExport: string;
  readonly agent: string;
  readonly team: string;
  readonly policy: string;
  readonly calendar: string;
  readonly delivery: string;
  readonly event: string;
}

/**
 * Every mutation that names a record by id, called by our admin with another workspace's record
 * (or ours pointing at theirs). ISO-09 fails when a mutation taking an id is missing here.
 */
const crossWorkspaceCalls: readonly [string, string, (ours: RecordIds, theirs: RecordIds) => Record<string, unknown>][] = [
  ['apiKeyUpdate', 'ApiKeyUpdateInput', (_, theirs) => ({ id: theirs.apiKey, name: 'Taken' })],
  ['apiKeyRotate', 'ApiKeyRotateInput', (_, theirs) => ({ id: theirs.apiKey })],
  ['apiKeyRevoke', 'ApiKeyRevokeInput', (_, theirs) => ({ id: theirs.apiKey })],
  ['bulkExportCancel', 'BulkExportCancelInput', (_, theirs) => ({ id: theirs.bulkExport })],
  ['clientTokenCreate', 'ClientTokenCreateInput', (_, theirs) => ({ conversationId: theirs.conversation, scopes: ['conversations:read'] })],
  ['clientTokenCreate', 'ClientTokenCreateInput', (_, theirs) => ({ customerId: theirs.customer, scopes: ['conversations:read'] })],
  ['customerUpdate', 'CustomerUpdateInput', (_, theirs) => ({ id: theirs.customer, name: 'Taken' })],
  ['customerNoteCreate', 'CustomerNoteCreateInput', (_, theirs) => ({ customerId: theirs.customer, body: 'Taken' })],
  ['customerDelete', 'CustomerDeleteInput', (_, theirs) => ({ id: theirs.customer })],
  ['customerErase', 'CustomerEraseInput', (_, theirs) => ({ id: theirs.customer })],
  ['customerMerge', 'CustomerMergeInput', (ours, theirs) => ({ sourceId: ours.customer, targetId: theirs.customer })],
  ['customerMerge', 'CustomerMergeInput', (ours, theirs) => ({ sourceId: theirs.customer, targetId: ours.customer })],
  ['conversationDelete', 'ConversationDeleteInput', (_, theirs) => ({ id: theirs.conversation })],
  ['conversationCreate', 'ConversationCreateInput', (_, theirs) => ({ subject: 'Taken', channel: 'API', assigneeId: theirs.agent })],
  ['conversationCreate', 'ConversationCreateInput', (_, theirs) => ({ subject: 'Taken', channel: 'API', teamId: theirs.team })],
  ['conversationUpdate', 'ConversationUpdateInput', (_, theirs) => ({ id: theirs.conversation, subject: 'Taken' })],
  ['conversationUpdate', 'ConversationUpdateInput', (ours, theirs) => ({ id: ours.conversation, assigneeId: theirs.agent })],
  ['conversationAssign', 'ConversationAssignInput', (_, theirs) => ({ id: theirs.conversation, assigneeId: null })],
  ['conversationAssign', 'ConversationAssignInput', (ours, theirs) => ({ id: ours.conversation, assigneeId: theirs.agent })],
  ['conversationAssign', 'ConversationAssignInput', (ours, theirs) => ({ id: ours.conversation, assigneeId: null, teamId: theirs.team })],
  ['conversationEscalate', 'ConversationEscalateInput', (_, theirs) => ({ id: theirs.conversation, reason: 'Taken' })],
  ['conversationResolve', 'ConversationStatusChangeInput', (_, theirs) => ({ id: theirs.conversation })],
  ['conversationReopen', 'ConversationStatusChangeInput', (_, theirs) => ({ id: theirs.conversation })],
  ['messageCreate', 'MessageCreateInput', (_, theirs) => ({ conversationId: theirs.conversation, body: 'Taken' })],
  ['messageCreate', 'MessageCreateInput', (ours, theirs) => ({ conversationId: ours.conversation, body: 'Taken', authorType: 'AGENT', authorAgentId: theirs.agent })],
  ['conversationNoteCreate', 'ConversationNoteCreateInput', (_, theirs) => ({ conversationId: theirs.conversation, body: 'Taken' })],
  ['satisfactionFeedbackCreate', 'SatisfactionFeedbackCreateInput', (_, theirs) => ({ conversationId: theirs.conversation, rating: 1 })],
  ['agentCreate', 'AgentCreateInput', (_, theirs) => ({ name: 'Taken', email: 'taken@example.com', teamId: theirs.team })],
  ['agentUpdate', 'AgentUpdateInput', (_, theirs) => ({ id: theirs.agent, name: 'Taken' })],
  ['agentUpdate', 'AgentUpdateInput', (ours, theirs) => ({ id: ours.agent, teamId: theirs.team })],
  ['agentDeactivate', 'AgentDeactivateInput', (_, theirs) => ({ id: theirs.agent })],
  ['teamUpdate', 'TeamUpdateInput', (_, theirs) => ({ id: theirs.team, name: 'Taken' })],
  ['slaPolicyCreate', 'SlaPolicyCreateInput', (_, theirs) => ({ name: 'Taken', businessCalendarId: theirs.calendar, targets: [{ priority: 'HIGH', firstResponseMinutes: 60, nextResponseMinutes: null, resolutionMinutes: null }] })],
  ['slaPolicyUpdate', 'SlaPolicyUpdateInput', (_, theirs) => ({ id: theirs.policy, name: 'Taken' })],
  ['slaPolicyDelete', 'SlaPolicyDeleteInput', (_, theirs) => ({ id: theirs.policy })],
  ['webhookEndpointUpdate', 'WebhookEndpointUpdateInput', (_, theirs) => ({ id: theirs.endpoint, description: 'Taken' })],
  ['webhookEndpointDelete', 'WebhookEndpointDeleteInput', (_, theirs) => ({ id: theirs.endpoint })],
  ['webhookEndpointRotateSecret', 'WebhookEndpointRotateSecretInput', (_, theirs) => ({ id: theirs.endpoint })],
  ['webhookEndpointTest', 'WebhookEndpointTestInput', (_, theirs) => ({ id: theirs.endpoint })],
  ['webhookDeliveryRetry', 'WebhookDeliveryRetryInput', (_, theirs) => ({ deliveryId: theirs.delivery })],
  ['webhookEventsReplay', 'WebhookEventsReplayInput', (_, theirs) => ({ endpointId: theirs.endpoint, since: '2000-01-01T00:00:00Z' })],
  ['webhookEventResend', 'WebhookEventResendInput', (_, theirs) => ({ endpointId: theirs.endpoint, eventId: theirs.event })],
  ['webhookEventResend', 'WebhookEventResendInput', (ours, theirs) => ({ endpointId: ours.endpoint, eventId: theirs.event })],
  ['webhookEndpointRecover', 'WebhookEndpointRecoverInput', (_, theirs) => ({ endpointId: theirs.endpoint, since: '2000-01-01T00:00:00Z' })],
];

/** The tables a refused call must leave as they were, in both workspaces (a key's last use aside). */
const guardedTables = [
  'conversations', 'customers', 'customer_notes', 'conversation_notes', 'messages', 'satisfaction_feedback', 'api_keys', 'webhook_endpoints', 'webhook_deliveries',
  'webhook_recoveries', 'bulk_exports', 'agents', 'teams', 'sla_policies', 'events', 'audit_entries',
];

const queryFields = Object.values(committedSchema.getQueryType()!.getFields());
const isConnection = (field: string) => getNamedType(queryFields.find((candidate) => candidate.name === field)!.type).name.endsWith('Connection');
const nodeQuery = /* GraphQL */ `query Node($id: ID!) { node(id: $id) { __typename id } }`;
const populateMutation = /* GraphQL */ `
  mutation Populate($email: String!, $keyName: String!) {
    conversationCreate(input: { subject: "Where is my order?", channel: EMAIL, customer: { email: $email }, firstMessage: { body: "Hello" } }) { conversation { id } }
    apiKeyCreate(input: { name: $keyName, scopes: ["keys:read"] }) { apiKey { id } }
    webhookEndpointCreate(input: { url: "https://receiver.invalid/hooks", isEnabled: false }) { webhookEndpoint { id } }
    bulkExportCreate(input: { query: "{ customers { nodes { id } } }" }) { bulkExport { id } }
  }
`;

describe('ISO: no list and no node(id) ever shows another workspace’s rows', () => {
  let gateway: TestGateway;
  let database: Client;
  let ours: string;
  let theirs: string;
  beforeAll(async () => {
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h' } });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    const other = await createWorkspaceKey(gateway, 'iso-other', ['admin']);
    // Both workspaces hold a row of every kind, so a list missing its workspace condition shows the other's.
    for (const [slug, secret] of [['default', gateway.adminSecret], ['iso-other', other.secret]]) {
      await seedAgents(gateway.databaseUrl, slug, 2);
      const populated = await postGraphQL(gateway.graphqlUrl, populateMutation, { email: `${slug}@example.com`, keyName: `${slug} reader` }, { secret });
      expect(populated.body.errors).toBeUndefined();
    }
    const workspaceIds = (await database.query(`select id, slug from workspaces`)).rows;
    ours = workspaceIds.find((row) => row.slug === 'default').id;
    theirs = workspaceIds.find((row) => row.slug === 'iso-other').id;
    // The dispatcher is idle here (and the endpoints disabled): each workspace's delivery, attempt and recovery is written as the dispatcher and the recovery job write them.
    await database.query(`
      with delivery as (
        insert into webhook_deliveries (id, workspace_id, endpoint_id, event_id, event_sequence, event_type, status)
        select distinct on (e.workspace_id) new_public_id('del'), e.workspace_id, e.id, ev.id, ev.sequence, ev.type, 'failed'
        from webhook_endpoints e join events ev on ev.workspace_id = e.workspace_id order by e.workspace_id, ev.sequence
        returning id, workspace_id, endpoint_id
      ), attempt as (
        insert into webhook_attempts (id, workspace_id, delivery_id, endpoint_id, attempt_number, started_at, duration_ms, status_code, outcome)
        select new_public_id('att'), workspace_id, id, endpoint_id, 1, now(), 5, 500, 'server_error' from delivery returning 1
      )
      insert into webhook_recoveries (id, workspace_id, endpoint_id, since, status, created_by)
      select new_public_id('wrec'), workspace_id, endpoint_id, now() - interval '1 hour', 'COMPLETED', 'key_test' from delivery`);
    await database.query(`insert into business_calendars (id, workspace_id, name, time_zone, weekly_hours) select 'cal_iso_' || substr(md5(id::text), 1, 12), id, 'Office', 'UTC', '[]' from workspaces`);
    await database.query(`insert into sla_policies (id, workspace_id, name, position, targets) select 'sla_iso_' || substr(md5(id::text), 1, 12), id, 'Policy', 1, '{}' from workspaces`);
    await database.query(`insert into satisfaction_feedback (id, workspace_id, conversation_id, rating, comment)
      select distinct on (workspace_id) 'csat_iso_' || substr(md5(workspace_id::text), 1, 12), workspace_id, id, 4, 'fine' from conversations order by workspace_id, created_at`);
  });
  afterAll(async () => {
    await database.end();
    await gateway.stop();
  });

  const idsIn = async (sql: string, workspaceId: string) => (await database.query(sql, [workspaceId])).rows.map((row) => row.id as string).sort();

  it.each(listCases.map((listCase) => [listCase.field, listCase.arguments ?? 'no arguments', listCase] as const))(
    'ISO-01 %s (%s) lists exactly the workspace’s own rows, and counts only them',
    async (field, _arguments, { arguments: extra, rowsOf }) => {
      const expected = await idsIn(rowsOf, ours);
      const foreign = await idsIn(rowsOf, theirs);
      expect([expected.length, foreign.length].every((count) => count > 0)).toBe(true);
      const connection = isConnection(field);
      const argumentList = [connection ? 'first: 100' : '', extra ?? ''].filter(Boolean).join(', ');
      const selection = connection ? '{ totalCount nodes { id } }' : '{ id }';
      const response = await postGraphQL(gateway.graphqlUrl, `{ list: ${field}${argumentList ? `(${argumentList})` : ''} ${selection} }`, {}, { secret: gateway.adminSecret });
      expect(response.body.errors).toBeUndefined();
      const list = response.body.data!.list;
      expect((connection ? list.nodes : list).map((node: { id: string }) => node.id).sort()).toEqual(expected);
      if (connection) expect(list.totalCount).toBe(expected.length);
    },
  );

  it('ISO-02 every top-level list of the schema has a case in ISO-01', () => {
    const isList = (type: unknown): boolean => isListType(type) || (isNonNullType(type) && isListType(type.ofType));
    const lists = queryFields.filter((field) => isList(field.type) || getNamedType(field.type).name.endsWith('Connection')).map((field) => field.name);
    expect(lists.filter((field) => !listCases.some((listCase) => listCase.field === field))).toEqual([]);
  });

  it.each(Object.entries(tableByIdPrefix))('ISO-03 node(id) answers another workspace’s %s_… id NOT_FOUND, exactly as an unknown one', async (prefix, table) => {
    const [foreignId] = await idsIn(`select id from ${table} t where workspace_id = $1`, theirs);
    expect(foreignId).toMatch(new RegExp(`^${prefix}_`));
    const [foreign, unknown] = await Promise.all(
      [foreignId, `${prefix}_doesnotexist00000000`].map((id) => postGraphQL(gateway.graphqlUrl, nodeQuery, { id }, { secret: gateway.adminSecret })),
    );
    expect(unknown.body.errors![0].extensions.code).toBe('NOT_FOUND');
    const withoutRequestId = ({ body }: typeof foreign) => ({ ...body, errors: body.errors!.map((error) => ({ ...error, extensions: { ...error.extensions, requestId: 'any' } })) });
    expect(withoutRequestId(foreign)).toEqual(withoutRequestId(unknown));
  });

  it('ISO-04 every id prefix node(id) resolves has a case in ISO-03', () => {
    expect(Object.keys(nodeTypeByIdPrefix).filter((prefix) => !(prefix in tableByIdPrefix))).toEqual([]);
  });

  it.each([
    ['customer', 'customer_id', 'customers'],
    ['assignee', 'assignee_id', 'agents'],
    ['team', 'team_id', 'teams'],
  ])('ISO-05 a conversation whose %s column names another workspace’s row answers null, not that row, in a page and by id', async (field, column, table) => {
    // The platform writes these columns, and their foreign keys do not include the workspace: the read must hold the line.
    const [foreignId] = await idsIn(`select id from ${table} t where workspace_id = $1`, theirs);
    const { rows } = await database.query(`insert into conversations (id, workspace_id, subject, status, channel, priority, ${column}, created_at, updated_at, last_activity_at)
      select 'conv_iso05' || substr(md5($3), 1, 16), $1, 'ISO-05', 'open', 'api', 'normal', $2, now(), now(), now() returning id`, [ours, foreignId, field]);
    const conversationId = rows[0].id as string;

    // Apart: each read path (the page's batch, the lookup by id) must hold the line on its own.
    const page = await postGraphQL(gateway.graphqlUrl, `{ conversations(first: 100) { nodes { id ${field} { id } } } }`, {}, { secret: gateway.adminSecret });
    const one = await postGraphQL(gateway.graphqlUrl, `query One($id: ID!) { conversation(id: $id) { ${field} { id } } }`, { id: conversationId }, { secret: gateway.adminSecret });

    expect([page.body.errors, one.body.errors]).toEqual([undefined, undefined]);
    expect(page.body.data!.conversations.nodes.find((node: { id: string }) => node.id === conversationId)[field]).toBeNull();
    expect(one.body.data!.conversation[field]).toBeNull();
    expect(JSON.stringify([page.body, one.body])).not.toContain(foreignId);
  });

  it.each([
    ['a page, which reads last messages in its own statement', ''],
    ['a filtered page, whose last messages are batched apart', ', filter: { tags: ["iso06"] }'],
  ])('ISO-06 a newer message row of another workspace on the workspace’s conversation is never its lastMessage: %s', async (_path, filter) => {
    // As ISO-05: a message's conversation and workspace are apart columns, the read must check both.
    const conversationId = 'conv_iso06';
    await database.query(
      `insert into conversations (id, workspace_id, subject, status, channel, priority, tags, created_at, updated_at, last_activity_at)
       values ($1, $2, 'ISO-06', 'open', 'api', 'normal', '{iso06}', now(), now(), now()) on conflict (id) do nothing`,
      [conversationId, ours],
    );
    await database.query(
      `insert into messages (id, workspace_id, conversation_id, author_type, body, attachments, created_at)
       values ('msg_iso06_ours', $1, $3, 'customer', 'ours', '[]', now() - interval '1 hour'), ('msg_iso06_theirs', $2, $3, 'customer', 'theirs', '[]', now())
       on conflict (id) do nothing`,
      [ours, theirs, conversationId],
    );

    const page = await postGraphQL(gateway.graphqlUrl, `{ conversations(first: 100${filter}) { nodes { id lastMessage { id body } } } }`, {}, { secret: gateway.adminSecret });

    expect(page.body.errors).toBeUndefined();
    expect(page.body.data!.conversations.nodes.find((node: { id: string }) => node.id === conversationId).lastMessage).toEqual({ id: 'msg_iso06_ours', body: 'ours' });
  });

  it('ISO-07 rows of another workspace naming the workspace’s conversation (a message, a feedback, a status change) count in none of its statistics, rating or history', async () => {
    const conversationId = 'conv_iso07';
    await database.query(
      `insert into conversations (id, workspace_id, subject, status, channel, priority, tags, created_at, updated_at, last_activity_at)
       values ($1, $2, 'ISO-07', 'open', 'api', 'normal', '{iso07}', now() - interval '1 hour', now(), now()) on conflict (id) do nothing`,
      [conversationId, ours],
    );
    await database.query(`insert into messages (id, workspace_id, conversation_id, author_type, body, attachments, created_at) values ('msg_iso07_theirs', $1, $2, 'agent', 'theirs', '[]', now())`, [theirs, conversationId]);
    await database.query(`insert into satisfaction_feedback (id, workspace_id, conversation_id, rating, nps_score, comment) values ('csat_iso07_theirs', $1, $2, 1, 0, 'theirs')`, [theirs, conversationId]);
    await database.query(`insert into conversation_status_changes (workspace_id, conversation_id, from_status, to_status, changed_at) values ($1, $2, 'resolved', 'open', now())`, [theirs, conversationId]);

    const one = await postGraphQL(gateway.graphqlUrl, `query C($id: ID!) { conversation(id: $id) {
      statistics { lastAgentReplyAt reopenCount } rating { csat { score } nps { score } } statusHistory(first: 10) { totalCount } } }`, { id: conversationId }, { secret: gateway.adminSecret });

    expect(one.body.errors).toBeUndefined();
    expect(one.body.data!.conversation).toEqual({ statistics: { lastAgentReplyAt: null, reopenCount: 0 }, rating: { csat: null, nps: null }, statusHistory: { totalCount: 1 } });
  });
  /** Each workspace's records, by the kind ISO-08 names them. */
  const recordIdsOf = async (workspaceId: string): Promise<RecordIds> => {
    const first = async (sql: string) => (await database.query(sql, [workspaceId])).rows[0].id as string;
    return {
      conversation: await first('select id from conversations where workspace_id = $1 order by created_at, id limit 1'),
      customer: await first('select id from customers where workspace_id = $1 order by created_at, id limit 1'),
      apiKey: await first(`select id from api_keys where workspace_id = $1 and name like '% reader'`),
      endpoint: await first('select id from webhook_endpoints where workspace_id = $1 order by created_at limit 1'),
      bulkExport: await first('select id from bulk_exports where workspace_id = $1 limit 1'),
      agent: await first('select id from agents where workspace_id = $1 and team_id is not null order by id limit 1'),
      team: await first('select id from teams where workspace_id = $1 order by id limit 1'),
      policy: await first('select id from sla_policies where workspace_id = $1 limit 1'),
      calendar: await first('select id from business_calendars where workspace_id = $1 limit 1'),
      delivery: await first('select id from webhook_deliveries where workspace_id = $1 limit 1'),
      event: await first('select id from events where workspace_id = $1 order by sequence limit 1'),
    };
  };
  const stateOfBoth = async () => {
    const state: Record<string, unknown[]> = {};
    for (const table of guardedTables) {
      const { rows } = await database.query(`select * from ${table} where workspace_id in ($1, $2) order by 1`, [ours, theirs]);
      state[table] = rows.map(({ last_used_at: _lastUse, ...row }) => row);
    }
    return state;
  };

  it.each(crossWorkspaceCalls.map(([mutation, inputType, inputOf], index) => [mutation, index, inputType, inputOf] as const))(
    'ISO-08 %s (case %i) with another workspace’s record is NOT_FOUND or BAD_USER_INPUT, and changes nothing in either workspace',
    async (mutation, _index, inputType, inputOf) => {
      const input = inputOf(await recordIdsOf(ours), await recordIdsOf(theirs));
      const before = await stateOfBoth();

      const response = await postGraphQL(gateway.graphqlUrl, `mutation Call($input: ${inputType}!) { ${mutation}(input: $input) { __typename } }`, { input }, { secret: gateway.adminSecret });

      expect({ mutation, input, codes: (response.body.errors ?? []).map((error) => error.extensions.code) }).toEqual({ mutation, input, codes: [expect.stringMatching(/^(NOT_FOUND|BAD_USER_INPUT)$/)] });
      expect(await stateOfBoth()).toEqual(before);
    },
  );

  it('ISO-09 every mutation whose input names a record by id has a case in ISO-08', () => {
    const namingIds = schemaMutations().filter(({ inputType }) => {
      const type = committedSchema.getType(inputType);
      return isInputObjectType(type) && Object.entries(type.getFields()).some(([name, field]) => (name === 'id' || name.endsWith('Id')) && getNamedType(field.type).name === 'ID');
    }).map(({ name }) => name);
    const covered = new Set(crossWorkspaceCalls.map(([mutation]) => mutation));
    expect(namingIds.filter((name) => !covered.has(name))).toEqual([]);
  });
});
