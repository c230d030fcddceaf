import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, getOperationAST, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { ApiKeyAuthenticator } from '../../modules/api-keys';
import { resolveClientIp, type TrustProxySetting } from '../../policies/auth/ip-allowlist';
import type { Principal } from '../../policies/auth/principal';
import type { RequestRateLimiter } from '../../policies/rate-limit/request-rate-limiter';
import { GatewayError, extensionsOf, formatGraphQLError } from '../../platform/errors';
import { createRequestContext, type ContextDependencies } from '../request-context-factory';
import { SubscriptionSockets } from './subscription-sockets';

export interface GraphQLWebSocketDependencies extends ContextDependencies {
  readonly server: Server;
  readonly schema: GraphQLSchema;
  readonly authenticator: ApiKeyAuthenticator;
  readonly rateLimiter: RequestRateLimiter;
  readonly trustProxy: TrustProxySetting;
  readonly maxSubscriptionsPerKey: number;
}

/** A client that stops reading is cut off once this much is queued for it. */
const maxBufferedBytes = 1_048_576;

type Extra = { principal?: Principal; entry?: ReturnType<SubscriptionSockets['add']> };

/**
 * graphql-ws (subprotocol graphql-transport-ws) on `/graphql`. Only subscriptions run here, and
 * they pass the same gates as HTTP: the key (in connection_init), its IP allowlist, its rate
 * limit, the scope directives and the same error model.
 */
export function attachGraphQLWebSocket(deps: GraphQLWebSocketDependencies): { readonly openSocketCount: number; close(): Promise<void> } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  deps.server.on('upgrade', (request, socket, head) => {
    if ((request.url ?? '').split('?')[0] !== '/graphql') return void socket.destroy();
    wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request));
  });
  const sockets = new SubscriptionSockets(deps.orm, deps.maxSubscriptionsPerKey, (error) => deps.logger.warn({ err: error }, 'revocation sweep failed'));
  const refuse = (error: GatewayError, requestId: string) => [new GraphQLError(error.message, { originalError: error, extensions: { ...extensionsOf(error), requestId } })];

  const disposable = useServer<{ authorization?: unknown }, Extra>(
    {
      schema: deps.schema,
      onConnect: async (ctx) => {
        const request = ctx.extra.request;
        const forwardedFor = request.headers['x-forwarded-for'];
        const clientIp = resolveClientIp(request.socket.remoteAddress ?? '', Array.isArray(forwardedFor) ? forwardedFor[0] : forwardedFor, deps.trustProxy);
        const authorization = ctx.connectionParams?.authorization;
        try {
          const principal = await deps.authenticator.authenticate(deps.orm.em.fork(), typeof authorization === 'string' ? authorization : undefined, clientIp);
          ctx.extra.principal = principal;
          ctx.extra.entry = sockets.add(principal.apiKeyId, ctx.extra.socket, ctx.subscriptions);
          return true;
        } catch (error) {
          deps.logger.info({ reason: (error as Error).message }, 'websocket connection refused');
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const requestId = randomUUID();
        const principal = ctx.extra.principal!;
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return refuse(new GatewayError('GRAPHQL_PARSE_FAILED', (error as Error).message), requestId);
        }
        const validationErrors = validate(deps.schema, document);
        if (validationErrors.length > 0) return refuse(new GatewayError('GRAPHQL_VALIDATION_FAILED', validationErrors[0].message), requestId);
        if (getOperationAST(document, payload.operationName)?.operation !== 'subscription') {
          return refuse(new GatewayError('BAD_USER_INPUT', 'Only subscriptions run over WebSocket; send queries and mutations over HTTP'), requestId);
        }
        const decision = await deps.rateLimiter.consume(principal.apiKeyId, principal.rateLimit);
        if (decision.refusal) return refuse(decision.refusal, requestId);
        if (sockets.isOverCap(ctx.extra.entry!)) {
          return refuse(new GatewayError('RATE_LIMITED', `At most ${deps.maxSubscriptionsPerKey} concurrent subscriptions per API key`, { retryAfterSeconds: 5 }), requestId);
        }
        return {
          schema: deps.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          // graphql-ws waits for each send, so a client that stops reading stalls its stream: drop it.
          contextValue: { ...createRequestContext(deps, principal, requestId), cutOff: () => ctx.extra.socket.terminate() },
        };
      },
      onNext: (ctx, _id, _payload, args, result) => {
        if (ctx.extra.socket.bufferedAmount > maxBufferedBytes) ctx.extra.socket.terminate();
        if (!result.errors) return undefined;
        const requestId = (args.contextValue as { requestId: string }).requestId;
        return { ...result, errors: result.errors.map((error) => withRequestId(formatGraphQLError(error.toJSON(), error), requestId)) };
      },
      // Refusals from onSubscribe arrive here already in the gateway's shape; keep them as they are.
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => (error.originalError instanceof GatewayError ? error.toJSON() : formatGraphQLError(error.toJSON(), error))),
    },
    wss,
  );

  return {
    get openSocketCount() {
      return sockets.openSocketCount;
    },
    async close() {
      sockets.stop();
      await disposable.dispose();
    },
  };
}

function withRequestId<T extends { extensions?: Record<string, unknown> }>(error: T, requestId: string): T {
  return { ...error, extensions: { ...error.extensions, requestId } };
}
