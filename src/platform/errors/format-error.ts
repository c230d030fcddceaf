import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { ErrorCode } from './error-codes';
import { GatewayError, queryTimedOut, temporarilyUnavailable } from './gateway-error';
import { isDatabaseUnavailable, isStatementTimeout } from './database-unavailable';
import { isInputRejectedByDatabase, valueRejectedByDatabase } from './database-rejected-input';

/**
 * Codes Apollo gives the request errors it detects itself (syntax, validation, variable
 * coercion), mapped onto ours so clients see one vocabulary. Errors from our resolvers never
 * carry these: Apollo codes those INTERNAL_SERVER_ERROR unless they are GatewayErrors.
 */
const apolloRequestCodes: Readonly<Record<string, ErrorCode>> = {
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'GRAPHQL_VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'BAD_USER_INPUT',
};

/** True for the errors Apollo raises about the request itself, as opposed to failures while resolving. */
export const isRequestError = (formattedCode: unknown): boolean => typeof formattedCode === 'string' && formattedCode in apolloRequestCodes;

/** Turns a domain error into the `extensions` the client sees. */
export function extensionsOf(error: GatewayError): Record<string, unknown> {
  return { code: error.code, ...error.details };
}

/** What the formatter needs to know of the server's settings. */
export interface ErrorFormatting {
  /** The API's statement_timeout, reported as QUERY_TIMEOUT's `timeoutMs`. */
  readonly statementTimeoutMs?: number;
  /** Drops graphql-js's "Did you mean …?" hints, which tell a stranger the schema's names (production). */
  readonly hideSuggestions?: boolean;
}

const suggestion = / ?Did you mean(.+?)\?$/;

/**
 * The one place that decides what a client sees of an error. Anything unexpected becomes
 * INTERNAL_SERVER_ERROR with no detail (the observability plugin logs the original).
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown, formatting: ErrorFormatting = {}): GraphQLFormattedError {
  const original = originalErrorOf(error);
  const where = { locations: formatted.locations, path: formatted.path };
  if (original instanceof GatewayError) {
    return { message: original.message, ...where, extensions: extensionsOf(original) };
  }
  if (isInputRejectedByDatabase(original)) {
    const rejected = valueRejectedByDatabase();
    return { message: rejected.message, ...where, extensions: extensionsOf(rejected) };
  }
  if (isStatementTimeout(original)) {
    const timedOut = queryTimedOut(formatting.statementTimeoutMs);
    return { message: timedOut.message, ...where, extensions: extensionsOf(timedOut) };
  }
  if (isDatabaseUnavailable(original)) {
    const unavailable = temporarilyUnavailable();
    return { message: unavailable.message, ...where, extensions: extensionsOf(unavailable) };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code in apolloRequestCodes) {
    const message = formatting.hideSuggestions ? formatted.message.replace(suggestion, '') : formatted.message;
    return { message, ...where, extensions: { code: apolloRequestCodes[code] } };
  }
  return { message: 'Internal server error', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/**
 * The error a resolver threw, or the GatewayError a plugin refused the request with before
 * execution (Apollo wraps both in a GraphQLError; only the first has a path).
 */
export function originalErrorOf(error: unknown): unknown {
  const unwrapped = unwrapResolverError(error);
  if (unwrapped instanceof GraphQLError && unwrapped.originalError instanceof GatewayError) return unwrapped.originalError;
  return unwrapped;
}
