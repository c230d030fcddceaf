import path from 'node:path';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../src/platform/database/embedded-postgres';

declare global {
  // eslint-disable-next-line no-var
  var embeddedTestDatabase: EmbeddedDatabase | undefined;
}

/** Tests use DATABASE_URL when set; otherwise one embedded PostgreSQL for the whole run. */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const dataDir = path.resolve(__dirname, '../../.data-test');
  globalThis.embeddedTestDatabase = await openEmbeddedDatabase(dataDir);
  process.env.DATABASE_URL = globalThis.embeddedTestDatabase.url;
}
