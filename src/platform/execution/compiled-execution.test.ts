import {
  GraphQLBoolean, GraphQLError, GraphQLID, GraphQLInputObjectType, GraphQLInt, GraphQLInterfaceType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType,
  GraphQLSchema, GraphQLString, execute, parse, subscribe, type ExecutionResult,
} from 'graphql';
import * as jit from 'graphql-jit';
import { CompiledExecution } from './compiled-execution';

/** An application's own error class, as resolvers throw them (the gateway's `GatewayError`). */
class TypedError extends Error {
  readonly code = 'CONFLICT';
}
const typedError = new TypedError('Taken');

/** Mutations append here, so their order shows. */
let written: string[] = [];

const Day = new GraphQLScalarType<string, string>({ name: 'Day', serialize: (value) => (value as Date).toISOString().slice(0, 10), parseValue: (value) => String(value) });
const Node = new GraphQLInterfaceType({ name: 'Node', fields: { id: { type: new GraphQLNonNull(GraphQLID) } }, resolveType: (value: { kind: string }) => value.kind });
const Note: GraphQLObjectType = new GraphQLObjectType({
  name: 'Note',
  interfaces: [Node],
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID) },
    text: { type: GraphQLString },
    day: { type: Day, resolve: () => new Date('2026-12-06T10:00:00Z') },
    required: { type: new GraphQLNonNull(GraphQLString), resolve: () => null },
    refused: { type: GraphQLString, resolve: () => { throw new GraphQLError('No access', { extensions: { code: 'FORBIDDEN', requiredScopes: [['notes:read']] } }); } },
    later: { type: GraphQLInt, resolve: async () => 42 },
    replies: { type: new GraphQLList(Note), resolve: (note: { id: string }) => [1, 2].map((n) => ({ kind: 'Note', id: `${note.id}.${n}`, text: `reply ${n}` })) },
  }),
});
const Person = new GraphQLObjectType({ name: 'Person', interfaces: [Node], fields: { id: { type: new GraphQLNonNull(GraphQLID) }, name: { type: GraphQLString } } });
const Filter = new GraphQLInputObjectType({ name: 'Filter', fields: { limit: { type: new GraphQLNonNull(GraphQLInt) }, prefix: { type: new GraphQLNonNull(GraphQLString), defaultValue: '' } } });

const schema = new GraphQLSchema({
  types: [Person],
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      notes: {
        type: new GraphQLList(Note),
        args: { filter: { type: new GraphQLNonNull(Filter) } },
        resolve: (_root, { filter }: { filter: { limit: number; prefix: string } }) => Array.from({ length: filter.limit }, (_, n) => ({ kind: 'Note', id: `n${n}`, text: `${filter.prefix}${n}` })),
      },
      node: { type: Node, args: { id: { type: new GraphQLNonNull(GraphQLID) } }, resolve: (_root, { id }: { id: string }) => (id.startsWith('p') ? { kind: 'Person', id, name: 'Ana' } : { kind: 'Note', id, text: 'hello' }) },
      context: { type: GraphQLString, resolve: (_root, _args, context: { who: string }) => context.who },
      typed: { type: GraphQLString, resolve: () => { throw typedError; } },
      notesOf: { type: new GraphQLList(GraphQLString), args: { filters: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Filter))) } }, resolve: (_root, { filters }: { filters: { prefix: string }[] }) => filters.map((filter) => filter.prefix) },
    },
  }),
  mutation: new GraphQLObjectType({
    name: 'Mutation',
    fields: {
      write: { type: GraphQLString, args: { text: { type: new GraphQLNonNull(GraphQLString) } }, resolve: async (_root, { text }: { text: string }) => (await Promise.resolve(), written.push(text), text) },
    },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      noteAdded: {
        type: Note,
        subscribe: async function* () {
          yield { kind: 'Note', id: 'e1', text: 'first' };
          yield { kind: 'Note', id: 'e2', text: 'second' };
        },
        resolve: (event: unknown) => event,
      },
    },
  }),
});

const asJson = (result: ExecutionResult) => JSON.parse(JSON.stringify(result));
const contextValue = { who: 'key_1' };

