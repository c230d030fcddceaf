import { Client } from 'pg';
import { bulkExportClient, downloadJsonLines } from '../support/bulk-export-client';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { withoutTriggers } from '../support/seed-support-data';
import { startGateway, type TestGateway } from '../support/start-gateway';

/**
 * Exports whose fields are all columns are rendered by PostgreSQL (docs/bulk-exports.md); these
 * pin that the database writes exactly the lines the API's resolvers would, field by field.
 */
const conversationCount = 5_200; // more than one SQL page of 5,000
const everyCustomerField = '__typename id name email phone locale tags customAttributes createdAt updatedAt';
const everyConversationField = `__typename id title: subject subject status priority channel inbox tags metadata escalationReason createdAt updatedAt lastActivityAt firstResponseAt resolvedAt
  customer { ${everyCustomerField} } assignee { id name email teamId team: teamId } team { id name }`;
/** Text that only a correctly quoted literal keeps as text, in a tag and in subjects: exports write filters' values into their SQL (COPY takes no parameters). */
const hostileText = `O'Brien \\ "x" $1 '); drop table customers; --`;
const crossWorkspaceConversationId = `conv_${'x'.padStart(20, '0')}`;

/** Rows only (`withoutTriggers`): no figure is read here. */
async function seedRows(database: Client, workspaceId: string, otherWorkspaceId: string): Promise<void> {
  await database.query(`insert into teams (id, workspace_id, name) values ('team_1', $1, 'Tier "1"'), ('team_o', $2, 'Other team')`, [workspaceId, otherWorkspaceId]);
  await database.query(
    `insert into agents (id, workspace_id, team_id, name, email) values ('agent_1', $1, 'team_1', 'Ana', 'ana@example.com'), ('agent_2', $1, null, 'Bo ''B''', 'bo@example.com'), ('agent_o', $2, 'team_o', 'Other', 'o@example.com')`,
    [workspaceId, otherWorkspaceId],
  );
  await database.query(
    `insert into customers (id, workspace_id, name, email, phone, locale, tags, custom_attributes, created_at, updated_at)
     select 'cus_' || lpad(n::text, 20, '0'), $1,
            case n % 4 when 0 then null when 1 then 'Zoë "Q" ' || n when 2 then E'Tab\\tNew\\nline \\\\ ' || n else '😀 ' || n end,
            case when n % 5 = 0 then null else 'c' || n || '@example.com' end, case when n % 2 = 0 then '+1415555' || lpad(n::text, 4, '0') end,
            case when n % 3 = 0 then 'pt-BR' end, case when n % 6 = 0 then array['vip', 'b2b', $2] when n % 2 = 0 then array['vip', 'b2b'] else '{}' end,
            case when n % 2 = 0 then jsonb_build_object('plan', 'pro', 'seats', n, 'ratio', 1.0, 'nested', jsonb_build_object('list', jsonb_build_array(1, 2.5, 'x', null, true))) else '{}'::jsonb end,
            timestamp '2026-10-01 00:00:00.123' + n * interval '1 hour 1 millisecond', timestamp '2026-11-01' + n * interval '7 millisecond'
     from generate_series(1, 60) n`,
    [workspaceId, hostileText],
  );
  await database.query(`insert into customers (id, workspace_id, name, email) values ('cus_other', $1, 'Someone else', 'else@example.com')`, [otherWorkspaceId]);
  await database.query(
    `insert into conversations (id, workspace_id, customer_id, assignee_id, team_id, subject, status, priority, channel, inbox, tags, metadata, escalation_reason,
                                created_at, updated_at, last_activity_at, first_response_at, resolved_at)
     select 'conv_' || lpad(n::text, 20, '0'), $1, case when n % 9 = 0 then null else 'cus_' || lpad((n % 60 + 1)::text, 20, '0') end,
            case n % 3 when 0 then 'agent_1' when 1 then 'agent_2' end, case when n % 4 = 0 then 'team_1' end,
            'Subject ' || n || case when n % 10 = 0 then E' "quoted", \\\\ and\\nbroken' when n % 13 = 0 then ' ' || $3 else '' end,
            (array['open','pending','escalated','resolved'])[n % 4 + 1], (array['low','normal','high','urgent'])[n % 4 + 1],
            (array['web_chat','email','whatsapp','sms','phone','social','api'])[n % 7 + 1], case when n % 2 = 0 then 'support' end,
            case when n % 3 = 0 then array['a', 'b c'] else '{}' end, case when n % 5 = 0 then jsonb_build_object('crm', jsonb_build_object('id', n, 'ok', true)) else '{}'::jsonb end,
            case when n % 11 = 0 then 'Angry ' || n end,
            timestamp '2026-11-01 00:00:00.001' + n * interval '1 minute 3 millisecond', timestamp '2026-11-20' + (n % 97) * interval '1 second', timestamp '2026-11-21' + n * interval '1 second',
            case when n % 2 = 0 then timestamp '2026-11-22 10:00:00.999' end, case when n % 4 = 3 then timestamp '2026-11-23' + n * interval '1 millisecond' end
     from generate_series(1, $2) n`,
    [workspaceId, conversationCount - 1, hostileText],
  );
  // A row no API write can make: a conversation pointing at another workspace's customer, agent
  // and team. The API's loaders read related rows within the workspace, so it shows none of them.
  await database.query(
    `insert into conversations (id, workspace_id, customer_id, assignee_id, team_id, subject, status, priority, channel, created_at, updated_at, last_activity_at)
     values ($2, $1, 'cus_other', 'agent_o', 'team_o', 'Crossed', 'open', 'normal', 'email', '2026-10-15', now(), now())`,
    [workspaceId, crossWorkspaceConversationId],
  );
  await database.query(
    `insert into conversations (id, workspace_id, subject, status, priority, channel, created_at, updated_at, last_activity_at)
     select 'conv_o' || n, $1, 'Not yours', 'open', 'normal', 'email', now(), now(), now() from generate_series(1, 10) n`,
    [otherWorkspaceId],
  );
}

