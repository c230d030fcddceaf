import type { GraphQLSchema } from 'graphql';
import type { Redis } from 'ioredis';
import type { Config } from '../config/config';
import { analyticsListSizers } from '../modules/analytics';
import { InMemoryCostBudgetStore } from '../policies/cost/cost-budget';
import { CostGate } from '../policies/cost/cost-gate';
import { CostSchema } from '../policies/cost/cost-schema';
import { OperationAnalyzer } from '../policies/cost/operation-analyzer';
import { RedisCostBudgetStore } from '../policies/cost/redis-cost-budget';
import type { Logger } from '../platform/observability/logger';

/**
 * The cost gate every transport admits operations through: the schema's cost declarations, the
 * query limits, and the budgets in Redis when there is one (shared by every instance), in memory
 * otherwise. Undefined when COST_ANALYSIS is off.
 */
export function createCostGate(config: Config, schema: GraphQLSchema, redis: Redis | undefined, logger: Logger): CostGate | undefined {
  if (!config.isCostAnalysisEnabled) {
    logger.warn('COST_ANALYSIS=false: no query limit and no cost budget applies; one expensive query can take the service down');
    return undefined;
  }
  const analyzer = new OperationAnalyzer(new CostSchema(schema, analyticsListSizers), config.queryLimits);
  const store = redis ? new RedisCostBudgetStore(redis) : new InMemoryCostBudgetStore();
  return new CostGate(analyzer, store, config.workspaceCostBudget, (error) => logger.warn({ err: error }, 'cost budget store failed; operation allowed'));
}
