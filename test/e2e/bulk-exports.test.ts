import { gunzipSync } from 'node:zlib';
import { Client } from 'pg';
import { postGraphQL } from '../support/graphql-client';
import { pollUntil } from '../support/poll-until';
import { startGateway, testPepper, type TestGateway } from '../support/start-gateway';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { createServices } from '../../src/server/services';
import { lockTable } from '../support/lock-table';
import { bulkExportFileRetentionJob } from '../../src/modules/bulk-exports';

const exportFields = 'id status format compression objectCount fileSize url urlExpiresAt errorCode errorMessage requiredScopes createdAt startedAt completedAt fileExpiresAt';
const createMutation = `mutation Create($input: BulkExportCreateInput!) { bulkExportCreate(input: $input) { bulkExport { ${exportFields} } } }`;
const cancelMutation = `mutation Cancel($input: BulkExportCancelInput!) { bulkExportCancel(input: $input) { bulkExport { ${exportFields} } } }`;
const exportQuery = `query One($id: ID!) { bulkExport(id: $id) { ${exportFields} } }`;

const conversationSelection = 'id subject status tags createdAt customer { email name }';
const conversationCount = 1_150;
const bigThreadMessages = 1_050;

/** Conversations enough for two export pages, customers, and a thread longer than a nested page. */
async function seedExportData(database: Client): Promise<{ workspaceId: string; bigConversationId: string }> {
  const workspaceId = (await database.query(`select id from workspaces where slug = 'default'`)).rows[0].id as string;
  await database.query(
    `insert into customers (id, workspace_id, name, email)
     select 'cus_' || lpad(n::text, 20, '0'), $1, 'Customer ' || n, case when n % 7 = 0 then null else 'c' || n || '@example.com' end from generate_series(1, 40) n`,
    [workspaceId],
  );
  await database.query(
    `insert into conversations (id, workspace_id, customer_id, subject, status, priority, channel, tags, created_at, updated_at, last_activity_at)
     select 'conv_' || lpad(n::text, 20, '0'), $1, 'cus_' || lpad((n % 40 + 1)::text, 20, '0'), 'Subject "' || n || '", with a comma',
            (array['open','pending','resolved'])[n % 3 + 1], 'normal', 'email', case when n <= 3 then array['nested'] else array['bulk'] end,
            timestamp '2026-11-01' + n * interval '1 minute', now(), now()
     from generate_series(1, $2) n`,
    [workspaceId, conversationCount],
  );
  const bigConversationId = `conv_${'1'.padStart(20, '0')}`;
  await database.query(
    `insert into messages (id, workspace_id, conversation_id, author_type, body, created_at)
     select 'msg_' || lpad(c::text, 4, '0') || lpad(m::text, 16, '0'), $1, 'conv_' || lpad(c::text, 20, '0'), 'customer', 'Message ' || m || ' of ' || c,
            timestamp '2026-11-02' + m * interval '1 second'
     from generate_series(1, 3) c, generate_series(1, case when c = 1 then $2 else 2 end) m`,
    [workspaceId, bigThreadMessages],
  );
  return { workspaceId, bigConversationId };
}

