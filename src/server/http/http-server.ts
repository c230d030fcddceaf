import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpTimeouts } from '../../config/config';
import type { CorsPolicy } from './cors';
import type { GraphiQLPage } from '../graphiql/graphiql-page';
import { GatewayError } from '../../platform/errors';
import type { Logger } from '../../platform/observability/logger';
import { requestIdOf } from './request-id';
import { writeJson, writeRefusal } from './respond';

export interface Routes {
  readonly graphql: (request: IncomingMessage, response: ServerResponse, requestId: string) => Promise<void>;
  /** Subscriptions over Server-Sent Events (graphql-sse). */
  readonly graphqlStream: (request: IncomingMessage, response: ServerResponse, requestId: string) => Promise<void>;
  /** `/scim/v2/…`: SCIM 2.0 provisioning of agents (Users) and teams (Groups). */
  readonly scim: (request: IncomingMessage, response: ServerResponse, requestId: string) => Promise<void>;
  /** `GET /exports/<id>`: an export's file. */
  readonly exportDownload: (request: IncomingMessage, response: ServerResponse, requestId: string) => Promise<void>;
  /** Database reachable and migrations applied. */
  readonly isReady: () => Promise<boolean>;
  readonly metrics: () => Promise<{ contentType: string; body: string }>;
  readonly cors: CorsPolicy;
  readonly graphiql: GraphiQLPage;
}

/** Plain node:http routing: six paths do not need a framework, and the body limits stay ours. */
export function createHttpServer(routes: Routes, logger: Logger, timeouts: HttpTimeouts): Server {
  const options = { headersTimeout: timeouts.headersTimeoutMs, requestTimeout: timeouts.requestTimeoutMs };
  const server = createServer(options, (request, response) => {
    const requestId = requestIdOf(request);
    response.setHeader('X-Request-Id', requestId);
    route(routes, request, response, requestId).catch((error) => {
      logger.error({ err: error, requestId }, 'unhandled request failure');
      if (!response.headersSent) writeRefusal(response, new GatewayError('INTERNAL_SERVER_ERROR', 'Internal server error'), requestId);
      else response.destroy();
    });
  });
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  return server;
}

async function route(routes: Routes, request: IncomingMessage, response: ServerResponse, requestId: string): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (await routes.graphiql.serve(request, response)) return;
  if (path.startsWith('/exports/')) return routes.exportDownload(request, response, requestId);
  if (path === '/scim/v2' || path.startsWith('/scim/v2/')) return routes.scim(request, response, requestId);
  switch (path) {
    case '/graphql':
    case '/graphql/stream':
      if (routes.cors.apply(request, response)) return;
      if (request.method !== 'GET' && request.method !== 'POST') {
        return writeRefusal(response, new GatewayError('BAD_USER_INPUT', 'Use GET or POST', {}, 405), requestId, { allow: 'GET, POST, OPTIONS' });
      }
      return (path === '/graphql' ? routes.graphql : routes.graphqlStream)(request, response, requestId);
    case '/healthz':
      return writeJson(response, 200, { status: 'ok' });
    case '/readyz': {
      const isReady = await routes.isReady().catch(() => false);
      return writeJson(response, isReady ? 200 : 503, { status: isReady ? 'ready' : 'unavailable' });
    }
    case '/metrics': {
      const { contentType, body } = await routes.metrics();
      response.writeHead(200, { 'content-type': contentType });
      return void response.end(body);
    }
    default:
      return writeRefusal(response, new GatewayError('NOT_FOUND', `No route ${path}`), requestId);
  }
}
