import type { ErrorCode } from './error-codes';

export interface FieldError {
  /** Dotted path into the input, e.g. `input.scopes.1` */
  readonly field: string;
  readonly message: string;
}

/**
 * An expected failure with a stable code. Anything thrown that is not a GatewayError is
 * reported to the client as INTERNAL_SERVER_ERROR with no detail.
 */
export class GatewayError<Code extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    /** Extra `extensions` fields, part of the public contract for that code. */
    readonly details: Readonly<Record<string, unknown>> = {},
    /** HTTP status when this error refuses a whole request; defaults from the code. */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export const unauthenticated = (message: string) => new GatewayError('UNAUTHENTICATED', message);

export const notFound = (what: string) => new GatewayError('NOT_FOUND', `${what} not found`);

export const badUserInput = (fieldErrors: readonly FieldError[], message = 'The input is invalid') =>
  new GatewayError('BAD_USER_INPUT', message, { fieldErrors });

export const forbiddenScopes = (
  requiredScopes: readonly (readonly string[])[],
  grantedScopes: readonly string[],
  message = 'The API key lacks a scope this field requires',
) => new GatewayError('FORBIDDEN', message, { requiredScopes, grantedScopes });

/** `budget` names the limit exhausted: `requests` (the key's request count), `field` (a field's own limit). Cost budgets are `apiKey` and `workspace`. */
export const rateLimited = (retryAfterSeconds: number, budget: 'requests' | 'field' = 'field') =>
  new GatewayError('RATE_LIMITED', `Rate limit exceeded; retry in ${retryAfterSeconds} s`, { retryAfterSeconds, budget });

/** The database or another dependency is briefly unreachable: retry the same request. */
export const temporarilyUnavailable = () =>
  new GatewayError('INTERNAL_SERVER_ERROR', 'The service is temporarily unavailable; retry shortly', { isRetryable: true }, 503);

/** A statement ran past the API's statement_timeout; `timeoutMs` when the formatter knows it. */
export const queryTimedOut = (timeoutMs: number | undefined) =>
  new GatewayError(
    'QUERY_TIMEOUT',
    'The request took longer than the database time limit; ask for less (a smaller page, a shorter range, fewer fields)',
    timeoutMs === undefined ? {} : { timeoutMs },
  );

export const responseTooLarge = (maxBytes: number) =>
  new GatewayError('RESPONSE_TOO_LARGE', `The result is larger than ${maxBytes} bytes; select fewer fields or a smaller page`, { maxBytes });

export const clientClosedRequest = () => new GatewayError('CLIENT_CLOSED_REQUEST', 'The client closed the connection before the answer was ready');
