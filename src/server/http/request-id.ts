import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const acceptablePattern = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keeps a caller's X-Request-Id when it is safe to log and echo; otherwise makes one. */
export function requestIdOf(request: IncomingMessage): string {
  const offered = request.headers['x-request-id'];
  return typeof offered === 'string' && acceptablePattern.test(offered) ? offered : randomUUID();
}
