import pino from 'pino';
import { ConfigError, loadConfig } from '../config/config';
import { GatewayError } from '../platform/errors';
import { createLogger } from '../platform/observability/logger';
import { StartupError } from '../server/gateway-app';
import { keysCommand } from './keys.command';
import { migrateCommand } from './migrate.command';
import { seedCommand } from './seed.command';
import { serveCommand } from './serve.command';
import { UsageError } from './usage-error';

const usage = `usage: gateway <command>
  serve                       run the gateway (default)
  migrate                     apply pending database migrations
  keys create --name N --scopes a,b [--workspace SLUG] [--expires-in 90d] [--allow-ip CIDR,...] [--rate-limit 600/min] [--json]
  keys list [--workspace SLUG] [--json]
  keys revoke ID [--json]
  seed --demo [--conversations N] [--workspace SLUG] [--json]`;

/** Runs one CLI command; returns the process exit code. Failures print one line to stderr. */
export async function runCli(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  try {
    const config = loadConfig();
    // Only `serve` logs to stdout at the configured level; other commands keep stdout for results.
    const options = { isProduction: config.isProduction };
    const logger =
      command === 'serve'
        ? createLogger(config.logLevel, undefined, options)
        : createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2), options);
    switch (command) {
      case 'serve':
        await serveCommand(config, logger);
        return 0;
      case 'migrate':
        await migrateCommand(config, logger);
        return 0;
      case 'keys':
        await keysCommand(config, logger, rest);
        return 0;
      case 'seed':
        await seedCommand(config, logger, rest);
        return 0;
      case 'help':
      case '--help':
        process.stdout.write(`${usage}\n`);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    return reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`gateway: ${error.message}\n${usage}\n`);
    return 2;
  }
  if (error instanceof GatewayError) {
    const fieldErrors = (error.details.fieldErrors as { field: string; message: string }[] | undefined) ?? [];
    const detail = fieldErrors.map((fieldError) => `${cliFlagFor(fieldError.field)}: ${fieldError.message}`).join('; ');
    process.stderr.write(`gateway: ${error.code}: ${error.message}${detail ? ` (${detail})` : ''}\n`);
    return 1;
  }
  const isOneLiner = error instanceof ConfigError || error instanceof StartupError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`gateway: ${isOneLiner ? message : message.split('\n')[0]}\n`);
  return 1;
}

/** Input paths of the API, as the flags a CLI user typed. */
const flagsByInputField: Readonly<Record<string, string>> = {
  name: '--name',
  scopes: '--scopes',
  allowedCidrs: '--allow-ip',
  rateLimit: '--rate-limit',
  expiresAt: '--expires-in',
};

function cliFlagFor(inputPath: string): string {
  const [root, field] = inputPath.split('.');
  return root === 'input' && field && flagsByInputField[field] ? flagsByInputField[field] : inputPath;
}
