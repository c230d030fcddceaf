import { ScimError } from './scim-error';

/** One PATCH operation as Okta and Microsoft Entra ID send them: op in any case, path optional. */
export interface PatchOperation {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path: string | null;
  readonly value: unknown;
}

export function patchOperationsOf(body: unknown): PatchOperation[] {
  const operations = (body as { Operations?: unknown })?.Operations;
  if (!Array.isArray(operations) || operations.length === 0) throw new ScimError(400, 'A PatchOp needs Operations: [{ op, path, value }]', 'invalidSyntax');
  return operations.map((operation, index) => {
    const op = String((operation as { op?: unknown }).op ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw new ScimError(400, `Operations[${index}].op must be add, replace or remove`, 'invalidSyntax');
    const path = (operation as { path?: unknown }).path;
    return { op, path: typeof path === 'string' && path.trim() ? path.trim() : null, value: (operation as { value?: unknown }).value };
  });
}

/** Entra sends booleans as "True"/"False" strings. */
export function booleanOf(value: unknown, what: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new ScimError(400, `${what} must be a boolean`, 'invalidValue');
}

/** `members[value eq "agt_…"]`: the member a remove names in its path (Okta); null for plain `members`. */
export function memberInPath(path: string): string | null | undefined {
  if (/^members$/i.test(path)) return null;
  const match = /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i.exec(path);
  return match ? match[1] : undefined;
}

/** Member ids of a `[{ value }]` list. */
export function memberIdsOf(value: unknown): string[] {
  if (!Array.isArray(value)) throw new ScimError(400, 'members must be a list of { value }', 'invalidValue');
  return value.map((member) => {
    const id = (member as { value?: unknown })?.value;
    if (typeof id !== 'string') throw new ScimError(400, 'Each member needs a value: the user id', 'invalidValue');
    return id;
  });
}
