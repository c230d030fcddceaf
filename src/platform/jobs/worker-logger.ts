import { Logger as WorkerLogger } from 'graphile-worker';
import type { Logger } from '../observability/logger';

/** graphile-worker's log lines through the gateway's logger. */
export function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger(() => (level, message, meta) => {
    // Its start and stop notes are routine: debug. Errors and warnings stay what they are.
    if (level === 'error') logger.error({ worker: meta }, message);
    else if (level === 'warning') logger.warn({ worker: meta }, message);
    else logger.debug({ worker: meta }, message);
  });
}