describe('BULK-SQL: exports rendered by PostgreSQL hold exactly what the API returns', () => {
  const logLines: string[] = [];
  let gateway: TestGateway;
  let database: Client;
  let client: ReturnType<typeof bulkExportClient>;

  const renderedBy = (exportId: string) =>
    logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'bulk export completed' && entry.bulkExportId === exportId)?.renderedBy;
  const fileOf = async (done: { url: string }) => downloadJsonLines(done.url.replace('http://127.0.0.1:1', gateway.url));

  beforeAll(async () => {
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h', PUBLIC_URL: 'http://127.0.0.1:1', LOG_LEVEL: 'debug' }, logLines });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    await createWorkspaceKey(gateway, 'other', ['conversations:read']);
    const workspaces = (await database.query(`select id, slug from workspaces where slug in ('default', 'other')`)).rows as { id: string; slug: string }[];
    await withoutTriggers(database, () => seedRows(database, workspaces.find((row) => row.slug === 'default')!.id, workspaces.find((row) => row.slug === 'other')!.id));
    client = bulkExportClient(gateway.graphqlUrl, gateway.adminSecret);
  });
  afterAll(async () => {
    await database?.end();
    await gateway?.stop();
  });

  it.each([
    ['BULK-SQL-01 every rendered conversation field, its customer, assignee and team, in two parts', 'conversations', 'orderBy: {field: CREATED_AT, direction: ASC}', everyConversationField],
    ['BULK-SQL-02 filters and another order, as the list resolver reads them', 'conversations', 'filter: {status: [OPEN, ESCALATED], channel: [WEB_CHAT, EMAIL, SMS], createdAfter: "2026-11-01T12:00:00.000Z", isUnassigned: false}, orderBy: {field: UPDATED_AT, direction: DESC}', 'id status channel updatedAt assignee { id }'],
    ['BULK-SQL-03 every rendered customer field, newest first', 'customers', '', everyCustomerField],
    ['BULK-SQL-04 customer filters', 'customers', 'filter: {tags: ["vip"]}, orderBy: {field: UPDATED_AT, direction: ASC}', 'id email tags'],
    ['BULK-SQL-07 a filter value with quotes, backslashes and a placeholder stays a value (tags)', 'customers', `filter: {tags: [${JSON.stringify(hostileText)}]}`, 'id tags'],
    ['BULK-SQL-07 a filter value with quotes, backslashes and a placeholder stays a value (text search)', 'conversations', `filter: {text: ${JSON.stringify(hostileText)}}`, 'id subject'],
  ])('%s', async (_name, field, args, selection) => {
    const done = await client.runExport({ query: `{ ${field}${args ? `(${args})` : ''} { nodes { ${selection} } } }`, format: 'JSONL', compression: 'GZIP' });
    expect(done).toMatchObject({ status: 'COMPLETED', errorCode: null });
    expect(renderedBy(done.id)).toBe('database');
    const [lines, paged] = await Promise.all([fileOf(done), client.pageThroughApi(field, args, selection)]);
    expect(paged.length).toBeGreaterThan(0);
    expect(done.objectCount).toBe(paged.length);
    expect(lines).toEqual(paged);
  });

  it('BULK-SQL-05 only the workspace’s rows, and no related row of another workspace, reach the file', async () => {
    const done = await client.runExport({ query: '{ conversations { nodes { id customer { id } assignee { id } team { id } } } }', compression: 'NONE' });
    expect(renderedBy(done.id)).toBe('database');
    const lines = await fileOf(done);
    expect(lines).toHaveLength(conversationCount);
    expect(lines.some((line) => String(line.id).startsWith('conv_o'))).toBe(false);
    expect(lines.find((line) => line.id === crossWorkspaceConversationId)).toEqual({ id: crossWorkspaceConversationId, customer: null, assignee: null, team: null });
    expect(lines.filter((line) => line.customer !== null).length).toBeGreaterThan(0);
  });

  it.each([
    ['a field whose value is not its column (externalRefs)', '{ conversations { nodes { id externalRefs { system } } } }', 'JSONL'],
    ['a nested connection', '{ conversations(first: 5) { nodes { id messages { nodes { id } } } } }', 'JSONL'],
    ['tombstones (includeDeleted)', '{ conversations(includeDeleted: true, orderBy: {field: UPDATED_AT}, filter: {updatedAfter: "2026-01-01T00:00:00Z"}) { nodes { id } } }', 'JSONL'],
    ['CSV', '{ customers { nodes { id email } } }', 'CSV'],
  ])('BULK-SQL-06 an export with %s stays on the resolvers', async (_name, query, format) => {
    const done = await client.runExport({ query, format, compression: 'NONE' });
    expect(done.status).toBe('COMPLETED');
    expect(renderedBy(done.id)).toBe('resolvers');
  });
});
