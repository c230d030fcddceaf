import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { RequestContext } from '../policies/request-context';
import { GatewayError, isDatabaseUnavailable, isRequestError, isStatementTimeout } from '../platform/errors';
import type { GatewayMetrics } from '../platform/observability/metrics';
import type { UsageRecorder } from '../modules/usage';

/**
 * Adds `requestId` to every error, logs unexpected errors with their cause (the client sees
 * none of it) and records metrics and per-key usage by operation and outcome.
 */
export function observabilityPlugin(metrics: GatewayMetrics, usage?: UsageRecorder): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const startedAt = process.hrtime.bigint();
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const original = unwrapResolverError(error);
            const isExpected = original instanceof GatewayError || isRequestError(error.extensions?.code);
            if (isExpected) continue;
            const level = isDatabaseUnavailable(original) || isStatementTimeout(original) ? 'warn' : 'error';
            contextValue.logger[level]({ err: original, path: error.path }, 'resolver failed');
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
          usage?.record({ workspaceId, apiKeyId, operation, outcome, durationMs: seconds * 1000, cost: 1 });
          contextValue.logger.info({ operation, outcome, durationMs: Math.round(seconds * 1000) }, 'graphql request');
        },
      };
    },
  };
}
