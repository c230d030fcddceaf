/** Every scope a key can hold (DESIGN.md §2). `admin` grants all the others. */
export const scopes = [
  'conversations:read',
  'conversations:write',
  'customers:read',
  'customers:write',
  'analytics:read',
  'events:read',
  'webhooks:read',
  'webhooks:write',
  'keys:read',
  'keys:write',
  'audit:read',
  'tokens:write',
  'directory:write',
  'admin',
] as const;

export type Scope = (typeof scopes)[number];

export const isScope = (text: string): text is Scope => (scopes as readonly string[]).includes(text);

/** Scopes a key effectively holds, with `admin` expanded. */
export function effectiveScopes(granted: readonly string[]): ReadonlySet<string> {
  return granted.includes('admin') ? new Set<string>(scopes) : new Set(granted.filter(isScope));
}

/**
 * Apollo Router `@requiresScopes` semantics: the outer list is OR, each inner list is AND.
 * An empty outer list requires nothing.
 */
export function satisfiesScopeRequirement(granted: ReadonlySet<string>, required: readonly (readonly string[])[]): boolean {
  return required.length === 0 || required.some((allOf) => allOf.every((scope) => granted.has(scope)));
}

/** Scopes in `requested` that `granted` does not cover: a key may never hand out more than it holds. */
export function scopesBeyond(granted: readonly string[], requested: readonly string[]): string[] {
  const held = effectiveScopes(granted);
  return requested.filter((scope) => !held.has(scope));
}
