import type { Config } from '../config/config';
import type { Logger } from '../platform/observability/logger';
import { startGatewayApp } from '../server/gateway-app';
import { openDatabaseTarget } from './database-target';

/** `gateway serve`: runs until SIGINT/SIGTERM, then drains requests and stops cleanly. */
export async function serveCommand(config: Config, logger: Logger): Promise<void> {
  const startedAt = performance.now();
  // Listen from the first moment, so a signal during start-up still stops what was started.
  let stopRequested: (signal: NodeJS.Signals) => void = () => {};
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (stopRequested = resolve));
  process.once('SIGINT', stopRequested);
  process.once('SIGTERM', stopRequested);

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

  logger.info({ signal: await stopSignal }, 'shutting down');
  await app.close();
  await database.release();
  logger.info('stopped');
}