describe('COMPILED: operations run on graphql-jit plans answer exactly as graphql-js does', () => {
  beforeEach(() => {
    written = [];
  });

  it.each([
    ['nested lists, aliases, fragments and an async field', '{ notes(filter: {limit: 2, prefix: "x"}) { id first: text ...More } } fragment More on Note { later replies { id text } }', {}],
    ['@include and @skip from variables', 'query Q($on: Boolean!) { notes(filter: {limit: 1}) { id text @include(if: $on) later @skip(if: $on) } }', { on: true }],
    ['an interface resolved to each type', '{ a: node(id: "p1") { __typename id ... on Person { name } } b: node(id: "n1") { __typename id ... on Note { text } } }', {}],
    ['a custom scalar, the context, and an input object from variables', 'query Q($filter: Filter!) { context notes(filter: $filter) { day text } }', { filter: { limit: 2, prefix: 'p' } }],
    ['a resolver error with extensions, beside the data that stands', '{ notes(filter: {limit: 2}) { id refused } }', {}],
    ['null in a non-null field nulls its nearest nullable parent', '{ notes(filter: {limit: 2}) { id required } context }', {}],
    ['variables that do not fit their types', 'query Q($filter: Filter!, $on: Boolean!) { notes(filter: $filter) { id text @include(if: $on) } }', { filter: { limit: 'two', extra: 1 } }],
    ['a variable left out', 'query Q($filter: Filter!) { notes(filter: $filter) { id } }', {}],
    ['an input field left out of a variable, which its default value fills', 'query Q($filter: Filter!) { notes(filter: $filter) { text } }', { filter: { limit: 2 } }],
    ['a variable not given inside an input object: its field is left out, so its default applies', 'query Q($limit: Int!, $prefix: String) { notes(filter: {limit: $limit, prefix: $prefix}) { text } }', { limit: 2 }],
  ])('COMPILED-01 %s', async (_name, query, variableValues) => {
    const document = parse(query);
    const compiled = await new CompiledExecution(schema).execute({ document, contextValue, variableValues });
    expect(asJson(compiled)).toEqual(asJson(await execute({ schema, document, contextValue, variableValues })));
  });

  it('COMPILED-02 mutation fields run one after another, in document order', async () => {
    const document = parse('mutation { a: write(text: "one") b: write(text: "two") c: write(text: "three") }');
    const result = await new CompiledExecution(schema).execute({ document, contextValue });
    expect(result).toEqual({ data: { a: 'one', b: 'two', c: 'three' } });
    expect(written).toEqual(['one', 'two', 'three']);
  });

  it('COMPILED-03 a document is compiled once per operation, whatever the variables, and runs on its plan', async () => {
    const plans: jit.CompiledQuery[] = [];
    const compiledOperations: (string | undefined)[] = [];
    const execution = new CompiledExecution(schema, (compiledSchema, compiledDocument, operationName) => {
      compiledOperations.push(operationName);
      const plan = jit.compileQuery(compiledSchema, compiledDocument, operationName);
      if (jit.isCompiledQuery(plan)) plans.push(plan);
      return plan;
    });
    const document = parse('query A($filter: Filter!) { notes(filter: $filter) { id } } query B { context }');
    for (const limit of [1, 2, 3]) await execution.execute({ document, operationName: 'A', contextValue, variableValues: { filter: { limit } } });
    await execution.execute({ document, operationName: 'B', contextValue });
    expect(compiledOperations).toEqual(['A', 'B']);
    const run = jest.spyOn(plans[0], 'query');
    expect(await execution.execute({ document, operationName: 'A', contextValue, variableValues: { filter: { limit: 2 } } })).toEqual({ data: { notes: [{ id: 'n0' }, { id: 'n1' }] } });
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('COMPILED-06 an input field left out of a variable gets its default and still runs on the compiled plan, in lists too', async () => {
    const plans: jit.CompiledQuery[] = [];
    const execution = new CompiledExecution(schema, (compiledSchema, compiledDocument, operationName) => {
      const plan = jit.compileQuery(compiledSchema, compiledDocument, operationName);
      if (jit.isCompiledQuery(plan)) plans.push(plan);
      return plan;
    });
    const document = parse('query Q($filter: Filter!, $filters: [Filter!]!) { notes(filter: $filter) { text } more: notes(filter: {limit: 1}) { text } many: notesOf(filters: $filters) }');
    const variableValues = { filter: { limit: 2 }, filters: [{ limit: 1 }, { limit: 1, prefix: 'q' }] };
    await execution.execute({ document, contextValue, variableValues });
    const run = jest.spyOn(plans[0], 'query');
    const result = await execution.execute({ document, contextValue, variableValues });
    expect(result).toEqual({ data: { notes: [{ text: '0' }, { text: '1' }], more: [{ text: '0' }], many: ['', 'q'] } });
    expect(run).toHaveBeenCalledTimes(1);
    expect(await run.mock.results[0].value).toEqual(result);
    expect(variableValues.filter).toEqual({ limit: 2 });
  });

  it('COMPILED-05 a resolver’s error reaches the error formatter as graphql-js’s GraphQLError, its own error kept as originalError', async () => {
    const document = parse('{ context\n  typed }');
    const result = await new CompiledExecution(schema).execute({ document, contextValue });
    expect(result.data).toEqual({ context: 'key_1', typed: null });
    const [error] = result.errors!;
    expect(error.constructor).toBe(GraphQLError);
    expect(error.extensions).toEqual({});
    expect(error.originalError).toBe(typedError);
    expect(error.toJSON()).toEqual({ message: 'Taken', locations: [{ line: 2, column: 3 }], path: ['typed'] });
  });

  it('COMPILED-04 a subscription’s events run their selection on the compiled plan, as graphql-js’s subscribe would', async () => {
    const document = parse('subscription { noteAdded { id text replies { id } } }');
    const collect = async (stream: AsyncIterable<ExecutionResult> | ExecutionResult) => {
      const results: ExecutionResult[] = [];
      for await (const result of stream as AsyncIterable<ExecutionResult>) results.push(asJson(result));
      return results;
    };
    const compiled = await collect(await new CompiledExecution(schema).subscribe({ document, contextValue }));
    expect(compiled).toHaveLength(2);
    expect(compiled).toEqual(await collect(await subscribe({ schema, document, contextValue })));
  });
});
