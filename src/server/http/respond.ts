import type { ServerResponse } from 'node:http';
import { httpStatusFor, type GatewayError } from '../../platform/errors';
import { extensionsOf } from '../../platform/errors';

export function writeJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  response.end(payload);
}

/**
 * A request refused before execution: the matching HTTP status and a GraphQL-shaped JSON body,
 * with `Retry-After` whenever the error says when to retry.
 */
export function writeRefusal(response: ServerResponse, error: GatewayError, requestId: string, headers: Record<string, string> = {}): void {
  const status = error.httpStatus ?? httpStatusFor(error.code);
  const { retryAfterSeconds } = error.details;
  const retryAfter: Record<string, string> = typeof retryAfterSeconds === 'number' ? { 'Retry-After': String(retryAfterSeconds) } : {};
  writeJson(response, status, { errors: [{ message: error.message, extensions: { ...extensionsOf(error), requestId } }] }, { ...retryAfter, ...headers });
}
