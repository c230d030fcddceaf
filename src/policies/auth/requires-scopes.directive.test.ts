import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { enforceScopeDirectives } from './requires-scopes.directive';
import { effectiveScopes } from './scopes';

/** One field per shape of requirement; the declaration in the SDL is all the enforcement needs. */
const schema: GraphQLSchema = enforceScopeDirectives(
  buildSchema(/* GraphQL */ `
    directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION
    type Query {
      open: String
      bothReads: String @requiresScopes(scopes: [["conversations:read", "customers:read"]])
      bothReadsOrAudit: String @requiresScopes(scopes: [["conversations:read", "customers:read"], ["audit:read"]])
    }
  `),
);
const rootValue = { open: 'open', bothReads: 'both', bothReadsOrAudit: 'either' };

async function queryWith(granted: string[], field: keyof typeof rootValue) {
  const result = await graphql({ schema, source: `{ open ${field} }`, rootValue, contextValue: { principal: { grantedScopes: granted, effectiveScopes: effectiveScopes(granted) } } });
  return { value: result.data?.[field], error: result.errors?.[0], open: result.data?.open };
}

describe('enforceScopeDirectives', () => {
  it('answers a field whose inner list of two scopes the key holds entirely', async () => {
    expect(await queryWith(['conversations:read', 'customers:read'], 'bothReads')).toEqual({ value: 'both', error: undefined, open: 'open' });
  });

  it.each([[['conversations:read']], [['customers:read']], [['conversations:read', 'keys:read']]])(
    'refuses with FORBIDDEN a key holding %j, only part of the inner list, and the rest of the response stands',
    async (granted) => {
      const { value, error, open } = await queryWith(granted, 'bothReads');
      expect(value).toBeNull();
      expect(open).toBe('open');
      expect(error?.path).toEqual(['bothReads']);
      expect(error?.originalError).toMatchObject({
        code: 'FORBIDDEN',
        details: { requiredScopes: [['conversations:read', 'customers:read']], grantedScopes: granted },
      });
    },
  );

  it('answers a field when the key holds any one inner list in full, and refuses when it holds a part of each', async () => {
    expect((await queryWith(['audit:read'], 'bothReadsOrAudit')).value).toBe('either');
    expect((await queryWith(['customers:read', 'conversations:read'], 'bothReadsOrAudit')).value).toBe('either');
    const partial = await queryWith(['customers:read', 'keys:read'], 'bothReadsOrAudit');
    expect(partial.value).toBeNull();
    expect(partial.error?.originalError).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses to build a schema that requires a scope no key can hold', () => {
    const typo = buildSchema(`directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION
      type Query { field: String @requiresScopes(scopes: [["conversation:read"]]) }`);
    expect(() => enforceScopeDirectives(typo)).toThrow('Query.field requires unknown scopes: conversation:read');
  });
});
