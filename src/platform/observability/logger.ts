import pino, { type Logger } from 'pino';
import { loggableErrorSerializer } from './loggable-error';

export type { Logger };

/**
 * Paths that may hold a secret anywhere in a log object. Redaction is the last line of
 * defence; code should not pass secrets to the logger in the first place.
 */
const redactedPaths = [
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'password',
  '*.password',
  'pepper',
  '*.pepper',
  'databaseUrl',
  'redisUrl',
];

export interface LoggerOptions {
  /** Production logs carry no error messages, only value-free fields (see loggable-error.ts). */
  readonly isProduction?: boolean;
}

export function createLogger(level: string, destination?: pino.DestinationStream, options: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      serializers: { err: loggableErrorSerializer(options.isProduction ?? false) },
      base: { service: 'support-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