describe('EXPORT: bulk export jobs write the API’s own data to files', () => {
  let gateway: TestGateway;
  let database: Client;
  let seeded: { workspaceId: string; bigConversationId: string };
  const graphql = (query: string, variables: Record<string, unknown> = {}, secret = gateway.adminSecret) => postGraphQL(gateway.graphqlUrl, query, variables, { secret });
  const create = async (input: Record<string, unknown>, secret?: string) => graphql(createMutation, { input }, secret);
  const waitForEnd = async (id: string, secret?: string) => {
    let last: any;
    await pollUntil(async () => {
      last = (await graphql(exportQuery, { id }, secret)).body.data?.bulkExport;
      return ['COMPLETED', 'FAILED', 'CANCELED'].includes(last?.status);
    }, { timeoutMs: 60_000, intervalMs: 100, description: `export ${id} to end` });
    return last;
  };
  const runExport = async (input: Record<string, unknown>, secret?: string) => {
    const created = await create(input, secret);
    expect(created.body.errors).toBeUndefined();
    return waitForEnd(created.body.data!.bulkExportCreate.bulkExport.id, secret);
  };
  const download = async (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

  /** Every page of a top-level connection through the API, 100 at a time. */
  const pageThroughApi = async (field: string, args: string, selection: string) => {
    const nodes: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const response = await graphql(`query Page($after: String) { ${field}(${args}${args ? ', ' : ''}first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${selection} } } }`, { after });
      expect(response.body.errors).toBeUndefined();
      const page = response.body.data![field];
      nodes.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) return nodes;
      after = page.pageInfo.endCursor;
    }
  };

  beforeAll(async () => {
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h', PUBLIC_URL: 'http://127.0.0.1:1', STATEMENT_TIMEOUT: '2s' } });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    seeded = await seedExportData(database);
  });
  afterAll(async () => {
    await database?.end();
    await gateway?.stop();
  });

  const localUrl = (url: string) => url.replace('http://127.0.0.1:1', gateway.url);

  it('EXPORT-01 a gzip JSONL export holds exactly the lines that paging through the API returns, in the same order', async () => {
    const query = `{ conversations(orderBy: {field: CREATED_AT, direction: ASC}) { edges { node { ${conversationSelection} } } } }`;
    const done = await runExport({ query, format: 'JSONL', compression: 'GZIP' });
    expect(done).toMatchObject({ status: 'COMPLETED', objectCount: conversationCount, errorCode: null, requiredScopes: ['conversations:read', 'customers:read'] });
    expect(done.url).toMatch(/^http:\/\/127\.0\.0\.1:1\/exports\/bex_[a-z0-9]{20}\?expires=\d+&signature=/);

    const response = await download(localUrl(done.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    const file = Buffer.from(await response.arrayBuffer());
    expect(file.length).toBe(done.fileSize);
    const lines = gunzipSync(file).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line));

    const paged = await pageThroughApi('conversations', 'orderBy: {field: CREATED_AT, direction: ASC}', conversationSelection);
    expect(lines).toHaveLength(conversationCount);
    expect(lines).toEqual(paged);
  });

  it('EXPORT-02 nested connections come out as their own lines after their parent, with __parentId, every page of them', async () => {
    const query = '{ conversations(filter: {tags: ["nested"]}, orderBy: {field: CREATED_AT, direction: ASC}) { nodes { id subject messages { edges { node { id body } } } } } }';
    const done = await runExport({ query, format: 'JSONL', compression: 'NONE' });
    expect(done.status).toBe('COMPLETED');
    const response = await download(localUrl(done.url));
    expect(response.headers.get('content-type')).toBe('application/jsonl; charset=utf-8');
    const lines = (await response.text()).trimEnd().split('\n').map((line) => JSON.parse(line));

    const expected: unknown[] = [];
    for (const conversation of (await pageThroughApi('conversations', 'filter: {tags: ["nested"]}, orderBy: {field: CREATED_AT, direction: ASC}', 'id subject')) as { id: string }[]) {
      expected.push(conversation);
      let after: string | null = null;
      for (;;) {
        const page: any = (await graphql('query M($id: ID!, $after: String) { conversation(id: $id) { messages(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { id body } } } }', { id: conversation.id, after })).body.data!.conversation.messages;
        expected.push(...page.nodes.map((message: object) => ({ ...message, __parentId: conversation.id })));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
    }
    expect(lines.filter((line) => line.__parentId === seeded.bigConversationId)).toHaveLength(bigThreadMessages);
    // The contract (docs/bulk-exports.md): a child's line comes after its parent's; one parent's
    // children keep the API's order, though pages beyond a nested first page come later.
    const childrenOf = (all: any[], parentId: string | undefined) => all.filter((line) => line.__parentId === parentId);
    expect(childrenOf(lines, undefined)).toEqual(childrenOf(expected, undefined));
    for (const parent of childrenOf(expected, undefined) as { id: string }[]) expect(childrenOf(lines, parent.id)).toEqual(childrenOf(expected, parent.id));
    const positionOf = new Map(lines.map((line, index) => [line.id, index]));
    expect(lines.every((line, index) => line.__parentId === undefined || positionOf.get(line.__parentId)! < index)).toBe(true);
    expect(lines).toHaveLength(expected.length);
    expect(done.objectCount).toBe(expected.length);
  });

  it('EXPORT-03 CSV has a header line, dotted columns for single objects, JSON text for lists, RFC 4180 quoting; nested connections are refused', async () => {
    const query = '{ conversations(filter: {tags: ["nested"]}, orderBy: {field: CREATED_AT, direction: ASC}) { nodes { id subject tags customer { email } } } }';
    const done = await runExport({ query, format: 'CSV', compression: 'NONE' });
    const response = await download(localUrl(done.url));
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await response.text();
    const [header, first] = text.split('\r\n');
    expect(header).toBe('id,subject,tags,customer.email');
    expect(first).toBe('conv_00000000000000000001,"Subject ""1"", with a comma","[""nested""]",c2@example.com');
    expect(text.split('\r\n')).toHaveLength(1 + 3 + 1);
    expect(done.objectCount).toBe(3);

    const refused = await create({ query: '{ conversations { nodes { id messages { nodes { id } } } } }', format: 'CSV' });
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.query', message: expect.stringContaining('CSV has no place for the nested connection messages') }] });
  });

  it.each([
    ['not GraphQL', '{ conversations { nodes { id }', 'Syntax Error'],
    ['two top-level fields', '{ conversations { nodes { id } } customers { nodes { id } } }', 'exactly one top-level field'],
    ['not a connection', '{ viewer { apiKey { id } } }', 'not a connection'],
    ['no nodes selected', '{ conversations { totalCount } }', 'edges { node { … } } or as nodes'],
    ['a field that does not exist', '{ conversations { nodes { id nope } } }', 'Cannot query field'],
    ['a mutation', 'mutation { apiKeyRevoke(input: {id: "key_x"}) { apiKey { id } } }', 'exactly one query operation'],
    ['variables', 'query ($s: [ConversationStatus!]) { conversations(filter: {status: $s}) { nodes { id } } }', 'no variables'],
    ['a nested connection without the parent id', '{ conversations { nodes { subject messages { nodes { id } } } } }', 'Select id on Conversation'],
  ])('EXPORT-04 a query that cannot be exported is BAD_USER_INPUT at input.query, before any job: %s', async (_name, query, message) => {
    const before = Number((await database.query('select count(*) from bulk_exports')).rows[0].count);
    const refused = await create({ query });
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'input.query', message: expect.stringContaining(message) }] });
    expect(Number((await database.query('select count(*) from bulk_exports')).rows[0].count)).toBe(before);
  });

  it('EXPORT-05 the export needs the read scopes of what it selects; readers need them too; client tokens cannot export', async () => {
    const conversationsOnly = await createWorkspaceKey(gateway, 'default', ['conversations:read']);
    const refused = await create({ query: '{ conversations { nodes { id customer { email } } } }' }, conversationsOnly.secret);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: [['customers:read']] });

    const done = await runExport({ query: '{ conversations(filter: {tags: ["nested"]}) { nodes { id customer { email } } } }' });
    expect(done.requiredScopes).toEqual(['conversations:read', 'customers:read']);
    const lacking = await graphql(exportQuery, { id: done.id }, conversationsOnly.secret);
    expect(lacking.body.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const listed = await graphql('{ bulkExports(first: 100) { nodes { id } } }', {}, conversationsOnly.secret);
    expect(listed.body.data!.bulkExports.nodes.map((node: { id: string }) => node.id)).not.toContain(done.id);
    const byAuthorization = await download(`${gateway.url}/exports/${done.id}`, { authorization: `Bearer ${conversationsOnly.secret}` });
    expect(byAuthorization.status).toBe(404);

    // A client token sees no export, even one whose scopes it holds: a file holds rows beyond any token's reach.
    const minted = (await graphql('mutation { clientTokenCreate(input: {scopes: ["conversations:read", "customers:read"]}) { token } }')).body.data!.clientTokenCreate.token;
    const fromToken = await create({ query: '{ conversations { nodes { id } } }' }, minted);
    expect(fromToken.body.errors?.[0].extensions.code).toBe('FORBIDDEN');
    expect((await graphql(exportQuery, { id: done.id }, minted)).body.errors?.[0].extensions.code).toBe('NOT_FOUND');
    expect((await graphql('query N($id: ID!) { node(id: $id) { id } }', { id: done.id }, minted)).body.errors?.[0].extensions.code).toBe('NOT_FOUND');
    expect((await graphql('{ bulkExports(first: 100) { nodes { id } } }', {}, minted)).body.data!.bulkExports.nodes).toEqual([]);
    expect((await download(`${gateway.url}/exports/${done.id}`, { authorization: `Bearer ${minted}` })).status).toBe(404);
  });

  it('EXPORT-06 another workspace’s export is NOT_FOUND everywhere: bulkExport, bulkExports, node, bulkExportCancel and the download', async () => {
    const done = await runExport({ query: '{ customers { nodes { id email } } }' });
    const other = await createWorkspaceKey(gateway, 'other-workspace', ['admin']);
    for (const query of [exportQuery, 'query N($id: ID!) { node(id: $id) { id } }']) {
      const response = await graphql(query, { id: done.id }, other.secret);
      expect(response.body.errors?.[0].extensions.code).toBe('NOT_FOUND');
    }
    const canceled = await graphql(cancelMutation, { input: { id: done.id } }, other.secret);
    expect(canceled.body.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const listed = await graphql('{ bulkExports(first: 100) { nodes { id } } }', {}, other.secret);
    expect(listed.body.data!.bulkExports.nodes).toEqual([]);
    expect((await download(`${gateway.url}/exports/${done.id}`, { authorization: `Bearer ${other.secret}` })).status).toBe(404);

    const own = await graphql('query N($id: ID!) { node(id: $id) { ... on BulkExport { id status } } }', { id: done.id });
    expect(own.body.data!.node).toEqual({ id: done.id, status: 'COMPLETED' });
    expect((await graphql('{ bulkExports(first: 100) { nodes { id } } }')).body.data!.bulkExports.nodes.map((node: { id: string }) => node.id)).toContain(done.id);
    expect((await download(`${gateway.url}/exports/${done.id}`, { authorization: `Bearer ${gateway.adminSecret}` })).status).toBe(200);
  });

  it('EXPORT-07 the download serves one Range, refuses tampered and expired links, and expired files', async () => {
    const done = await runExport({ query: '{ conversations(orderBy: {field: CREATED_AT, direction: ASC}) { nodes { id subject } } }', compression: 'NONE' });
    const url = localUrl(done.url);
    const whole = Buffer.from(await (await download(url)).arrayBuffer());
    expect(whole.length).toBe(done.fileSize);

    const partial = await download(url, { range: 'bytes=100-299' });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 100-299/${done.fileSize}`);
    expect(Buffer.from(await partial.arrayBuffer())).toEqual(whole.subarray(100, 300));
    const tail = await download(url, { range: 'bytes=-50' });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(whole.subarray(whole.length - 50));
    const outside = await download(url, { range: `bytes=${done.fileSize}-` });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${done.fileSize}`);

    const compressed = await download(url, { 'accept-encoding': 'gzip' });
    expect(compressed.headers.get('content-encoding')).toBe('gzip');
    expect(Buffer.from(await compressed.arrayBuffer())).toEqual(whole);

    const tampered = new URL(url);
    tampered.searchParams.set('expires', String(Number(tampered.searchParams.get('expires')) + 3600));
    expect((await download(tampered.toString())).status).toBe(403);
    const otherExport = url.replace(done.id, done.id.replace(/.$/, (last: string) => (last === 'a' ? 'b' : 'a')));
    expect([403, 404]).toContain((await download(otherExport)).status);
    const { exportLinks } = createServices({ pepper: testPepper, defaultRateLimit: { requests: 1, windowSeconds: 1 } });
    const expired = exportLinks.sign(done.id, seeded.workspaceId, new Date(Date.now() - 1000));
    expect((await download(`${gateway.url}${expired.path}`)).status).toBe(403);
    const fresh = exportLinks.sign(done.id, seeded.workspaceId, new Date(Date.now() + 60_000));
    expect((await download(`${gateway.url}${fresh.path}`)).status).toBe(200);

    await database.query(`update bulk_exports set file_expires_at = now() - interval '1 second' where id = $1`, [done.id]);
    const gone = await download(url);
    expect(gone.status).toBe(410);
    expect((await gone.json()).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await graphql(exportQuery, { id: done.id })).body.data!.bulkExport.url).toBeNull();
    // The retention job deletes the expired file's parts and marks it deleted.
    expect(await bulkExportFileRetentionJob.run(gateway.app.orm)).toBeGreaterThanOrEqual(1);
    expect((await database.query('select count(*)::int as n from bulk_export_parts where export_id = $1', [done.id])).rows[0].n).toBe(0);
    expect((await database.query('select file_deleted_at from bulk_exports where id = $1', [done.id])).rows[0].file_deleted_at).not.toBeNull();
  });

  it('EXPORT-08 one export at a time per key; bulkExportCancel stops one, deletes its file, and frees the key', async () => {
    const key = await createWorkspaceKey(gateway, 'default', ['conversations:read']);
    // Holding the conversations table keeps the first export RUNNING for as long as the test needs.
    const lock = await lockTable(gateway.databaseUrl, 'conversations', 'access exclusive');
    try {
      const first = (await create({ query: '{ conversations { nodes { id } } }' }, key.secret)).body.data!.bulkExportCreate.bulkExport;
      expect(first.status).toBe('CREATED');
      await lock.waitUntilBlocked(1);
      const second = await create({ query: '{ conversations { nodes { id subject } } }' }, key.secret);
      expect(second.body.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'BULK_EXPORT_IN_PROGRESS', bulkExportId: first.id });
      const running = (await graphql(exportQuery, { id: first.id }, key.secret)).body.data!.bulkExport;
      expect(running.status).toBe('RUNNING');
      const canceled = await graphql(cancelMutation, { input: { id: first.id } }, key.secret);
      expect(canceled.body.errors).toBeUndefined();
      expect(canceled.body.data!.bulkExportCancel.bulkExport).toMatchObject({ status: 'CANCELED', url: null });
    } finally {
      await lock.release();
    }
    const [first] = (await database.query(`select id from bulk_exports where api_key_id = $1`, [key.id])).rows;
    await pollUntil(async () => Number((await database.query('select count(*) from bulk_export_parts where export_id = $1', [first.id])).rows[0].count) === 0 && (await database.query(`select run_token from bulk_exports where id = $1`, [first.id])).rows[0].run_token === null, { timeoutMs: 10_000, description: 'the canceled run to stop' });
    const next = await runExport({ query: '{ conversations(filter: {tags: ["nested"]}) { nodes { id } } }' }, key.secret);
    expect(next.status).toBe('COMPLETED');
    const again = await graphql(cancelMutation, { input: { id: next.id } }, key.secret);
    expect(again.body.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', status: 'COMPLETED' });
    expect((await database.query('select count(*) from bulk_export_parts where export_id = $1', [first.id])).rows[0].count).toBe('0');
  });

  it('EXPORT-09 bulk_export.completed and bulk_export.failed go through the event catalogue, with no link', async () => {
    const done = await runExport({ query: '{ customers(first: 5) { nodes { id } } }' });
    const completed = (await database.query(`select data from events where type = 'bulk_export.completed' and data->'bulkExport'->>'id' = $1`, [done.id])).rows;
    expect(completed).toHaveLength(1);
    expect(completed[0].data.bulkExport).toMatchObject({ id: done.id, status: 'COMPLETED', objectCount: 40 });
    expect(JSON.stringify(completed[0].data)).not.toContain('signature');

    // A page that runs past STATEMENT_TIMEOUT fails the export (a retry would time out again), and says why.
    const lock = await lockTable(gateway.databaseUrl, 'customers', 'access exclusive');
    let failedId: string;
    try {
      failedId = (await create({ query: '{ customers { nodes { id } } }' })).body.data!.bulkExportCreate.bulkExport.id;
      const failed = await waitForEnd(failedId);
      expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'QUERY_TIMEOUT', url: null, objectCount: 0 });
    } finally {
      await lock.release();
    }
    expect((await database.query(`select count(*) from events where type = 'bulk_export.failed' and data->'bulkExport'->>'id' = $1`, [failedId!])).rows[0].count).toBe('1');
  });
});
