import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { assertStorableInput } from '../policies/input/storable-input';
import type { RequestContext } from '../policies/request-context';
import { GatewayError, httpStatusFor } from '../platform/errors';

/**
 * Refuses an operation whose arguments cannot be stored (NUL, lone surrogates, too deep) before it
 * executes: HTTP 400, BAD_USER_INPUT with the path of each bad value. Without it such a string
 * reached PostgreSQL and came back as a retryable 503.
 */
export const storableInputPlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ schema, document, request }) {
        try {
          assertStorableInput(schema, document, request.operationName, request.variables);
        } catch (error) {
          if (!(error instanceof GatewayError)) throw error;
          // Apollo takes the status of a refusal thrown here from `extensions.http`; formatError sees the GatewayError.
          throw new GraphQLError(error.message, { originalError: error, extensions: { http: { status: error.httpStatus ?? httpStatusFor(error.code) } } });
        }
      },
    };
  },
};
