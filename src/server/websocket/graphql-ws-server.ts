import type { CorsPolicy } from '../http/cors';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, createSourceEventStream, type DocumentNode, type GraphQLSchema } from 'graphql';
import { makeServer } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiKeyAuthenticator } from '../../modules/api-keys';
import { EventStream } from '../../modules/events';
import { resolveClientIp, type TrustProxySetting } from '../../policies/auth/ip-allowlist';
import type { Principal } from '../../policies/auth/principal';
import type { RequestRateLimiter } from '../../policies/rate-limit/request-rate-limiter';
import type { RequestContext } from '../../policies/request-context';
import { GatewayError, extensionsOf, formatGraphQLError, type ErrorFormatting } from '../../platform/errors';
import { createRequestContext, type ContextDependencies } from '../request-context-factory';
import { SubscriptionDocuments } from '../subscriptions/subscription-documents';
import { admitSubscription, type AdmittedSubscription } from '../subscriptions/subscription-admission';
import type { CostGate } from '../../policies/cost/cost-gate';
import { SubscriptionShapes, formatResult, withRequestId } from '../subscriptions/subscription-shapes';
import type { CompiledExecution } from '../../platform/execution';
import { serveGraphQLWs } from './graphql-ws-adapter';
import { SocketDelivery } from './socket-delivery';
import { SubscriptionSockets, type OpenSocket } from './subscription-sockets';
import type { SubscriptionSlots } from '../subscription-slots';

export interface GraphQLWebSocketDependencies extends ContextDependencies {
  readonly server: Server;
  readonly schema: GraphQLSchema;
  /** Runs each event's selection on the plan HTTP requests use. */
  readonly execution: CompiledExecution;
  readonly authenticator: ApiKeyAuthenticator;
  readonly rateLimiter: RequestRateLimiter;
  readonly trustProxy: TrustProxySetting;
  /** Which browser pages may open a socket (CORS_ORIGINS and same-origin). */
  readonly cors: CorsPolicy;
  /** A larger message closes the socket with 1009 (Message Too Big); the same limit as an HTTP body. */
  readonly maxMessageBytes: number;
  /** The per-key cap on concurrent subscriptions, shared with SSE. */
  readonly subscriptionSlots: SubscriptionSlots;
  readonly errorFormatting?: ErrorFormatting;
  readonly costGate?: CostGate;
  readonly maxTokens?: number;
}

/** Pings each socket this often (as graphql-ws's own adapter does); one that does not answer is dropped. */
const keepAliveMs = 12_000;

interface Extra {
  readonly socket: WebSocket;
  readonly clientIp: string;
  /** The upgrade's `Origin`: browsers send one, server-side clients none. */
  readonly origin: string | undefined;
  principal?: Principal;
  entry?: OpenSocket;
  /** Drops the socket under a subscriber that cannot keep up. */
  cutOff?: () => void;
}

/**
 * graphql-ws (subprotocol graphql-transport-ws) on `/graphql`. Only subscriptions run here, and
 * they pass the same gates as HTTP: the key (in connection_init), its IP allowlist, its rate
 * limit, the scope directives and the same error model.
 */
