import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { testDatabaseName } from './stale-test-databases';

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests through jest (its global setup provides one)');
  return url;
}

/**
 * A fresh, empty database on the test server, so test files never see each other's rows. Its
 * name carries this process's pid, so the next run can drop it if this one dies before `drop`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = testDatabaseName(randomBytes(6).toString('hex'));
  const admin = new Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: serverUrl() });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
