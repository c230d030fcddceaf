import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildGatewaySchema, printGatewaySchema } from '../../src/server/schema';

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
});
