import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { openEmbeddedDatabase } from '../src/platform/database/embedded-postgres';
import { benchCostBudget } from './cost-figures';
import { loadFixture, type FixtureSize } from './fixture';

const run = promisify(execFile);
const cliPath = path.resolve(__dirname, '../dist/main.js');

/** SQL statements the server ran for one database, from pg_stat_statements. */
export interface StatementCounter {
  reset(): Promise<void>;
  count(): Promise<number>;
  close(): Promise<void>;
}

export interface SuiteDatabase {
  readonly url: string;
  /** Where the server lives: a fresh embedded cluster, or DATABASE_URL's server. */
  readonly serverUrl: string;
  readonly serverVersion: string;
  /** Environment the gateway shares with the CLI that migrated it. */
  readonly environment: { readonly DATABASE_URL: string; readonly DATA_DIR: string; readonly API_KEY_PEPPER: string };
  readonly adminSecret: string;
  /** A second key of the same workspace with the server's default limits: the noisy neighbour. */
  readonly neighbourSecret: string;
  readonly workspaceId: string;
  readonly rowCounts: Record<string, number>;
  readonly fixtureMs: number;
  /** Null when the server has not preloaded pg_stat_statements. */
  readonly statements: StatementCounter | null;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function runCli(args: string[], environment: SuiteDatabase['environment']): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, [cliPath, ...args], { env: { ...process.env, ...environment, LOG_LEVEL: 'warn' } });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

async function openStatementCounter(url: string): Promise<StatementCounter | null> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('create extension if not exists pg_stat_statements');
    await client.query('select pg_stat_statements_reset()');
  } catch {
    // Not preloaded on this server: the suite falls back to the gateway's own count.
    await client.end();
    return null;
  }
  return {
    reset: async () => void (await client.query('select pg_stat_statements_reset()')),
    count: async () => {
      const { rows } = await client.query(
        `select coalesce(sum(s.calls), 0)::int as calls from pg_stat_statements s join pg_database d on d.oid = s.dbid
         where d.datname = current_database() and s.query not ilike '%pg_stat_statements%'`,
      );
      return rows[0].calls as number;
    },
    close: () => client.end(),
  };
}

/**
 * A fresh database for one suite run: on `serverUrl` when given, else in a new embedded cluster
 * with pg_stat_statements preloaded; migrated, with an admin key and the fixture loaded.
 */
export async function createSuiteDatabase(serverUrl: string | undefined, size: FixtureSize): Promise<SuiteDatabase> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'gateway-bench-suite-'));
  // As root, the embedded server runs as user postgres, which must be able to enter it (mkdtemp makes it 0700).
  await chmod(scratch, 0o755);
  const cleanups: (() => Promise<unknown>)[] = [() => rm(scratch, { recursive: true, force: true })];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    let url: string;
    let server: string;
    if (serverUrl) {
      const name = `gw_bench_${randomBytes(6).toString('hex')}`;
      await withClient(serverUrl, (client) => client.query(`create database ${name}`));
      cleanups.push(() => withClient(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`)));
      const target = new URL(serverUrl);
      target.pathname = `/${name}`;
      url = target.toString();
      server = serverUrl;
    } else {
      const embedded = await openEmbeddedDatabase(path.join(scratch, 'postgres'), () => {}, { shared_preload_libraries: 'pg_stat_statements', jit: 'off' });
      cleanups.push(() => embedded.stop());
      url = embedded.url;
      server = embedded.url;
    }
    const environment = { DATABASE_URL: url, DATA_DIR: path.join(scratch, 'data'), API_KEY_PEPPER: randomBytes(24).toString('hex') };
    // Creating a key migrates the database and creates the default workspace.
    const key = await runCli(['keys', 'create', '--name', 'bench', '--scopes', 'admin', '--rate-limit', '1000000/hour', '--cost-budget', benchCostBudget, '--json'], environment);
    // An ordinary key: the server's default request count (600 a minute) and cost budget (2,000 points, 100 a second).
    const neighbour = await runCli(['keys', 'create', '--name', 'neighbour', '--scopes', 'conversations:read,customers:read', '--json'], environment);
    const workspaceId: string = await withClient(url, async (client) => (await client.query(`select id from workspaces where slug = 'default'`)).rows[0].id);
    const fixture = await loadFixture(url, workspaceId, size);
    const serverVersion: string = await withClient(url, async (client) => {
      // Planner statistics now, not whenever autovacuum gets to them.
      await client.query('analyze');
      return (await client.query('show server_version')).rows[0].server_version;
    });
    const statements = await openStatementCounter(url);
    if (statements) cleanups.push(() => statements.close());
    return {
      url, serverUrl: server, serverVersion, environment, adminSecret: key.secret, neighbourSecret: neighbour.secret, workspaceId, rowCounts: fixture.rowCounts, fixtureMs: fixture.ms, statements, drop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
