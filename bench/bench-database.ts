import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);
const cliPath = path.resolve(__dirname, '../dist/main.js');

export interface BenchDatabase {
  readonly url: string;
  /** What `gateway seed --demo` inserted, per table. */
  readonly rowCounts: Record<string, number>;
  /** Environment the gateway shares with the CLI that seeded it. */
  readonly environment: { readonly DATABASE_URL: string; readonly DATA_DIR: string; readonly API_KEY_PEPPER: string };
  /** An admin key with a rate limit no benchmark reaches. */
  readonly adminSecret: string;
  drop(): Promise<void>;
}

async function runSql(databaseUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The last stdout line of `node dist/main.js …`, which the CLI's --json makes one JSON object. */
async function runCli(args: string[], environment: BenchDatabase['environment']): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, [cliPath, ...args], { env: { ...process.env, ...environment, LOG_LEVEL: 'warn' } });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/** A fresh database on `serverUrl`'s server, filled by `gateway seed --demo`, with an admin key from `gateway keys create`. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `gw_bench_${randomBytes(6).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gateway-bench-'));
  const environment = { DATABASE_URL: url.toString(), DATA_DIR: dataDir, API_KEY_PEPPER: randomBytes(24).toString('hex') };
  const drop = async () => {
    await runSql(serverUrl, `drop database if exists ${name} with (force)`);
    await rm(dataDir, { recursive: true, force: true });
  };
  await runSql(serverUrl, `create database ${name}`);
  try {
    const { workspace: _workspace, ...rowCounts } = await runCli(['seed', '--demo', '--json'], environment);
    // Planner statistics now, not whenever autovacuum gets to it: a stale estimate (12 rows for
    // 3000) makes the page query sort the whole workspace instead of reading the index backwards.
    await runSql(environment.DATABASE_URL, 'analyze');
    const key = await runCli(['keys', 'create', '--name', 'bench', '--scopes', 'admin', '--rate-limit', '1000000/hour', '--json'], environment);
    return { url: environment.DATABASE_URL, rowCounts, environment, adminSecret: key.secret, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}
