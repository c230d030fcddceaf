import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { BudgetExhaustedError, rateLimitHeaders, type CostGate, type CostReport } from '../policies/cost/cost-gate';
import type { Principal } from '../policies/auth/principal';
import type { RequestContext } from '../policies/request-context';
import { GatewayError, httpStatusFor } from '../platform/errors';

/**
 * Puts every HTTP operation through the cost gate once Apollo has parsed and validated it and
 * before anything executes: a refusal never nulls a sibling field, because nothing has run.
 * Every response then carries `extensions.cost` and `RateLimit-*` headers in points.
 */
export function costPlugin(gate: CostGate): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      let refusalReport: CostReport | undefined;
      return {
        async didResolveOperation({ document, operationName, request, contextValue }) {
          try {
            contextValue.admission = await gate.admit(contextValue.principal, document, operationName, request.variables ?? {});
          } catch (error) {
            if (!(error instanceof GatewayError)) throw error;
            refusalReport = error instanceof BudgetExhaustedError ? error.report : await refusedBeforeRunning(gate, contextValue.principal, error);
            throw refusedRequest(error);
          }
        },
        async willSendResponse({ response, contextValue }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          const report = contextValue.admission ? await contextValue.admission.settle(result.data) : (refusalReport ?? (await gate.reportWithoutOperation(contextValue.principal)));
          result.extensions = { ...result.extensions, cost: report };
          for (const [name, value] of Object.entries(rateLimitHeaders(report.throttleStatus))) response.http.headers.set(name.toLowerCase(), value);
        },
      };
    },
  };
}

/**
 * A QUERY_TOO_COMPLEX refusal knows the requested cost only when cost was the limit exceeded. It
 * took nothing from the budget, but still reports the key's bucket (docs/cost.md: throttleStatus
 * is null only when the store cannot be reached), as any other refused response does.
 */
async function refusedBeforeRunning(gate: CostGate, principal: Principal, error: GatewayError): Promise<CostReport> {
  const requestedQueryCost = error.details.measure === 'cost' ? (error.details.value as number) : null;
  return { ...(await gate.reportWithoutOperation(principal)), requestedQueryCost };
}

/** The refusal as Apollo answers errors raised before execution: with the status (and Retry-After) in `extensions.http`. */
function refusedRequest(error: GatewayError): GraphQLError {
  const headers = new HeaderMap();
  if (typeof error.details.retryAfterSeconds === 'number') headers.set('retry-after', String(error.details.retryAfterSeconds));
  return new GraphQLError(error.message, { originalError: error, extensions: { http: { status: error.httpStatus ?? httpStatusFor(error.code), headers } } });
}
