import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Client } from 'pg';
import { postGraphQL } from '../support/graphql-client';
import { buildChildEnvironment, findFreePort, spawnGatewayServer, type GatewayProcess } from '../support/gateway-process';
import { lockTable } from '../support/lock-table';
import { pollUntil } from '../support/poll-until';
import { startGateway, testPepper, type TestGateway } from '../support/start-gateway';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { insertBareConversations, withoutTriggers } from '../support/seed-support-data';

const conversationCount = 10_000;
const wideConversationCount = 40_000;
const lease = '900ms';

async function createExport(port: number, secret: string, query: string): Promise<string> {
  const created = await postGraphQL(`http://127.0.0.1:${port}/graphql`, 'mutation C($q: String!) { bulkExportCreate(input: {query: $q}) { bulkExport { id } } }', { q: query }, { secret });
  return created.body.data!.bulkExportCreate.bulkExport.id;
}

const exportProgress = async (client: Client, id: string) => (await client.query('select status, part_count, object_count, attempts from bulk_exports where id = $1', [id])).rows[0];

/** The export's stored parts with their row versions (xmin): a part rewritten gets a new one. */
const storedParts = async (client: Client, id: string) => (await client.query('select part_number, xmin::text as version, data from bulk_export_parts where export_id = $1 order by part_number', [id])).rows;

