import { isScope, type Scope } from '../../policies/auth/scopes';
import { badUserInput, type FieldError } from '../../platform/errors';
import { normalizedOrigin } from '../../platform/origins';
import type { ClientTokenCreateInput } from './client-token.inputs';

export const defaultTokenLifeSeconds = 3600;
export const minTokenLifeSeconds = 60;
export const maxTokenLifeSeconds = 24 * 3600;
export const maxAllowedOrigins = 20;

/** Scopes that manage the workspace's credentials, endpoints and records: never for a browser. */
export const scopesNeverInTokens: readonly Scope[] = ['keys:read', 'keys:write', 'webhooks:read', 'webhooks:write', 'audit:read', 'tokens:write', 'directory:write', 'admin'];
/**
 * What a bound token may hold. Writes are refused, because a write names its target in many
 * ways (a new conversation, a customer upsert by email) that a reach cannot bound; a browser
 * writes through its backend. Analytics are refused because their figures span the workspace.
 */
export const scopesOfBoundTokens: readonly Scope[] = ['conversations:read', 'customers:read', 'events:read'];

/** Every problem with the input at once, with paths under `input`. */
export function validateTokenInput(input: ClientTokenCreateInput): void {
  const errors: FieldError[] = [];
  const isBound = Boolean(input.conversationId || input.customerId || input.filter);
  if (input.scopes.length === 0) errors.push({ field: 'input.scopes', message: 'Grant at least one scope' });
  input.scopes.forEach((scope, index) => {
    const field = `input.scopes.${index}`;
    if (!isScope(scope)) errors.push({ field, message: `Unknown scope "${scope}"` });
    else if (scopesNeverInTokens.includes(scope)) errors.push({ field, message: `A client token can never hold "${scope}"` });
    else if (isBound && !scopesOfBoundTokens.includes(scope)) errors.push({ field, message: `A bound token holds only ${scopesOfBoundTokens.join(', ')}` });
  });
  const life = input.expiresInSeconds ?? defaultTokenLifeSeconds;
  if (!Number.isInteger(life) || life < minTokenLifeSeconds || life > maxTokenLifeSeconds) {
    errors.push({ field: 'input.expiresInSeconds', message: `Must be ${minTokenLifeSeconds} to ${maxTokenLifeSeconds} (24 hours)` });
  }
  for (const name of ['types', 'occurredAfter', 'occurredBefore'] as const) {
    if (input.filter?.[name] != null) errors.push({ field: `input.filter.${name}`, message: 'A token’s filter bounds conversations only; subscribers choose types and times' });
  }
  const origins = input.allowedOrigins ?? [];
  if (origins.length > maxAllowedOrigins) errors.push({ field: 'input.allowedOrigins', message: `At most ${maxAllowedOrigins} origins` });
  origins.forEach((origin, index) => {
    if (normalizedOrigin(origin) === undefined) errors.push({ field: `input.allowedOrigins.${index}`, message: `"${origin}" is not an origin like https://app.example.com` });
  });
  if (errors.length > 0) throw badUserInput(errors);
}

/** No list allows every origin (CORS_ORIGINS still applies); a list allows exactly its members. */
export function isOriginAllowed(allowedOrigins: readonly string[] | undefined, origin: string): boolean {
  return !allowedOrigins?.length || allowedOrigins.includes(origin.toLowerCase());
}
