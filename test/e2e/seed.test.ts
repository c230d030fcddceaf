import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { buildChildEnvironment, runGatewayCommand, type CommandResult } from '../support/gateway-process';
import { testPepper } from '../support/start-gateway';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

/** What `seed --demo --json` prints as its last stdout line. */
interface SeedCounts {
  readonly workspace: string;
  readonly teams: number;
  readonly agents: number;
  readonly customers: number;
  readonly customerExternalIds: number;
  readonly conversations: number;
  readonly conversationExternalRefs: number;
  readonly messages: number;
  readonly conversationNotes: number;
  readonly customerNotes: number;
  readonly satisfactionFeedback: number;
}

const tableByCount: Readonly<Record<Exclude<keyof SeedCounts, 'workspace'>, string>> = {
  teams: 'teams',
  agents: 'agents',
  customers: 'customers',
  customerExternalIds: 'customer_external_ids',
  conversations: 'conversations',
  conversationExternalRefs: 'conversation_external_refs',
  messages: 'messages',
  conversationNotes: 'conversation_notes',
  customerNotes: 'customer_notes',
  satisfactionFeedback: 'satisfaction_feedback',
};

function parseLastJsonLine<T>(result: CommandResult): T {
  if (result.exitCode !== 0) throw new Error(`command failed with exit code ${result.exitCode}: ${result.stderr}`);
  const lines = result.stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

describe('gateway seed --demo', () => {
  let database: TestDatabase;
  let dataDir: string;
  let client: Client;
  let seedEnvironment: NodeJS.ProcessEnv;

  /** The one number a query returns. */
  const selectNumber = async (sql: string): Promise<number> => Number(Object.values((await client.query(sql)).rows[0])[0]);

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gateway-seed-'));
    // jest's global setup sets DATABASE_URL to the server; the child gets this test's own database.
    seedEnvironment = buildChildEnvironment({ DATABASE_URL: database.url, DATA_DIR: dataDir, API_KEY_PEPPER: testPepper });
    client = new Client({ connectionString: database.url });
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('fills an empty default workspace with a consistent 90-day support history and prints the counts as JSON', async () => {
    // Given a fresh database
    // When an operator seeds the demo data set
    const result = await runGatewayCommand(['seed', '--demo', '--json'], seedEnvironment);

    // Then the last stdout line counts what was written, and the tables hold exactly that
    const counts = parseLastJsonLine<SeedCounts>(result);
    expect(result.stderr).toBe('');
    expect(counts.workspace).toBe('default');
    expect(counts.teams).toBeGreaterThanOrEqual(3);
    expect(counts.agents).toBeGreaterThanOrEqual(10);
    expect(counts.customers).toBeGreaterThanOrEqual(300);
    expect(counts.conversations).toBeGreaterThanOrEqual(2000);
    expect(counts.messages).toBeGreaterThanOrEqual(2 * counts.conversations);
    expect(counts.satisfactionFeedback).toBeGreaterThan(0);
    await client.connect();
    for (const [count, table] of Object.entries(tableByCount)) {
      const inDefaultWorkspace = `select count(*) from ${table} join workspaces on workspaces.id = ${table}.workspace_id where workspaces.slug = 'default'`;
      expect({ table, rows: await selectNumber(inDefaultWorkspace) }).toEqual({ table, rows: counts[count as keyof typeof tableByCount] });
    }

    // And conversations span the last 90 days, each thread after its conversation began
    expect(await selectNumber(`select extract(epoch from max(created_at) - min(created_at)) / 86400 from conversations`)).toBeGreaterThan(80);
    expect(await selectNumber(`select count(*) from conversations where created_at > now()`)).toBe(0);
    expect(await selectNumber(`select count(*) from messages join conversations on conversations.id = messages.conversation_id where messages.created_at <= conversations.created_at`)).toBe(0);
    expect(await selectNumber(`select count(*) from conversations where (select count(*) from messages where conversation_id = conversations.id) not between 2 and 8`)).toBe(0);

    // And only resolved conversations have a resolution time, never before they began
    expect(await selectNumber(`select count(*) from conversations where status = 'resolved' and (resolved_at is null or resolved_at < created_at)`)).toBe(0);
    expect(await selectNumber(`select count(*) from conversations where status <> 'resolved' and resolved_at is not null`)).toBe(0);
    expect(await selectNumber(`select count(*) from conversations where first_response_at < created_at or last_activity_at < created_at`)).toBe(0);

    // And the external id tables mirror the JSON columns both ways
    expect(await selectNumber(`select count(*) from customer_external_ids`)).toBeGreaterThan(0);
    expect(await selectNumber(`
      select count(*) from customer_external_ids ids join customers on customers.id = ids.customer_id
      where customers.external_ids ->> ids.system is distinct from ids.external_id`)).toBe(0);
    expect(await selectNumber(`
      select count(*) from customers, jsonb_each_text(customers.external_ids) as entry
      where not exists (select 1 from customer_external_ids ids where ids.customer_id = customers.id and ids.system = entry.key and ids.external_id = entry.value)`)).toBe(0);
    expect(await selectNumber(`
      select count(*) from conversations, jsonb_array_elements(conversations.external_refs) as ref
      where not exists (select 1 from conversation_external_refs refs
        where refs.conversation_id = conversations.id and refs.system = ref ->> 'system' and refs.external_id = ref ->> 'externalId')`)).toBe(0);
    expect(await selectNumber(`select sum(jsonb_array_length(external_refs)) from conversations`)).toBe(counts.conversationExternalRefs);

    // And customers look like people: E.164 phones, and nothing was written to the event log
    expect(await selectNumber(`select count(*) from customers where phone !~ '^\\+[1-9][0-9]{7,14}$'`)).toBe(0);
    expect(await selectNumber(`select count(*) from events`)).toBe(0);
  }, 60_000);

  it('refuses a second seed of a workspace that has conversations: exit 1, one stderr line, nothing added', async () => {
    // Given the default workspace seeded by the test above
    const conversationsBefore = await selectNumber(`select count(*) from conversations`);
    expect(conversationsBefore).toBeGreaterThan(0);

    // When the operator seeds it again
    const result = await runGatewayCommand(['seed', '--demo', '--json'], seedEnvironment);

    // Then it exits 1 with one line saying why, and the data is unchanged
    expect(result.exitCode).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/workspace "default" already has \d+ conversations/);
    expect(await selectNumber(`select count(*) from conversations`)).toBe(conversationsBefore);
  }, 60_000);

  it('seeds N conversations a chunk at a time, and builds the analytics rollups once at the end', async () => {
    // When an operator seeds a second workspace with more conversations than one chunk holds
    const result = await runGatewayCommand(['seed', '--demo', '--conversations', '12000', '--workspace', 'large', '--json'], { ...seedEnvironment, LOG_LEVEL: 'warn' });

    // Then exactly that many conversations exist there, with ticket references unique across chunks
    const counts = parseLastJsonLine<SeedCounts>(result);
    expect(counts).toMatchObject({ workspace: 'large', conversations: 12000, customers: 400 });
    const inLarge = `workspace_id = (select id from workspaces where slug = 'large')`;
    expect(await selectNumber(`select count(*) from conversations where ${inLarge}`)).toBe(12000);

    // And the rollups count every conversation, resolution and message the history holds
    expect(await selectNumber(`select sum(created) from analytics_hourly where ${inLarge} and dimension = 'all'`)).toBe(12000);
    expect(await selectNumber(`select sum(created) from analytics_hourly where ${inLarge} and dimension = 'channel'`)).toBe(12000);
    expect(await selectNumber(`select sum(messages_in + messages_out) from analytics_hourly where ${inLarge} and dimension = 'all'`)).toBe(
      await selectNumber(`select count(*) from messages where ${inLarge} and author_type <> 'system'`),
    );
    expect(await selectNumber(`select sum(resolved) from analytics_hourly where ${inLarge} and dimension = 'all'`)).toBe(
      await selectNumber(`select count(*) from conversations where ${inLarge} and status = 'resolved'`),
    );
    expect(await selectNumber(`select sum(backlog) from analytics_hourly where ${inLarge} and dimension = 'all'`)).toBe(
      await selectNumber(`select count(*) from conversations where ${inLarge} and status <> 'resolved'`),
    );
  }, 120_000);

  it('refuses a conversation count it cannot seed', async () => {
    const result = await runGatewayCommand(['seed', '--demo', '--conversations', '0', '--workspace', 'none'], seedEnvironment);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--conversations takes a whole number from 1 to 5000000');
  });
});
