import { MikroORM, type EntityClass, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from '../observability/logger';
import { migrationsList } from './migrations';

export type Orm = MikroORM;

export interface OrmSettings {
  readonly databaseUrl: string;
  readonly entities: readonly EntityClass<unknown>[];
  readonly connectTimeoutMs: number;
  readonly poolSize?: number;
  /**
   * statement_timeout for every connection of the pool, in ms; none when unset or 0. The API's
   * pool sets it (STATEMENT_TIMEOUT); the CLI's (seeding a million rows) does not. Migrations
   * lift it (applyMigrations). The webhook dispatcher and the retention jobs share the API's
   * pool and keep it: their statements work in bounded batches (1,000 events per endpoint pass,
   * 5,000 rows per delete), and a batch that times out is logged and runs again. The LISTEN and
   * usage connections are clients of their own, without it.
   */
  readonly statementTimeoutMs?: number;
  /** Receives the driver's own warnings (dropped connections and the like), which would otherwise go to the console. */
  readonly logger?: Logger;
  /** Called for every SQL statement sent, e.g. to count them. */
  readonly onStatement?: () => void;
}

export function ormOptions(settings: OrmSettings): Options {
  return {
    clientUrl: settings.databaseUrl,
    entities: [...settings.entities],
    extensions: [Migrator],
    // Migrations are listed in code, so the same list works from ts-jest, ts-node and dist/.
    migrations: { migrationsList, transactional: true, allOrNothing: true, disableForeignKeys: false, silent: true },
    // A busy pool may make a request wait; an unreachable server fails at connect, not here.
    pool: { min: 0, max: settings.poolSize ?? 10, acquireTimeoutMillis: Math.max(settings.connectTimeoutMs, 10_000) },
    driverOptions: {
      // No JIT: the gateway's statements are short, and compiling one costs more than running it
      // (half a second for an analytics statement over a few thousand rows, measured).
      // statement_timeout is set at connect, in the startup packet: no statement per request.
      connection: { connectionTimeoutMillis: settings.connectTimeoutMs, options: `-c jit=off${statementTimeoutOption(settings.statementTimeoutMs)}` },
      log: driverLog(settings.logger),
    },
    // One fork per request is created explicitly; touching the global manager is a bug.
    allowGlobalContext: false,
    debug: false,
    onQuery: (sql) => {
      settings.onStatement?.();
      return sql;
    },
    discovery: { warnWhenNoEntities: false },
  };
}

/** Connects and checks the connection; throws when PostgreSQL does not answer. */
export async function connectOrm(settings: OrmSettings): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(settings));
  if (!(await orm.isConnected())) {
    await orm.close(true);
    throw new Error('PostgreSQL did not answer');
  }
  return orm;
}

/**
 * Applies pending migrations in one transaction, without the pool's statement_timeout: a
 * migration may rewrite or index a large table, and a start that fails halfway is worse.
 */
export async function applyMigrations(orm: Orm): Promise<string[]> {
  const connection = orm.em.getConnection();
  const applied = await connection.transactional(async (transaction) => {
    await connection.execute('set local statement_timeout = 0', [], 'run', transaction);
    return orm.getMigrator().up({ transaction });
  });
  return applied.map((migration) => migration.name);
}

function statementTimeoutOption(timeoutMs: number | undefined): string {
  return timeoutMs ? ` -c statement_timeout=${Math.round(timeoutMs)}` : '';
}

export async function hasPendingMigrations(orm: Orm): Promise<boolean> {
  return (await orm.getMigrator().getPendingMigrations()).length > 0;
}

/**
 * knex's own warnings, as "<what happened>: <detail>". Only the part before the first colon is
 * logged: the detail of "Connection Error: …" is the connection's last error, whose message knex
 * has rewritten to hold the failed statement with its parameters inlined.
 */
function driverLog(logger: Logger | undefined) {
  const write = (level: 'debug' | 'warn' | 'error') => (message: unknown) =>
    logger?.[level]({ driver: String(message).split(':', 1)[0].slice(0, 200) }, 'database driver');
  return { debug: write('debug'), warn: write('warn'), error: write('error'), deprecate: write('debug') };
}
