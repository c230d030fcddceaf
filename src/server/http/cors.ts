import type { IncomingMessage, ServerResponse } from 'node:http';

/** Preflight answers are cached this long by browsers (Chromium caps it at 2 hours). */
export const preflightMaxAgeSeconds = 7200;
const allowedMethods = 'GET, POST, OPTIONS';
/** What browser code sends: credentials, bodies, idempotency keys, and graphql-sse's stream token. */
const allowedHeaders = 'authorization, content-type, accept, x-api-key, x-request-id, x-graphql-event-stream-token';
/** What browser code may read back: retry advice and the request id for support tickets. */
const exposedHeaders = 'X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy';

/**
 * CORS for `/graphql` and `/graphql/stream`, and the Origin check of WebSocket upgrades (which
 * browsers do not subject to CORS). Only CORS_ORIGINS get CORS headers; other origins get none,
 * so the browser withholds the answer. Same-origin pages (the GraphiQL the gateway serves) need
 * no headers and are never refused.
 */
export class CorsPolicy {
  private readonly origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.origins = new Set(origins);
  }

  /** Adds the headers an allowed origin's request needs; true when `request` was a preflight, now answered. */
  apply(request: IncomingMessage, response: ServerResponse): boolean {
    const origin = request.headers.origin;
    const isAllowed = origin !== undefined && this.origins.has(origin.toLowerCase());
    response.setHeader('Vary', 'Origin');
    if (isAllowed) {
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Access-Control-Expose-Headers', exposedHeaders);
    }
    if (request.method !== 'OPTIONS') return false;
    const headers: Record<string, string | number> = { allow: allowedMethods };
    if (isAllowed) {
      Object.assign(headers, {
        'access-control-allow-methods': allowedMethods,
        'access-control-allow-headers': allowedHeaders,
        'access-control-max-age': preflightMaxAgeSeconds,
      });
    }
    response.writeHead(204, headers).end();
    return true;
  }

  /** A WebSocket upgrade without `Origin` comes from a server; with one, only same-origin or CORS_ORIGINS pages may open it. */
  isUpgradeAllowed(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    return this.origins.has(origin.toLowerCase()) || isSameOrigin(origin, request.headers.host);
  }
}

function isSameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
