import { readFileSync } from 'node:fs';
import path from 'node:path';
// First: the schema's modules register their types in the order it imports them, which the printed schema follows.
import { buildGatewaySchema, printGatewaySchema } from '../../src/server/schema';
import { getDirective } from '@graphql-tools/utils';
import { getNamedType, isObjectType, type GraphQLField } from 'graphql';
import { analyticsListSizers } from '../../src/modules/analytics';
import { CostSchema } from '../../src/policies/cost/cost-schema';
import { committedSchema } from '../support/committed-schema';

describe('SCHEMA: schema.graphql is the reviewed contract', () => {
  it('SCHEMA-01 the committed schema.graphql equals the schema built from the code (run `npm run schema:print`)', async () => {
    const printed = printGatewaySchema(await buildGatewaySchema({ get: () => ({}) }));
    expect(readFileSync(path.join(__dirname, '../../schema.graphql'), 'utf8')).toBe(printed);
  });

  it('SCHEMA-02 every Query and Mutation field except viewer declares @requiresScopes', async () => {
    const schema = await buildGatewaySchema({ get: () => ({}) });
    const unguarded = [schema.getQueryType()!, schema.getMutationType()!]
      .flatMap((type) => Object.values(type.getFields()).map((field) => ({ name: `${type.name}.${field.name}`, field })))
      .filter(({ field }) => !field.astNode?.directives?.some((directive) => directive.name.value === 'requiresScopes'))
      .map(({ name }) => name);
    expect(unguarded).toEqual(['Query.viewer']);
  });

  it('SCHEMA-03 no type exposes a secret hash', async () => {
    const sdl = readFileSync(path.join(__dirname, '../../schema.graphql'), 'utf8');
    expect(sdl).not.toMatch(/secretHash|previousSecretHash|pepper/i);
  });

  it('SCHEMA-04 the committed schema prices everything: each mutation and subscription has a @cost, each connection a @listSize by first/last, no list is unsized', () => {
    const directivesOf = (field: GraphQLField<unknown, unknown>) => field.astNode?.directives?.map((directive) => directive.name.value) ?? [];
    const rootFields = [committedSchema.getMutationType()!, committedSchema.getSubscriptionType()!].flatMap((type) => Object.values(type.getFields()).map((field) => [`${type.name}.${field.name}`, field] as const));
    expect(rootFields.filter(([, field]) => !directivesOf(field).includes('cost')).map(([name]) => name)).toEqual([]);

    const connections = Object.values(committedSchema.getTypeMap())
      .filter(isObjectType)
      .flatMap((type) => Object.values(type.getFields()).map((field) => [`${type.name}.${field.name}`, field] as const))
      .filter(([, field]) => getNamedType(field.type).name.endsWith('Connection'));
    expect(connections.length).toBeGreaterThan(10);
    const unsliced = connections.filter(([, field]) => {
      const listSize = getDirective(committedSchema, field, 'listSize')?.[0];
      return !listSize || JSON.stringify(listSize.slicingArguments) !== JSON.stringify(['first', 'last']);
    });
    expect(unsliced.map(([name]) => name)).toEqual([]);

    expect(new CostSchema(committedSchema, analyticsListSizers).unsizedLists()).toEqual([]);
  });
});
