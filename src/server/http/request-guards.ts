import type { ServerResponse } from 'node:http';
import { responseTooLarge, type GatewayError } from '../../platform/errors';
import type { Logger } from '../../platform/observability/logger';

/**
 * Aborts when the client goes away before its answer is written (the response closes
 * unfinished), so the request's remaining fields start no more database work.
 */
export function clientGoneSignal(response: ServerResponse, logger: Logger, requestId: string): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (response.writableFinished) return;
    controller.abort();
    logger.info({ requestId }, 'client closed the request; its remaining work is skipped');
  });
  return controller.signal;
}

/**
 * RESPONSE_TOO_LARGE when `body` is over `maxBytes` of UTF-8. A UTF-16 unit is at most 3 bytes,
 * so bodies shorter than a third of the limit are let through without counting.
 */
export function oversizeRefusal(body: string, maxBytes: number): GatewayError | undefined {
  if (body.length * 3 <= maxBytes || Buffer.byteLength(body) <= maxBytes) return undefined;
  return responseTooLarge(maxBytes);
}
