/** Every `extensions.code` the gateway sends (DESIGN.md §2). Clients switch on these strings. */
export const errorCodes = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_REQUEST_IN_PROGRESS',
  'QUERY_TOO_COMPLEX',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'INTERNAL_SERVER_ERROR',
  /** A statement ran past STATEMENT_TIMEOUT; `timeoutMs`. Not retryable: ask for less (a smaller page, a shorter range). */
  'QUERY_TIMEOUT',
  /** The result was larger than MAX_RESPONSE_BYTES; `maxBytes`. Not retryable: select fewer fields or a smaller page. */
  'RESPONSE_TOO_LARGE',
  /** The client went away mid-request and the rest was not run. No client sees it: it names the outcome in metrics and usage. */
  'CLIENT_CLOSED_REQUEST',
  /** An automatic persisted query's hash is not known here: send the query with it once (Apollo's code, which its clients act on). */
  'PERSISTED_QUERY_NOT_FOUND',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** The HTTP status for a request refused before execution with this code. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'RATE_LIMITED':
      return 429;
    case 'BAD_USER_INPUT':
    case 'PERSISTED_QUERY_NOT_FOUND':
    case 'GRAPHQL_PARSE_FAILED':
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'QUERY_TOO_COMPLEX':
    case 'QUERY_TIMEOUT':
    case 'RESPONSE_TOO_LARGE':
      return 400;
    case 'CLIENT_CLOSED_REQUEST':
      // nginx's code for it; never sent, since the client is gone.
      return 499;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
    case 'IDEMPOTENCY_KEY_REUSED':
    case 'IDEMPOTENCY_REQUEST_IN_PROGRESS':
      return 409;
    case 'INTERNAL_SERVER_ERROR':
      return 500;
  }
}
