import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config/config';
import type { RequestContext } from '../policies/request-context';
import { formatGraphQLError } from '../platform/errors';
import type { GatewayMetrics } from '../platform/observability/metrics';
import { observabilityPlugin } from './apollo-observability.plugin';
import { storableInputPlugin } from './storable-input.plugin';
import type { UsageRecorder } from '../modules/usage';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { CostGate } from '../policies/cost/cost-gate';
import { tokenLimitRefusal } from '../policies/cost/query-limits';
import { costPlugin } from './cost.plugin';
import type { CompiledExecution } from '../platform/execution';
import { compiledExecutionGateway } from './compiled-execution-gateway';

/** Apollo Server for queries and mutations over HTTP; WebSocket subscriptions bypass it by design. */
export async function startApollo(schema: GraphQLSchema, execution: CompiledExecution, config: Config, metrics: GatewayMetrics, usage?: UsageRecorder, costGate?: CostGate): Promise<ApolloServer<RequestContext>> {
  const formatting = { statementTimeoutMs: config.statementTimeoutMs, hideSuggestions: config.isProduction };
  const apollo = new ApolloServer<RequestContext>({
    // Apollo parses, validates and runs the plugins; operations run on compiled plans.
    gateway: compiledExecutionGateway(schema, execution),
    introspection: config.isIntrospectionEnabled,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    includeStacktraceInErrorResponses: false,
    // Keys travel in a header browsers never send on their own, so CSRF does not apply.
    csrfPrevention: false,
    // `gateway serve` owns SIGINT/SIGTERM: it drains HTTP, then stops Apollo and PostgreSQL.
    stopOnTerminationSignals: false,
    // Parsing stops at the token limit, before a huge document costs anything (QUERY_TOO_COMPLEX).
    parseOptions: { maxTokens: config.queryLimits.maxTokens },
    formatError: (formatted, error) => formatGraphQLError(formatted, tokenLimitRefusal(error) ?? error, formatting),
    // No @cacheControl hints exist; the default plugin would still wrap every field resolver to collect them.
    plugins: [storableInputPlugin, ...(costGate ? [costPlugin(costGate)] : []), observabilityPlugin(metrics, usage), retryableStatusPlugin, ApolloServerPluginCacheControlDisabled()],
  });
  await apollo.start();
  return apollo;
}

/**
 * A request whose resolvers could not reach PostgreSQL is answered 503 with Retry-After, like one
 * refused for that reason before execution: with keys cached, authentication no longer notices
 * an outage, so execution is where a client learns of it.
 */
const retryableStatusPlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
        if (!result.errors?.some((error) => error.extensions?.isRetryable === true)) return;
        response.http.status = 503;
        response.http.headers.set('retry-after', '1');
      },
    };
  },
};
