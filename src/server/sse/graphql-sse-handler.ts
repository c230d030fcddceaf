import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse';
import type { ApiKeyAuthenticator } from '../../modules/api-keys';
import { resolveClientIp, type TrustProxySetting } from '../../policies/auth/ip-allowlist';
import type { Principal } from '../../policies/auth/principal';
import { rateLimitHeaders, type CostGate } from '../../policies/cost/cost-gate';
import type { RefusalPacer } from '../../policies/rate-limit/refusal-pacer';
import type { RequestRateLimiter } from '../../policies/rate-limit/request-rate-limiter';
import { GatewayError, isDatabaseUnavailable, isInputRejectedByDatabase, temporarilyUnavailable, valueRejectedByDatabase, type ErrorFormatting } from '../../platform/errors';
import { readBody } from '../http/read-body';
import { writeRefusal } from '../http/respond';
import { createRequestContext, type ContextDependencies } from '../request-context-factory';
import { SubscriptionDocuments } from '../subscriptions/subscription-documents';
import { admitSubscription } from '../subscriptions/subscription-admission';
import { formatResult } from '../subscriptions/subscription-shapes';
import { pipeEventStream } from './pipe-event-stream';
import { OpenStreams, type OpenStream } from './open-streams';
import type { SubscriptionSlots } from '../subscription-slots';
import { headerOf } from '../http/header-of';
import type { CompiledExecution } from '../../platform/execution';

export interface GraphQLSseDependencies extends ContextDependencies {
  readonly schema: GraphQLSchema;
  readonly execution: CompiledExecution;
  readonly authenticator: ApiKeyAuthenticator;
  readonly rateLimiter: RequestRateLimiter;
  /** The same pacer as HTTP's: a credential that reopens streams before its Retry-After waits for its 429. */
  readonly refusalPacer?: RefusalPacer;
  readonly trustProxy: TrustProxySetting;
  readonly maxBodyBytes: number;
  /** The per-key cap on concurrent subscriptions, shared with graphql-ws. */
  readonly subscriptionSlots: SubscriptionSlots;
  readonly costGate?: CostGate;
  readonly maxTokens?: number;
  readonly errorFormatting?: ErrorFormatting;
}

/** What one `/graphql/stream` request carries through graphql-sse's hooks. */
interface StreamRequest {
  readonly requestId: string;
  readonly response: ServerResponse;
  readonly clientIp: string;
  principal?: Principal;
  stream?: OpenStream;
}

const eventStreamType = 'text/event-stream';
const acceptsEventStream = /(^|,)\s*text\/event-stream\s*(;|,|$)/i;

/**
 * graphql-sse on `/graphql/stream`, distinct connections mode: each subscription is its own
 * event stream, opened by GET or POST with `Accept: text/event-stream`. Only subscriptions run
 * here, behind the same gates as HTTP and WebSocket: the key (Authorization header), its IP
 * allowlist, its rate limit, the scope directives and the same error model. A request refused
 * before its stream opens gets the JSON refusal `/graphql` gives, with the matching status.
 */
