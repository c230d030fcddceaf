/**
 * One webhook POST behind the SSRF guard. Redirects are returned, never followed (a 3xx could
 * point anywhere). Each call opens its own connection: a pooled socket could have been opened
 * to an address the guard never saw.
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

function toOutboundRequestError(error: unknown): OutboundRequestError {
  if (error instanceof UnsafeUrlError) return new OutboundRequestError('refused_address', error.reason, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new OutboundRequestError('connection_error', message, { cause: error });
}

/**
 * POSTs `body` to `url` and resolves with any HTTP response, 3xx, 4xx and 5xx included; rejects
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
  const transport = target.protocol === 'https:' ? https : http;

  return new Promise((resolve, reject) => {
    let isTimedOut = false;
    const request = transport.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(options.policy, options.resolveHostname),
      agent: false,
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
