import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { RequestContext } from '../policies/request-context';
import { GatewayError, isDatabaseUnavailable, isInputRejectedByDatabase, isRequestError, isStatementTimeout, originalErrorOf } from '../platform/errors';
import type { GatewayMetrics } from '../platform/observability/metrics';
import type { UsageRecorder } from '../modules/usage';

/** The first unexpected error of a request, kept for its log line. */
interface UnexpectedError {
  readonly error: unknown;
  readonly path: string | undefined;
}

/**
 * Adds `requestId` to every error, records metrics and per-key usage by operation and outcome,
 * and logs ONE line per request: outcome, duration, the count of errors per code and the first
 * unexpected error (which the client sees nothing of). A request whose page of 100 fails field
 * by field once wrote a line per field, each with the statement and its values.
 */
export function observabilityPlugin(metrics: GatewayMetrics, usage?: UsageRecorder): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const startedAt = process.hrtime.bigint();
      let unexpectedCount = 0;
      let firstUnexpected: UnexpectedError | undefined;
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const original = originalErrorOf(error);
            if (original instanceof GatewayError || isRequestError(error.extensions?.code)) continue;
            unexpectedCount += 1;
            firstUnexpected ??= { error: original, path: error.path?.join('.') };
          }
        },
        async willSendResponse({ response, contextValue, operationName, request }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          for (const error of errors ?? []) {
            (error.extensions as Record<string, unknown>).requestId = contextValue.requestId;
          }
          if (contextValue.replayedOperations.length > 0 && body.kind === 'single') {
            body.singleResult.extensions = { ...body.singleResult.extensions, idempotency: { replayed: true, operations: contextValue.replayedOperations } };
          }
          const outcome = errors?.length ? String(errors[0].extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'ok';
          const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
          const operation = operationName ?? request.operationName ?? undefined;
          metrics.recordGraphQLRequest(operation, outcome, seconds);
          const { workspaceId, apiKeyId } = contextValue.principal;
          const cost = contextValue.admission?.measure(body.kind === 'single' ? body.singleResult.data : body.initialResult.data) ?? 0;
          usage?.record({ workspaceId, apiKeyId, operation, outcome, durationMs: seconds * 1000, cost });
          const line = { operation, outcome, durationMs: Math.round(seconds * 1000), ...errorSummaryOf(errors) };
          if (!firstUnexpected) return void contextValue.logger.info(line, 'graphql request');
          const { error, path } = firstUnexpected;
          const level = isDatabaseUnavailable(error) || isInputRejectedByDatabase(error) || isStatementTimeout(error) ? 'warn' : 'error';
          contextValue.logger[level]({ ...line, unexpectedErrorCount: unexpectedCount, err: error, errorPath: path }, 'graphql request');
        },
      };
    },
  };
}

/** How many errors of each code; messages stay out of the log, as they may quote the input. */
function errorSummaryOf(errors: readonly GraphQLFormattedError[] | undefined): { errorCount?: number; errorCodes?: Record<string, number> } {
  if (!errors?.length) return {};
  const errorCodes: Record<string, number> = {};
  for (const error of errors) {
    const code = String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  }
  return { errorCount: errors.length, errorCodes };
}