describe('EXPORT-CRASH: an export whose process is killed goes on from its last checkpoint', () => {
  let database: TestDatabase;
  let child: GatewayProcess | undefined;
  let successor: TestGateway | undefined;
  let client: Client;
  afterAll(async () => {
    child?.child.kill('SIGKILL');
    await successor?.stop();
    await client?.end();
    await database?.drop();
  });

  it('EXPORT-10 kill -9 mid-export: another instance takes it over after the lease, keeps the stored parts and writes every line exactly once', async () => {
    database = await createTestDatabase();
    const port = await findFreePort();
    const env = buildChildEnvironment({ DATABASE_URL: database.url, DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'gateway-export-crash-')), PORT: String(port), API_KEY_PEPPER: testPepper, LOG_LEVEL: 'warn', BULK_EXPORT_LEASE: lease });
    child = spawnGatewayServer(env);
    const [, secret] = await child.waitForStdout(/secret: (sgw_\S+)/);
    client = new Client({ connectionString: database.url });
    await client.connect();
    const workspaceId = (await client.query(`select id from workspaces where slug = 'default'`)).rows[0].id;
    await insertBareConversations(client, workspaceId, conversationCount, 'Crash');
    // Rows only, as insertBareConversations: no figure is read here.
    await withoutTriggers(client, () =>
      client.query(
        `insert into messages (id, workspace_id, conversation_id, author_type, body, created_at)
         select 'msg_' || lpad(n::text, 19, '0') || m, $1, 'conv_' || lpad(n::text, 20, '0'), 'customer', 'Body ' || n || '.' || m, now()
         from generate_series(1, $2) n, generate_series(1, 2) m`,
        [workspaceId, conversationCount],
      ),
    );
    const query = '{ conversations(orderBy: {field: CREATED_AT, direction: ASC}) { nodes { id subject messages { nodes { id body } } } } }';
    const id = await createExport(port, secret, query);

    // Once a part is stored, hold the messages table: the run stops inside its next page. Then kill it.
    const progressOf = () => exportProgress(client, id);
    await pollUntil(async () => (await progressOf()).part_count >= 1, { timeoutMs: 30_000, intervalMs: 5, description: 'a first stored part' });
    const lock = await lockTable(database.url, 'messages', 'access exclusive');
    await lock.waitUntilBlocked(1);
    const atKill = await progressOf();
    expect(atKill.status).toBe('RUNNING');
    expect(Number(atKill.object_count)).toBeLessThan(conversationCount * 3);
    const storedBeforeKill = await storedParts(client, id);
    child.child.kill('SIGKILL');
    await child.exited;
    child = undefined;
    await lock.release();

    // Another instance: its recovery sweep finds the silent export once the lease has passed.
    successor = await startGateway({ database, env: { BULK_EXPORT_LEASE: lease } });
    await pollUntil(async () => (await progressOf()).status === 'COMPLETED', { timeoutMs: 60_000, description: 'the export to complete on the other instance' });
    const done = await progressOf();
    expect(done.attempts).toBe(2);
    expect(Number(done.object_count)).toBe(conversationCount * 3);

    const parts = await storedParts(client, id);
    // The parts stored before the kill are the same rows, never rewritten (same xmin): the second run resumed, it did not start over.
    expect(parts.slice(0, storedBeforeKill.length)).toEqual(storedBeforeKill);
    const lines = gunzipSync(Buffer.concat(parts.map((part) => part.data))).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(conversationCount * 3);
    expect(new Set(lines.map((line) => line.id)).size).toBe(conversationCount * 3);
    const conversations = lines.filter((line) => line.__parentId === undefined);
    expect(conversations.map((line) => line.subject)).toEqual(Array.from({ length: conversationCount }, (_, index) => `Crash ${index + 1}`));
  }, 120_000);

  it('EXPORT-11 kill -9 mid-export on lines PostgreSQL renders (COPY, a part read ahead): the next run goes on from the last stored part, every line exactly once', async () => {
    const sqlDatabase = await createTestDatabase();
    const port = await findFreePort();
    const env = buildChildEnvironment({ DATABASE_URL: sqlDatabase.url, DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'gateway-export-crash-sql-')), PORT: String(port), API_KEY_PEPPER: testPepper, LOG_LEVEL: 'warn', BULK_EXPORT_LEASE: lease });
    let sqlChild: GatewayProcess | undefined = spawnGatewayServer(env);
    let sqlSuccessor: TestGateway | undefined;
    const sqlClient = new Client({ connectionString: sqlDatabase.url });
    try {
      const [, secret] = await sqlChild.waitForStdout(/secret: (sgw_\S+)/);
      await sqlClient.connect();
      const workspaceId = (await sqlClient.query(`select id from workspaces where slug = 'default'`)).rows[0].id;
      await insertBareConversations(sqlClient, workspaceId, wideConversationCount, 'Crash');
      // Lines of about 2 KB: parts of about 2,000 rows, so the run stores several before it ends.
      await withoutTriggers(sqlClient, () => sqlClient.query(`update conversations set metadata = jsonb_build_object('padding', repeat(md5(id), 64))`));
      const query = '{ conversations(orderBy: {field: CREATED_AT, direction: ASC}) { nodes { id subject metadata } } }';
      const id = await createExport(port, secret, query);

      const progressOf = () => exportProgress(sqlClient, id);
      await pollUntil(async () => (await progressOf()).part_count >= 1, { timeoutMs: 30_000, intervalMs: 5, description: 'a first stored part' });
      // Hold the conversations table: the statements of the parts after those in flight wait. Then kill the process.
      const lock = await lockTable(sqlDatabase.url, 'conversations', 'access exclusive');
      await pollUntil(
        async () => (await sqlClient.query(`select count(*)::int as blocked from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows[0].blocked >= 1,
        { timeoutMs: 10_000, intervalMs: 20, description: 'the next part waiting on the lock' },
      );
      const atKill = await progressOf();
      expect(atKill.status).toBe('RUNNING');
      expect(Number(atKill.object_count)).toBeLessThan(wideConversationCount);
      const storedBeforeKill = await storedParts(sqlClient, id);
      sqlChild.child.kill('SIGKILL');
      await sqlChild.exited;
      sqlChild = undefined;
      await lock.release();

      sqlSuccessor = await startGateway({ database: sqlDatabase, env: { BULK_EXPORT_LEASE: lease } });
      await pollUntil(async () => (await progressOf()).status === 'COMPLETED', { timeoutMs: 60_000, description: 'the export to complete on the other instance' });
      const done = await progressOf();
      expect(done.attempts).toBe(2);
      expect(Number(done.object_count)).toBe(wideConversationCount);
      const parts = await storedParts(sqlClient, id);
      expect(parts.slice(0, storedBeforeKill.length)).toEqual(storedBeforeKill);
      expect(parts.length).toBeGreaterThan(storedBeforeKill.length);
      const lines = gunzipSync(Buffer.concat(parts.map((part) => part.data))).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
      expect(lines.map((line) => line.subject)).toEqual(Array.from({ length: wideConversationCount }, (_, index) => `Crash ${index + 1}`));
    } finally {
      sqlChild?.child.kill('SIGKILL');
      await sqlSuccessor?.stop();
      await sqlClient.end();
      await sqlDatabase.drop();
    }
  }, 120_000);
});
