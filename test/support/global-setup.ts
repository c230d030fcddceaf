import path from 'node:path';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../src/platform/database/embedded-postgres';
import { dropStaleTestDatabases } from './stale-test-databases';

declare global {
  // eslint-disable-next-line no-var
  var embeddedTestDatabase: EmbeddedDatabase | undefined;
}

/**
 * Tests use DATABASE_URL when set; otherwise one embedded PostgreSQL for the whole run. Either
 * way, databases that earlier runs left behind (a teardown that never ran) are dropped first.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    const dataDir = path.resolve(__dirname, '../../.data-test');
    globalThis.embeddedTestDatabase = await openEmbeddedDatabase(dataDir);
    process.env.DATABASE_URL = globalThis.embeddedTestDatabase.url;
  }
  try {
    const { dropped } = await dropStaleTestDatabases(process.env.DATABASE_URL);
    if (dropped.length > 0) console.log(`\nDropped ${dropped.length} test database(s) left by runs that ended without their teardown: ${dropped.join(', ')}`);
  } catch (error) {
    // Leftovers cost disk, not correctness: a failed clean-up must not stop the run.
    console.warn(`\nCould not clean up stale test databases: ${(error as Error).message}`);
  }
}
