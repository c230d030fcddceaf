import { endCompressed } from './compression';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ApiKeyAuthenticator } from '../../modules/api-keys';
import { resolveClientIp, type TrustProxySetting } from '../../policies/auth/ip-allowlist';
import type { RequestContext } from '../../policies/request-context';
import type { RequestRateLimiter } from '../../policies/rate-limit/request-rate-limiter';
import type { FieldRateLimiter } from '../../policies/rate-limit/field-rate-limit';
import type { RefusalPacer } from '../../policies/rate-limit/refusal-pacer';
import { GatewayError, isDatabaseUnavailable, isInputRejectedByDatabase, temporarilyUnavailable, valueRejectedByDatabase } from '../../platform/errors';
import type { Logger } from '../../platform/observability/logger';
import { createRequestContext } from '../request-context-factory';
import type { UsageRecorder } from '../../modules/usage';
import { readBody } from './read-body';
import { writeRefusal } from './respond';
import { clientGoneSignal, oversizeRefusal } from './request-guards';
import { headerOf } from './header-of';

export interface GraphQLHandlerDependencies {
  readonly apollo: ApolloServer<RequestContext>;
  readonly orm: MikroORM;
  readonly authenticator: ApiKeyAuthenticator;
  readonly rateLimiter: RequestRateLimiter;
  /** Holds the 429s of a key that keeps sending before its Retry-After. */
  readonly refusalPacer: RefusalPacer;
  readonly fieldRateLimiter: FieldRateLimiter;
  readonly trustProxy: TrustProxySetting;
  readonly maxBodyBytes: number;
  /** A result larger than this is answered RESPONSE_TOO_LARGE instead. */
  readonly maxResponseBytes: number;
  readonly logger: Logger;
  /** Counts requests the rate limit refused (executed ones are counted by the Apollo plugin). */
  readonly usage?: UsageRecorder;
}

const jsonContentType = /^application\/json\s*(;|$)/i;

/**
 * `/graphql` over HTTP. Everything that can refuse a request before execution happens here,
 * in order: body size (413), key (401), IP allowlist (403), rate limit (429), content type
 * (415), JSON syntax (400). Execution itself is Apollo's.
 */
export function createGraphQLHandler(deps: GraphQLHandlerDependencies) {
  return async (request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> => {
    const refuse = (error: GatewayError, headers: Record<string, string> = {}) => writeRefusal(response, error, requestId, headers);
    try {
      const rawBody = request.method === 'POST' ? await readBody(request, deps.maxBodyBytes) : '';
      const em = deps.orm.em.fork({ useContext: true });
      const clientIp = resolveClientIp(request.socket.remoteAddress ?? '', headerOf(request, 'x-forwarded-for'), deps.trustProxy);
      const principal = await deps.authenticator.authenticate(em, { authorization: headerOf(request, 'authorization'), apiKey: headerOf(request, 'x-api-key'), clientIp, origin: headerOf(request, 'origin') });
      const decision = await deps.rateLimiter.consume(principal.credentialId, principal.rateLimit);
      for (const [name, value] of Object.entries(decision.headers)) response.setHeader(name, value);
      if (decision.refusal) {
        deps.logger.info({ requestId, apiKeyId: principal.apiKeyId, code: decision.refusal.code }, 'request refused');
        const { workspaceId, apiKeyId } = principal;
        deps.usage?.record({ workspaceId, apiKeyId, operation: operationNameOf(rawBody), outcome: decision.refusal.code, durationMs: 0, cost: 0 });
        await deps.refusalPacer.pace(principal.credentialId, Number(decision.refusal.details.retryAfterSeconds ?? 1));
        return refuse(decision.refusal);
      }

      const body = parseBody(request, rawBody);
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const context = createRequestContext(deps, principal, requestId, em, clientGoneSignal(response, deps.logger, requestId));
      const result = await deps.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: searchOf(request), body },
        context: async () => context,
      });
      const oversize = result.body.kind === 'complete' ? oversizeRefusal(result.body.string, deps.maxResponseBytes) : undefined;
      if (oversize) throw oversize;
      if (result.status === 429) await deps.refusalPacer.pace(principal.credentialId, Number(result.headers.get('retry-after') ?? 1));
      for (const [name, value] of result.headers) response.setHeader(name, value);
      response.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') return await endCompressed(response, result.body.string, headerOf(request, 'accept-encoding'));
      let writtenBytes = 0;
      for await (const chunk of result.body.asyncIterator) {
        writtenBytes += Buffer.byteLength(chunk);
        // Too late for an error answer: the status went out with the first chunk.
        if (writtenBytes > deps.maxResponseBytes) return void response.destroy();
        response.write(chunk);
      }
      response.end();
    } catch (error) {
      if (response.headersSent) return void response.destroy();
      if (error instanceof GatewayError) {
        deps.logger.info({ requestId, code: error.code, reason: error.message }, 'request refused');
        return refuse(error, error.httpStatus === 413 ? { connection: 'close' } : {});
      }
      if (isInputRejectedByDatabase(error)) return refuse(valueRejectedByDatabase());
      if (isDatabaseUnavailable(error)) return refuse(temporarilyUnavailable(), { 'Retry-After': '1' });
      deps.logger.error({ err: error, requestId }, 'request failed before execution');
      return refuse(new GatewayError('INTERNAL_SERVER_ERROR', 'Internal server error'));
    }
  };
}

function searchOf(request: IncomingMessage): string {
  const url = request.url ?? '';
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? '' : url.slice(queryStart);
}

function parseBody(request: IncomingMessage, rawBody: string): unknown {
  if (request.method !== 'POST') return undefined;
  const contentType = headerOf(request, 'content-type') ?? '';
  if (!jsonContentType.test(contentType)) {
    throw new GatewayError('BAD_USER_INPUT', 'Send the request as "Content-Type: application/json"', {}, 415);
  }
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new GatewayError('BAD_USER_INPUT', 'The request body is not valid JSON', {}, 400);
  }
}

/**
 * The operation name of a refused request, as Apollo would report it had it run: the body's
 * operationName, or the first named operation in its query. A refusal is not worth a full parse.
 */
function operationNameOf(rawBody: string): string | undefined {
  try {
    const { operationName, query } = JSON.parse(rawBody) as { operationName?: unknown; query?: unknown };
    if (typeof operationName === 'string') return operationName;
    return typeof query === 'string' ? /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(query)?.[1] : undefined;
  } catch {
    return undefined;
  }
}