export function createGraphQLSseHandler(deps: GraphQLSseDependencies) {
  const documents = new SubscriptionDocuments(deps.schema, { maxTokens: deps.maxTokens, hideSuggestions: deps.errorFormatting?.hideSuggestions });
  const openStreams = new OpenStreams(deps.orm, deps.subscriptionSlots, (error) => deps.logger.warn({ err: error }, 'revocation sweep failed'));
  const flowing = new Set<Promise<void>>();
  let isClosing = false;

  const sse = createHandler<IncomingMessage, StreamRequest, Record<PropertyKey, unknown>>({
    schema: deps.schema,
    // onSubscribe validates, so that an invalid document is refused before the stream opens.
    validate: () => [],
    // Each event's selection runs on the plan HTTP requests use.
    subscribe: (args) => deps.execution.subscribe(args),
    authenticate: async ({ headers, context }) => {
      const principal = await deps.authenticator.authenticate(deps.orm.em.fork(), { authorization: headers.get('authorization') ?? undefined, apiKey: headers.get('x-api-key') ?? undefined, clientIp: context.clientIp, origin: headers.get('origin') ?? undefined });
      const decision = await deps.rateLimiter.consume(principal.credentialId, principal.rateLimit);
      for (const [name, value] of Object.entries(decision.headers)) context.response.setHeader(name, value);
      if (decision.refusal) {
        await deps.refusalPacer?.pace(principal.credentialId, Number(decision.refusal.details.retryAfterSeconds ?? 1));
        throw decision.refusal;
      }
      context.principal = principal;
      // No token: distinct connections mode only, so no stream reservations to keep or expire.
      return null;
    },
    onSubscribe: async ({ context }, params) => {
      const principal = context.principal!;
      const notASubscription = 'Only subscriptions run over /graphql/stream; send queries and mutations to /graphql';
      const { document, admission } = await admitSubscription({ schema: deps.schema, documents, costGate: deps.costGate }, principal, params, notASubscription);
      context.stream = openStreams.tryOpen(principal);
      if (!context.stream) {
        void admission?.settle(undefined);
        throw new GatewayError('RATE_LIMITED', `At most ${deps.subscriptionSlots.maxPerKey} concurrent subscriptions per API key, WebSocket and SSE together`, { retryAfterSeconds: 5, budget: 'subscriptions' });
      }
      for (const [name, value] of Object.entries(rateLimitHeaders(admission?.report.throttleStatus ?? null))) context.response.setHeader(name, value);
      return {
        schema: deps.schema,
        document,
        operationName: params.operationName,
        variableValues: params.variables,
        // graphql-sse types contexts as records, which an interface is not.
        contextValue: createRequestContext(deps, principal, context.requestId) as unknown as Record<PropertyKey, unknown>,
      };
    },
    // Results go out through JSON.stringify, so formatted errors travel as they are.
    onNext: (_contextValue, { context }, result) => (result.errors ? (formatResult(result as ExecutionResult, context.requestId, deps.errorFormatting) as ExecutionResult) : undefined),
  });

  async function handle(request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> {
    const forwardedFor = headerOf(request, 'x-forwarded-for');
    const context: StreamRequest = { requestId, response, clientIp: resolveClientIp(request.socket.remoteAddress ?? '', forwardedFor, deps.trustProxy) };
    try {
      if (isClosing) throw temporarilyUnavailable();
      if (!acceptsEventStream.test(headerOf(request, 'accept') ?? '')) {
        throw new GatewayError('BAD_USER_INPUT', `Send "Accept: ${eventStreamType}": this endpoint answers with an event stream`, {}, 406);
      }
      const body = request.method === 'POST' ? await readBody(request, deps.maxBodyBytes) : null;
      const [events, init] = await sse({
        method: request.method ?? 'GET',
        url: request.url ?? '',
        // graphql-sse compares Accept exactly; any header that passed the check above means a stream.
        headers: { get: (name) => (name === 'accept' ? eventStreamType : headerOf(request, name)) },
        body,
        raw: request,
        context,
      });
      if (events === null || typeof events === 'string') {
        // graphql-sse refused the request parameters itself (bad JSON, missing query, media type).
        throw new GatewayError('BAD_USER_INPUT', firstErrorMessage(events) ?? init.statusText, {}, init.status);
      }
      if (isClosing) {
        void events.return(undefined);
        throw temporarilyUnavailable();
      }
      response.writeHead(init.status, init.statusText, init.headers);
      const piped = pipeEventStream(events, response, context.stream!, requestId);
      flowing.add(piped);
      await piped.finally(() => flowing.delete(piped));
    } catch (error) {
      if (response.headersSent) return void response.destroy();
      if (error instanceof GatewayError) {
        deps.logger.info({ requestId, code: error.code, reason: error.message }, 'stream refused');
        return writeRefusal(response, error, requestId, error.httpStatus === 503 ? { 'Retry-After': '1' } : {});
      }
      if (isInputRejectedByDatabase(error)) return writeRefusal(response, valueRejectedByDatabase(), requestId);
      if (isDatabaseUnavailable(error)) return writeRefusal(response, temporarilyUnavailable(), requestId, { 'Retry-After': '1' });
      deps.logger.error({ err: error, requestId }, 'stream failed before it opened');
      return writeRefusal(response, new GatewayError('INTERNAL_SERVER_ERROR', 'Internal server error'), requestId);
    } finally {
      if (context.stream) openStreams.release(context.stream);
    }
  }

  return {
    handle,
    get openStreamCount() {
      return openStreams.openStreamCount;
    },
    /** Refuses new streams and ends the open ones, so that the HTTP drain does not wait on them. */
    async close(): Promise<void> {
      isClosing = true;
      openStreams.stop();
      await Promise.all(flowing);
    },
  };
}

function firstErrorMessage(body: string | null): string | undefined {
  try {
    return body ? (JSON.parse(body) as { errors?: { message?: string }[] }).errors?.[0]?.message : undefined;
  } catch {
    return undefined;
  }
}
