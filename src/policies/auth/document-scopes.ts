import { getDirective } from '@graphql-tools/utils';
import { TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { forbiddenScopes } from '../../platform/errors';
import { satisfiesScopeRequirement } from './scopes';

export interface ScopeHolder {
  readonly effectiveScopes: ReadonlySet<string>;
  readonly grantedScopes: readonly string[];
}

/**
 * Checks every field's `@requiresScopes` in a stored document (an export query, a webhook payload
 * selection) against the key that stores it, and returns the scopes it used, sorted: what the
 * document later runs with, or what its readers need.
 */
export function scopesUsedBy(schema: GraphQLSchema, document: DocumentNode, holder: ScopeHolder, refusal: string): string[] {
  const typeInfo = new TypeInfo(schema);
  const used = new Set<string>();
  visit(document, visitWithTypeInfo(typeInfo, {
    Field() {
      const field = typeInfo.getFieldDef();
      const required = field ? (getDirective(schema, field, 'requiresScopes')?.[0]?.scopes as string[][] | undefined) : undefined;
      if (!required?.length) return;
      if (!satisfiesScopeRequirement(holder.effectiveScopes, required)) throw forbiddenScopes(required, holder.grantedScopes, refusal);
      required.find((allOf) => allOf.every((scope) => holder.effectiveScopes.has(scope)))!.forEach((scope) => used.add(scope));
    },
  }));
  return [...used].sort();
}
