import { getOperationAST, getVariableValues, type DocumentNode } from 'graphql';
import type { GatewayError } from '../../platform/errors';
import type { CostSchema } from './cost-schema';
import { requestedCost, type Variables } from './operation-cost';
import { PlanTooLargeError, maxPlannedFields, planOperation, type OperationPlan } from './operation-plan';
import { queryTooComplex, shapeRefusal, type QueryLimits } from './query-limits';

export interface OperationAnalysis {
  readonly plan: OperationPlan;
  /** The request's variables as execution will see them; the actual cost reads them too. */
  readonly variables: Variables;
  readonly requestedCost: number;
}

/**
 * Prices operations and checks them against the limits. Plans are kept per document object, so
 * a document Apollo or the subscription cache already holds parsed is planned once, and each
 * request only evaluates its plan with its variables.
 *
 * Why not graphql-query-complexity (installed with type-graphql) or GraphQL Armor's cost and
 * depth plugins: neither reads `@listSize`'s slicing arguments and sized fields, prices input
 * lists per item or gives the actual cost of a response, and both walk the document on every
 * request. Tokens are limited by graphql-js's own `maxTokens`, before parsing.
 */
export class OperationAnalyzer {
  private readonly plans = new WeakMap<DocumentNode, Map<string, OperationPlan | GatewayError>>();

  constructor(
    private readonly costs: CostSchema,
    readonly limits: QueryLimits,
  ) {}

  /** Throws QUERY_TOO_COMPLEX when the operation exceeds a limit, with its variables for cost. */
  analyze(document: DocumentNode, operationName: string | null | undefined, variables: Variables): OperationAnalysis {
    const plan = this.planOf(document, operationName);
    const coerced = this.coerce(plan, variables);
    const cost = requestedCost(plan.selection, coerced);
    if (cost > this.limits.maxCost) throw queryTooComplex('cost', this.limits.maxCost, cost);
    return { plan, variables: coerced, requestedCost: cost };
  }

  /**
   * Variables as resolvers receive them: an enum's internal value, an omitted variable's default.
   * Variables that do not coerce are priced as sent; execution refuses them before any resolver.
   */
  private coerce(plan: OperationPlan, variables: Variables): Variables {
    if (!plan.variableDefinitions?.length) return variables;
    const coerced = getVariableValues(this.costs.schema, plan.variableDefinitions, variables as Record<string, unknown>, { maxErrors: 1 });
    return coerced.coerced ?? variables;
  }

  private planOf(document: DocumentNode, operationName: string | null | undefined): OperationPlan {
    let byOperation = this.plans.get(document);
    if (!byOperation) {
      byOperation = new Map();
      this.plans.set(document, byOperation);
    }
    const key = operationName ?? '';
    let plan = byOperation.get(key);
    if (plan === undefined) {
      plan = this.compile(document, operationName);
      byOperation.set(key, plan);
    }
    if (plan instanceof Error) throw plan;
    return plan;
  }

  private compile(document: DocumentNode, operationName: string | null | undefined): OperationPlan | GatewayError {
    const operation = getOperationAST(document, operationName);
    if (!operation) throw new Error('analyze() takes validated documents whose operation resolves');
    try {
      const plan = planOperation(this.costs, document, operation);
      return shapeRefusal(plan.shape, this.limits) ?? plan;
    } catch (error) {
      if (error instanceof PlanTooLargeError) return queryTooComplex('fields', maxPlannedFields, maxPlannedFields);
      throw error;
    }
  }
}
