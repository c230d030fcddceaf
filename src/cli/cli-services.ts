import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config/config';
import { resolveApiKeyPepper } from '../modules/api-keys';
import { createServices, type Services } from '../server/services';
import { applyMigrations, connectOrm } from '../platform/database/orm';
import type { Logger } from '../platform/observability/logger';
import { parseRateLimit } from '../policies/rate-limit/rate-limit-spec';
import { entities } from '../server/entities';
import { openDatabaseTarget } from './database-target';

export interface CliServices extends Services {
  readonly em: EntityManager;
}

/** Opens the database (migrated), runs `work`, and closes everything whatever happens. */
export async function withCliServices<T>(config: Config, logger: Logger, work: (services: CliServices) => Promise<T>): Promise<T> {
  const database = await openDatabaseTarget(config, logger);
  try {
    const orm = await connectOrm({ databaseUrl: database.url, entities, connectTimeoutMs: config.databaseConnectTimeoutMs, poolSize: 2 });
    try {
      await applyMigrations(orm);
      const pepper = await resolveApiKeyPepper(config.apiKeyPepper, config.dataDir);
      return await work({ em: orm.em.fork(), ...createServices({ pepper, defaultRateLimit: parseRateLimit(config.defaultRateLimit)! }) });
    } finally {
      await orm.close(true);
    }
  } finally {
    await database.release();
  }
}
