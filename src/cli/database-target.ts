import type { Config } from '../config/config';
import { openEmbeddedDatabase } from '../platform/database/embedded-postgres';
import type { Logger } from '../platform/observability/logger';

export interface DatabaseTarget {
  readonly url: string;
  /** Stops the embedded PostgreSQL when this process started it; otherwise nothing. */
  release(): Promise<void>;
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL under DATA_DIR, joined when a server
 * already runs it, so the CLI never starts a second PostgreSQL on the same files.
 */
export async function openDatabaseTarget(config: Config, logger: Logger): Promise<DatabaseTarget> {
  if (config.databaseUrl) return { url: config.databaseUrl, release: async () => {} };
  const embedded = await openEmbeddedDatabase(config.dataDir, (line) => logger.debug({ postgres: line }, 'embedded postgres'));
  logger.info({ dataDir: config.dataDir, isOwnedByThisProcess: embedded.isOwnedByThisProcess }, 'embedded PostgreSQL ready');
  return { url: embedded.url, release: () => embedded.stop() };
}
