import { DirectiveLocation, GraphQLDirective, GraphQLList, GraphQLNonNull, GraphQLString, defaultFieldResolver, type GraphQLSchema } from 'graphql';
import { MapperKind, getDirective, mapSchema } from '@graphql-tools/utils';
import { Directive } from 'type-graphql';
import { forbiddenScopes } from '../../platform/errors';
import type { Principal } from './principal';
import { isScope, satisfiesScopeRequirement, type Scope } from './scopes';

const directiveName = 'requiresScopes';

/** `@requiresScopes(scopes: [[String!]!]!)`, as in Apollo Router: outer list OR, inner list AND. */
export const requiresScopesDirective = new GraphQLDirective({
  name: directiveName,
  description: 'The API key needs every scope of at least one inner list. `admin` holds every scope.',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    scopes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))))) },
  },
});

/**
 * Declares the scopes a field needs, e.g. `@RequiresScopes(['keys:write'])`. Each argument is
 * one alternative. The declaration is the enforcement: see `enforceScopeDirectives`.
 */
export function RequiresScopes(...alternatives: Scope[][]): MethodDecorator & PropertyDecorator {
  return Directive(`@${directiveName}(scopes: ${JSON.stringify(alternatives)})`);
}

interface ContextWithPrincipal {
  readonly principal: Principal;
}

/**
 * Wraps every field that carries `@requiresScopes` so it checks the caller's scopes before its
 * resolver runs: a denied field resolves to an error, the rest of the response stands.
 */
export function enforceScopeDirectives(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const applied = getDirective(schema, field, directiveName)?.[0];
      if (!applied) return field;
      const required = applied.scopes as string[][];
      const unknown = required.flat().filter((scope) => !isScope(scope));
      if (unknown.length > 0) throw new Error(`${typeName}.${fieldName} requires unknown scopes: ${unknown.join(', ')}`);
      const check = ({ principal }: ContextWithPrincipal) => {
        if (!satisfiesScopeRequirement(principal.effectiveScopes, required)) throw forbiddenScopes(required, principal.grantedScopes);
      };
      const resolve = field.resolve ?? defaultFieldResolver;
      const subscribe = field.subscribe;
      return {
        ...field,
        resolve(source, args, context: ContextWithPrincipal, info) {
          check(context);
          return resolve(source, args, context, info);
        },
        // A subscription is refused before its stream opens, not event by event.
        ...(subscribe && {
          subscribe(source: unknown, args: Record<string, unknown>, context: ContextWithPrincipal, info: Parameters<typeof subscribe>[3]) {
            check(context);
            return subscribe(source, args, context, info);
          },
        }),
      };
    },
  });
}
