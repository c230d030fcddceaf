import type { CostBudgetSpec } from './cost-budget';

/** Bounds of a budget an API key or the environment may set. */
export const costBudgetBounds = { maxMaximumAvailable: 10_000_000, maxRestoreRate: 1_000_000 } as const;

/**
 * Parses `MAX/RATE`, e.g. `2000/100`: a bucket of 2,000 points refilling at 100 a second.
 * Undefined when malformed or out of bounds.
 */
export function parseCostBudget(text: string): CostBudgetSpec | undefined {
  const match = /^(\d{1,8})\s*\/\s*(\d{1,7})$/.exec(text.trim());
  if (!match) return undefined;
  const spec = { maximumAvailable: Number(match[1]), restoreRate: Number(match[2]) };
  return costBudgetProblems(spec).length === 0 ? spec : undefined;
}

export function formatCostBudget(spec: CostBudgetSpec): string {
  return `${spec.maximumAvailable}/${spec.restoreRate}`;
}

/** What is wrong with a budget, per field; empty when it is valid. */
export function costBudgetProblems(spec: CostBudgetSpec): { field: keyof CostBudgetSpec; message: string }[] {
  const problems: { field: keyof CostBudgetSpec; message: string }[] = [];
  const { maxMaximumAvailable, maxRestoreRate } = costBudgetBounds;
  if (!Number.isInteger(spec.maximumAvailable) || spec.maximumAvailable < 1 || spec.maximumAvailable > maxMaximumAvailable) {
    problems.push({ field: 'maximumAvailable', message: `Must be 1 to ${maxMaximumAvailable}` });
  }
  if (!Number.isInteger(spec.restoreRate) || spec.restoreRate < 1 || spec.restoreRate > maxRestoreRate) {
    problems.push({ field: 'restoreRate', message: `Must be 1 to ${maxRestoreRate} points a second` });
  }
  return problems;
}
