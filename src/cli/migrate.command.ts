import type { Config } from '../config/config';
import { entities } from '../server/entities';
import { applyMigrations, connectOrm } from '../platform/database/orm';
import type { Logger } from '../platform/observability/logger';
import { openDatabaseTarget } from './database-target';

/** `gateway migrate`: applies pending migrations and exits. */
export async function migrateCommand(config: Config, logger: Logger): Promise<void> {
  const database = await openDatabaseTarget(config, logger);
  try {
    const orm = await connectOrm({ databaseUrl: database.url, entities, connectTimeoutMs: config.databaseConnectTimeoutMs });
    try {
      const applied = await applyMigrations(orm);
      process.stdout.write(applied.length ? `Applied ${applied.join(', ')}\n` : 'No pending migrations\n');
    } finally {
      await orm.close(true);
    }
  } finally {
    await database.release();
  }
}