export function attachGraphQLWebSocket(deps: GraphQLWebSocketDependencies): { readonly openSocketCount: number; close(): Promise<void> } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxMessageBytes });
  deps.server.on('upgrade', (request, socket, head) => {
    if ((request.url ?? '').split('?')[0] !== '/graphql') return void socket.destroy();
    if (!deps.cors.isUpgradeAllowed(request)) return void socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request));
  });
  const sockets = new SubscriptionSockets(deps.orm, deps.subscriptionSlots, (error) => deps.logger.warn({ err: error }, 'revocation sweep failed'));
  const documents = new SubscriptionDocuments(deps.schema, { maxTokens: deps.maxTokens, hideSuggestions: deps.errorFormatting?.hideSuggestions });
  const shapes = new SubscriptionShapes(deps.execution, deps.errorFormatting);
  const refuse = (error: GatewayError, requestId: string) => [new GraphQLError(error.message, { originalError: error, extensions: { ...extensionsOf(error), requestId } })];

  const protocol = makeServer<{ authorization?: unknown }, Extra>({
    schema: deps.schema,
    onConnect: async (ctx) => {
      const authorization = ctx.connectionParams?.authorization;
      try {
        const principal = await deps.authenticator.authenticate(deps.orm.em.fork(), { authorization: typeof authorization === 'string' ? authorization : undefined, clientIp: ctx.extra.clientIp, origin: ctx.extra.origin });
        const socket = ctx.extra.socket;
        ctx.extra.principal = principal;
        ctx.extra.entry = sockets.add(principal, socket);
        ctx.extra.cutOff = () => socket.terminate();
        return true;
      } catch (error) {
        deps.logger.info({ reason: (error as Error).message }, 'websocket connection refused');
        return false;
      }
    },
    // `payload` is one object per subscribe message, passed to every later hook of that operation:
    // it names the operation whose slot to give back, whatever id the client reuses meanwhile.
    onSubscribe: async (ctx, _id, payload) => {
      const requestId = newRequestId();
      const principal = ctx.extra.principal!;
      const decision = await deps.rateLimiter.consume(principal.credentialId, principal.rateLimit);
      if (decision.refusal) return refuse(decision.refusal, requestId);
      let admitted: AdmittedSubscription;
      try {
        admitted = await admitSubscription({ schema: deps.schema, documents, costGate: deps.costGate }, principal, payload, 'Only subscriptions run over WebSocket; send queries and mutations over HTTP');
      } catch (error) {
        if (error instanceof GatewayError) return refuse(error, requestId);
        throw error;
      }
      const { document } = admitted;
      // The last check, with no await after it: a refusal never holds a slot.
      if (!sockets.tryTakeSlot(ctx.extra.entry!, payload)) {
        void admitted.admission?.settle(undefined);
        const maxPerKey = deps.subscriptionSlots.maxPerKey;
        return refuse(new GatewayError('RATE_LIMITED', `At most ${maxPerKey} concurrent subscriptions per API key, WebSocket and SSE together`, { retryAfterSeconds: 5, budget: 'subscriptions' }), requestId);
      }
      return {
        schema: deps.schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: Object.assign(createRequestContext(deps, principal, requestId), { cutOff: ctx.extra.cutOff }),
      };
    },
    // Only the field's event stream: onOperation turns it into deliveries executed per shape.
    subscribe: async (args) => {
      const source = await createSourceEventStream(args);
      if (source instanceof EventStream) return source as AsyncIterable<never>;
      if ('errors' in source) return source;
      throw new Error('Subscription fields must return an EventStream');
    },
    onOperation: (ctx, id, payload, args, result) => {
      // A refusal by the field (scopes, arguments) is a result: it goes out through onNext, then `complete`.
      if (!(result instanceof EventStream)) return undefined;
      const context = args.contextValue as RequestContext;
      const shape = shapes.acquire(payload, { ...args, contextValue: context });
      // The slot is given back as the stream stops: a client's `complete` stops it at once, so a
      // resubscribe right after it is not refused.
      return new SocketDelivery(ctx.extra.socket, id, context.requestId, shape, result, () => {
        shapes.release(shape);
        sockets.releaseSlot(ctx.extra.entry!, payload);
      });
    },
    // Ends that never made a stream (a refusal by the field) arrive here or at onError.
    onComplete: (ctx, _id, payload) => sockets.releaseSlot(ctx.extra.entry!, payload),
    onNext: (_ctx, _id, _payload, args, result) => formatResult(result, (args.contextValue as RequestContext).requestId, deps.errorFormatting),
    // Refusals from onSubscribe arrive here already in the gateway's shape; a failed stream (a bad
    // `after`, overflow) is formatted like any result error.
    onError: (ctx, id, payload, errors) => {
      sockets.releaseSlot(ctx.extra.entry!, payload);
      const subscription = ctx.subscriptions[id];
      const requestId = subscription instanceof SocketDelivery ? subscription.requestId : undefined;
      return errors.map((error) => {
        if (error.extensions.code !== undefined || requestId === undefined) return error.toJSON();
        return withRequestId(formatGraphQLError(error.toJSON(), error.originalError ?? error, deps.errorFormatting), requestId);
      });
    },
  });
  const disposable = serveGraphQLWs(protocol, wss, {
    keepAliveMs,
    extraOf: (socket, request) => {
      const forwardedFor = request.headers['x-forwarded-for'];
      const clientIp = resolveClientIp(request.socket.remoteAddress ?? '', Array.isArray(forwardedFor) ? forwardedFor[0] : forwardedFor, deps.trustProxy);
      return { socket, clientIp, origin: request.headers.origin };
    },
    onError: (error, message) => deps.logger.error({ err: error }, message),
  });

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

/**
 * A request id per subscription, held while it lives. `randomUUID()` returns a string built from
 * twenty pieces, some 400 bytes more than its 36 characters; copying it keeps the flat string only.
 */
function newRequestId(): string {
  return Buffer.from(randomUUID(), 'latin1').toString('latin1');
}
