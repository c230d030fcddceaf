import { parseCidr } from '../../policies/auth/ip-allowlist';
import { isScope, scopesBeyond } from '../../policies/auth/scopes';
import { maxRequestsPerWindow, type RateLimitSpec } from '../../policies/rate-limit/rate-limit-spec';
import type { CostBudgetSpec } from '../../policies/cost/cost-budget';
import { costBudgetProblems } from '../../policies/cost/cost-budget-spec';
import { badUserInput, forbiddenScopes, type FieldError } from '../../platform/errors';
import type { Actor } from '../../policies/auth/actor';

export const maxCidrsPerKey = 50;
export const maxNameLength = 100;
export const maxRotationGraceSeconds = 7 * 24 * 3600;

/** The parts of a key an input may set; undefined means "leave as is". */
export interface ApiKeySettings {
  readonly name?: string;
  readonly scopes?: readonly string[];
  readonly allowedCidrs?: readonly string[];
  readonly rateLimit?: RateLimitSpec;
  /** null: the server default. */
  readonly costBudget?: CostBudgetSpec | null;
  readonly expiresAt?: Date | null;
}

/** Collects every problem with the settings at once, with paths under `input`. */
export function validateSettings(settings: ApiKeySettings, now: Date): void {
  const errors: FieldError[] = [];
  if (settings.name !== undefined && (settings.name.trim().length === 0 || settings.name.length > maxNameLength)) {
    errors.push({ field: 'input.name', message: `Must be 1 to ${maxNameLength} characters` });
  }
  if (settings.scopes !== undefined) {
    if (settings.scopes.length === 0) errors.push({ field: 'input.scopes', message: 'Grant at least one scope' });
    settings.scopes.forEach((scope, index) => {
      if (!isScope(scope)) errors.push({ field: `input.scopes.${index}`, message: `Unknown scope "${scope}"` });
    });
  }
  if (settings.allowedCidrs !== undefined) {
    if (settings.allowedCidrs.length > maxCidrsPerKey) errors.push({ field: 'input.allowedCidrs', message: `At most ${maxCidrsPerKey} entries` });
    settings.allowedCidrs.forEach((cidr, index) => {
      try {
        parseCidr(cidr);
      } catch {
        errors.push({ field: `input.allowedCidrs.${index}`, message: `"${cidr}" is not an IPv4/IPv6 address or CIDR` });
      }
    });
  }
  if (settings.rateLimit !== undefined) {
    const { requests, windowSeconds } = settings.rateLimit;
    if (!Number.isInteger(requests) || requests < 1 || requests > maxRequestsPerWindow) {
      errors.push({ field: 'input.rateLimit.requests', message: `Must be 1 to ${maxRequestsPerWindow}` });
    }
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > 3600) {
      errors.push({ field: 'input.rateLimit.windowSeconds', message: 'Must be 1 to 3600' });
    }
  }
  for (const problem of settings.costBudget ? costBudgetProblems(settings.costBudget) : []) {
    errors.push({ field: `input.costBudget.${problem.field}`, message: problem.message });
  }
  if (settings.expiresAt && settings.expiresAt.getTime() <= now.getTime()) {
    errors.push({ field: 'input.expiresAt', message: 'Must be in the future' });
  }
  if (errors.length > 0) throw badUserInput(errors);
}

/** A key can never hand out, or manage a key holding, a scope it does not hold itself. */
export function assertWithinActorScopes(actor: Actor, scopes: readonly string[]): void {
  const missing = scopesBeyond(actor.grantedScopes, scopes);
  if (missing.length > 0) {
    throw forbiddenScopes([missing], actor.grantedScopes, `This key cannot grant or manage scopes it does not hold: ${missing.join(', ')}`);
  }
}
