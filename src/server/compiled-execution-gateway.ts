import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { CompiledExecution } from '../platform/execution';
import type { RequestContext } from '../policies/request-context';

type Gateway = ApolloServerOptionsWithGateway<RequestContext>['gateway'];

/**
 * Apollo Server's gateway interface, which lets a server bring its own executor, serving one
 * fixed schema through `execution`. Apollo still parses, validates, runs its plugins (cost,
 * usage) and formats errors; only execution is ours.
 */
export function compiledExecutionGateway(schema: GraphQLSchema, execution: CompiledExecution): Gateway {
  return {
    async load() {
      return {
        executor: async ({ document, operationName, request, context }) => execution.execute({ document, operationName, contextValue: context, variableValues: request.variables }),
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}
