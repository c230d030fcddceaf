/**
 * One webhook POST behind the SSRF guard. Redirects are returned, never followed (a 3xx could
 * point anywhere). Connections are kept alive and reused per host (`keepAliveAgents`): a new
 * connection per attempt cost about 300 µs of CPU per delivery to an instant receiver, a TLS
 * handshake each against real ones.
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { checkWebhookUrl, guardedLookup, UnsafeUrlError, type OutboundPolicy, type ResolveHostname } from './ssrf-guard';

export const bodyExcerptLimitBytes = 64 * 1024;

export interface GuardedPostOptions {
  /** Deadline for the whole exchange: lookup, connect, TLS, request and response up to the excerpt. */
  readonly timeoutMs: number;
  readonly policy: OutboundPolicy;
  /** Replaces the system resolver, e.g. in tests to make a public-looking name resolve to loopback. */
  readonly resolveHostname?: ResolveHostname;
  /** POST unless the endpoint asks for PUT. */
  readonly method?: 'POST' | 'PUT';
}

export interface GuardedPostResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The first 64 KB of the response body, decoded as UTF-8. */
  readonly bodyExcerpt: string;
  /** The body was longer than the excerpt; the rest was not read. */
  readonly isBodyTruncated: boolean;
  /** From the call to the end of the excerpt, rounded to whole milliseconds. */
  readonly durationMs: number;
}

/**
 * - `timeout`: no complete response within `timeoutMs`.
 * - `refused_address`: the URL or an address its host resolved to is not allowed by the policy.
 * - `connection_error`: DNS failure, refused connection, TLS failure, connection reset.
 */
export type OutboundRequestErrorCode = 'timeout' | 'refused_address' | 'connection_error';

export class OutboundRequestError extends Error {
  override readonly name = 'OutboundRequestError';

  constructor(
    readonly code: OutboundRequestErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An idle connection is closed after this, or sooner when the receiver's `Keep-Alive: timeout` hint says so. */
const idleConnectionMs = 4_000;

interface KeepAliveAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

const agentsByPolicy = new WeakMap<OutboundPolicy, Map<ResolveHostname | undefined, KeepAliveAgents>>();

/**
 * Keep-alive agents for one policy and resolver. Every socket they open connects through the
 * guarded lookup (an agent's options go into each connection it makes), so a pooled socket only
 * ever leads to an address the guard allowed under this very policy; agents pool per host and
 * port. IP-literal hosts never reach a lookup: `postWithGuard` checks the URL on every call.
 */
function keepAliveAgents(policy: OutboundPolicy, resolveHostname: ResolveHostname | undefined): KeepAliveAgents {
  let byResolver = agentsByPolicy.get(policy);
  if (!byResolver) agentsByPolicy.set(policy, (byResolver = new Map()));
  let agents = byResolver.get(resolveHostname);
  if (!agents) {
    const options = { keepAlive: true, timeout: idleConnectionMs, lookup: guardedLookup(policy, resolveHostname) };
    agents = { http: new http.Agent(options), https: new https.Agent(options) };
    byResolver.set(resolveHostname, agents);
  }
  return agents;
}

function toOutboundRequestError(error: unknown): OutboundRequestError {
  if (error instanceof UnsafeUrlError) return new OutboundRequestError('refused_address', error.reason, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new OutboundRequestError('connection_error', message, { cause: error });
}

/**
 * POSTs (or PUTs) `body` to `url` and resolves with any HTTP response, 3xx, 4xx and 5xx included; rejects
 * with OutboundRequestError when there is none. The URL is checked again here because an
 * IP-literal host never goes through the guarded lookup. Sets `content-length`.
 */
export function postWithGuard(
  url: string | URL,
  body: string | Uint8Array,
  headers: Readonly<Record<string, string>>,
  options: GuardedPostOptions,
): Promise<GuardedPostResponse> {
  const startedAt = performance.now();
  let target: URL;
  try {
    target = checkWebhookUrl(String(url), options.policy);
  } catch (error) {
    return Promise.reject(toOutboundRequestError(error));
  }
  const isHttps = target.protocol === 'https:';
  const agents = keepAliveAgents(options.policy, options.resolveHostname);

  return new Promise((resolve, reject) => {
    let isTimedOut = false;
    const request = (isHttps ? https : http).request(target, {
      method: options.method ?? 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: isHttps ? agents.https : agents.http,
    });
    const timer = setTimeout(() => {
      isTimedOut = true;
      request.destroy(new Error('timed out'));
    }, options.timeoutMs);

    const fail = (error: unknown) => {
      clearTimeout(timer);
      reject(
        isTimedOut
          ? new OutboundRequestError('timeout', `no complete response within ${options.timeoutMs} ms`)
          : toOutboundRequestError(error),
      );
    };

    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let excerptLength = 0;
      let isBodyTruncated = false;
      const succeed = () => {
        clearTimeout(timer);
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          bodyExcerpt: Buffer.concat(chunks).toString('utf8'),
          isBodyTruncated,
          durationMs: Math.round(performance.now() - startedAt),
        });
      };
      response.on('data', (chunk: Buffer) => {
        const remaining = bodyExcerptLimitBytes - excerptLength;
        chunks.push(chunk.subarray(0, remaining));
        excerptLength += Math.min(chunk.length, remaining);
        if (chunk.length > remaining) {
          isBodyTruncated = true;
          succeed();
          response.destroy();
        }
      });
      response.on('end', succeed);
      response.on('error', fail);
      // A settled promise ignores this; otherwise the connection ended mid-body.
      response.on('close', () => fail(new Error('the connection closed before the response body ended')));
    });
    request.end(body);
  });
}
