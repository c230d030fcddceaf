import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export async function runSql(url: string, sql: string, parameters: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, parameters)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on `serverUrl`'s server, as test/support/test-database.ts makes one. */
export async function createDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<unknown> }> {
  const name = `gw_bench_events_${randomBytes(6).toString('hex')}`;
  await runSql(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => runSql(serverUrl, `drop database if exists ${name} with (force)`) };
}
