import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { errorCodes, type ErrorCode } from './error-codes';
import { GatewayError, temporarilyUnavailable } from './gateway-error';
import { isDatabaseUnavailable } from './database-unavailable';

/** Apollo's own codes, mapped onto ours so clients see one vocabulary. */
const apolloCodeMap: Readonly<Record<string, ErrorCode>> = {
  BAD_REQUEST: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'GRAPHQL_VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_FOUND: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_SUPPORTED: 'BAD_USER_INPUT',
};

const isKnownCode = (code: unknown): code is ErrorCode => errorCodes.includes(code as ErrorCode);

/** Turns a domain error into the `extensions` the client sees. */
export function extensionsOf(error: GatewayError): Record<string, unknown> {
  return { code: error.code, ...error.details };
}

/**
 * The one place that decides what a client sees of an error. Anything unexpected becomes
 * INTERNAL_SERVER_ERROR with no detail (the observability plugin logs the original).
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const where = { locations: formatted.locations, path: formatted.path };
  if (original instanceof GatewayError) {
    return { message: original.message, ...where, extensions: extensionsOf(original) };
  }
  if (isDatabaseUnavailable(original)) {
    const unavailable = temporarilyUnavailable();
    return { message: unavailable.message, ...where, extensions: extensionsOf(unavailable) };
  }
  const code = formatted.extensions?.code;
  const isGraphQLOwnError = original instanceof GraphQLError && original.originalError === undefined;
  if (isGraphQLOwnError && typeof code === 'string' && (isKnownCode(code) || code in apolloCodeMap)) {
    return { message: formatted.message, ...where, extensions: { code: isKnownCode(code) ? code : apolloCodeMap[code] } };
  }
  return { message: 'Internal server error', ...where, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
