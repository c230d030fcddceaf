import type { DocumentNode } from 'graphql';
import { GatewayError } from '../../platform/errors';
import type { Principal } from '../auth/principal';
import type { Bucket, CostBudgetSpec, CostBudgetStore, ThrottleStatus } from './cost-budget';
import { actualCost, type Variables } from './operation-cost';
import type { OperationAnalyzer } from './operation-analyzer';
import type { OperationPlan } from './operation-plan';
import { queryTooComplex } from './query-limits';

/** `extensions.cost` of a response. */
export interface CostReport {
  /** Null when the operation was refused before it could be priced (depth, aliases and the like). */
  readonly requestedQueryCost: number | null;
  /** Null until the operation has run (a subscription's events are not priced one by one). */
  readonly actualQueryCost: number | null;
  /** The API key's bucket; null when the budget store could not be reached (the operation was let through). */
  readonly throttleStatus: ThrottleStatus | null;
}

/**
 * Admits operations on every transport alike, before anything runs: checks the query limits,
 * then takes the requested cost from the key's bucket and the workspace's at once.
 */
export class CostGate {
  constructor(
    private readonly analyzer: OperationAnalyzer,
    private readonly store: CostBudgetStore,
    private readonly workspaceBudget: CostBudgetSpec,
    /** A budget store outage lets operations through (reported here): a limiter outage must not become an API outage. */
    private readonly onStoreError: (error: unknown) => void,
  ) {}

  get limits() {
    return this.analyzer.limits;
  }

  /** Throws QUERY_TOO_COMPLEX (HTTP 400) or RATE_LIMITED (429, with `retryAfterSeconds`). */
  async admit(principal: Principal, document: DocumentNode, operationName: string | null | undefined, variables: Variables): Promise<AdmittedOperation> {
    const { plan, requestedCost, variables: coerced } = this.analyzer.analyze(document, operationName, variables);
    const buckets = this.bucketsOf(principal);
    const largestPossible = Math.min(...buckets.map((bucket) => bucket.spec.maximumAvailable));
    if (requestedCost > largestPossible) throw queryTooComplex('cost', largestPossible, requestedCost);
    let taken;
    try {
      taken = await this.store.take(buckets, requestedCost);
    } catch (error) {
      this.onStoreError(error);
      return new AdmittedOperation(this, plan, coerced, requestedCost, [], null);
    }
    const [keyStatus, workspaceStatus] = taken.statuses;
    if (!taken.isAllowed) {
      const budget = keyStatus.currentlyAvailable < requestedCost ? 'apiKey' : 'workspace';
      throw budgetExhausted(budget, requestedCost, taken.retryAfterSeconds, keyStatus, budget === 'workspace' ? workspaceStatus : keyStatus);
    }
    return new AdmittedOperation(this, plan, coerced, requestedCost, buckets, keyStatus);
  }

  /** For a response with no admitted operation (it failed to parse or validate): where the key's bucket stands. */
  async reportWithoutOperation(principal: Principal): Promise<CostReport> {
    let throttleStatus: ThrottleStatus | null = null;
    try {
      throttleStatus = (await this.store.take(this.bucketsOf(principal).slice(0, 1), 0)).statuses[0];
    } catch (error) {
      this.onStoreError(error);
    }
    return { requestedQueryCost: null, actualQueryCost: 0, throttleStatus };
  }

  private bucketsOf(principal: Principal): Bucket[] {
    return [
      { id: `key:${principal.credentialId}`, spec: principal.costBudget },
      { id: `workspace:${principal.workspaceId}`, spec: this.workspaceBudget },
    ];
  }

  /** @internal Gives back what an operation did not use. */
  async refund(buckets: readonly Bucket[], points: number): Promise<ThrottleStatus | null> {
    if (buckets.length === 0) return null;
    try {
      return (await this.store.adjust(buckets, points))[0];
    } catch (error) {
      this.onStoreError(error);
      return null;
    }
  }
}

/** An operation that passed the gate: `measure` its response, then `settle`. */
export class AdmittedOperation {
  private actual: number | null = null;
  private isSettled = false;

  constructor(
    private readonly gate: CostGate,
    readonly plan: OperationPlan,
    private readonly variables: Variables,
    readonly requestedCost: number,
    private readonly buckets: readonly Bucket[],
    private throttleStatus: ThrottleStatus | null,
  ) {}

  get report(): CostReport {
    return { requestedQueryCost: this.requestedCost, actualQueryCost: this.actual, throttleStatus: this.throttleStatus };
  }

  /** The actual cost of the response about to be sent; the first call decides it. */
  measure(data: unknown): number {
    return (this.actual ??= actualCost(this.plan.selection, this.variables, data));
  }

  /** Refunds what the operation did not use (or charges what it used beyond its request), once. */
  async settle(data: unknown): Promise<CostReport> {
    const difference = this.requestedCost - this.measure(data);
    if (!this.isSettled && difference !== 0 && this.buckets.length > 0) {
      this.isSettled = true;
      this.throttleStatus = (await this.gate.refund(this.buckets, difference)) ?? this.throttleStatus;
    }
    this.isSettled = true;
    return this.report;
  }
}

/** RATE_LIMITED for want of points; carries the refused operation's cost report for `extensions.cost`. */
export class BudgetExhaustedError extends GatewayError<'RATE_LIMITED'> {
  constructor(
    budget: 'apiKey' | 'workspace',
    readonly report: CostReport,
    retryAfterSeconds: number,
    available: number,
  ) {
    const owner = budget === 'apiKey' ? 'this API key' : 'the workspace';
    super(
      'RATE_LIMITED',
      `The cost budget of ${owner} holds ${Math.floor(available)} of the ${report.requestedQueryCost} points this operation requests; retry in ${retryAfterSeconds} s`,
      { retryAfterSeconds, budget },
      429,
    );
  }
}

function budgetExhausted(budget: 'apiKey' | 'workspace', requestedQueryCost: number, retryAfterSeconds: number, throttleStatus: ThrottleStatus, short: ThrottleStatus): GatewayError {
  return new BudgetExhaustedError(budget, { requestedQueryCost, actualQueryCost: 0, throttleStatus }, retryAfterSeconds, short.currentlyAvailable);
}

/** `RateLimit-*` headers in points, from the key's bucket. */
export function rateLimitHeaders(status: ThrottleStatus | null): Record<string, string> {
  if (!status) return {};
  const secondsToFull = Math.max(0, Math.ceil((status.maximumAvailable - status.currentlyAvailable) / status.restoreRate));
  return {
    'RateLimit-Limit': String(status.maximumAvailable),
    'RateLimit-Remaining': String(Math.max(0, Math.floor(status.currentlyAvailable))),
    'RateLimit-Reset': String(secondsToFull),
    'RateLimit-Policy': `${status.maximumAvailable};w=${Math.ceil(status.maximumAvailable / status.restoreRate)}`,
  };
}
