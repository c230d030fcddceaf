import type { Config } from '../config/config';
import type { Logger } from '../platform/observability/logger';
import { startGatewayApp } from '../server/gateway-app';
import { openDatabaseTarget } from './database-target';

/** `gateway serve`: runs until SIGINT/SIGTERM, then drains requests and stops cleanly. */
export async function serveCommand(config: Config, logger: Logger): Promise<void> {
  const startedAt = performance.now();
  const database = await openDatabaseTarget(config, logger);
  let app;
  try {
    app = await startGatewayApp(config, database.url, logger);
  } catch (error) {
    await database.release();
    throw error;
  }
  if (app.bootstrapKey) {
    // stdout, not the log: the one time this secret is shown, and it must not reach log storage.
    process.stdout.write(
      `\nCreated workspace "default" and an admin API key. Store the secret now; it is not shown again:\n\n` +
        `  id:     ${app.bootstrapKey.apiKey.id}\n  secret: ${app.bootstrapKey.secret}\n\n`,
    );
  }
  logger.info({ url: `${app.url}/graphql`, startupMs: Math.round(performance.now() - startedAt) }, 'gateway listening');

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
  await database.release();
  logger.info('stopped');
}
