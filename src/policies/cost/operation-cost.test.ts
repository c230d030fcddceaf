import { buildSchema, parse, type DocumentNode } from 'graphql';
import { CostSchema, type ListSizer } from './cost-schema';
import { OperationAnalyzer } from './operation-analyzer';
import { actualCost } from './operation-cost';
import type { QueryLimits } from './query-limits';

const sdl = /* GraphQL */ `
  directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION

  interface Node { id: ID! }
  type Item implements Node { id: ID! name: String owner: Owner children(first: Int): ItemConnection @listSize(assumedSize: 20, slicingArguments: ["first"], sizedFields: ["nodes", "edges"], requireOneSlicingArgument: false) }
  type Owner implements Node { id: ID! items: [Item!]! @listSize(assumedSize: 7) }
  type Value @cost(weight: 0) { label: String }
  type ItemEdge @cost(weight: 0) { node: Item! }
  type ItemConnection { nodes: [Item!]! edges: [ItemEdge!]! values: [Value!]! }
  type Series { points: [Value!]! weighted: [Item!]! }
  input Operation { id: ID! note: String }
  input BatchInput { operations: [Operation!]! @cost(weight: 10) }
  type Query {
    items(first: Int, last: Int): ItemConnection @listSize(assumedSize: 20, slicingArguments: ["first", "last"], sizedFields: ["nodes", "edges"], requireOneSlicingArgument: false)
    node(id: ID!): Node
    expensive: Item @cost(weight: 25)
    series(buckets: Int!): Series @listSize(assumedSize: 1000, sizedFields: ["weighted"])
  }
  type Mutation { batch(input: BatchInput!): Item @cost(weight: 0) touch(id: ID!): Item @cost(weight: 10) }
`;

const limits: QueryLimits = { maxCost: 100_000, maxDepth: 12, maxAliases: 30, maxTokens: 2_000, maxRootFields: 20, maxDirectives: 50 };
const seriesSizer: ListSizer = (args) => ({ weighted: Number(args.buckets) * 2 });
const costs = new CostSchema(buildSchema(sdl), { 'Query.series': seriesSizer });
const analyzer = new OperationAnalyzer(costs, limits);

const priced = (query: string, variables: Record<string, unknown> = {}) => analyzer.analyze(parse(query), undefined, variables).requestedCost;

describe('COST: requested cost, from the schema’s @cost and @listSize', () => {
  it.each([
    ['an object costs 1 and a scalar nothing', '{ node(id: "1") { id } }', {}, 1],
    ['a field’s own @cost replaces its type’s weight', '{ expensive { id } }', {}, 25],
    ['a connection’s sized fields count its slicing argument’s value', '{ items(first: 5) { nodes { id } } }', {}, 1 + 5],
    ['the slicing argument may come from a variable', 'query($n: Int) { items(first: $n) { nodes { owner { id } } } }', { n: 4 }, 1 + 4 * 2],
    ['without a slicing argument the assumed size applies', '{ items { nodes { id } } }', {}, 1 + 20],
    ['the larger of two slicing arguments counts', '{ items(first: 2, last: 9) { nodes { id } } }', {}, 1 + 9],
    ['every sized field counts, and weightless edges only their nodes', '{ items(first: 3) { nodes { id } edges { node { id } } } }', {}, 1 + 3 + 3],
    ['nested connections multiply', '{ items(first: 10) { nodes { children(first: 5) { nodes { id } } } } }', {}, 1 + 10 * (1 + 1 + 5)],
    ['a list’s own @listSize sizes it', '{ node(id: "1") { ... on Owner { items { id } } } }', {}, 1 + 7],
    ['fragments on the types of an abstract field are priced at the dearest', '{ node(id: "1") { ... on Owner { items { id } } ... on Item { owner { id } } } }', {}, 1 + 7],
    ['a field selected twice is one field', '{ expensive { id } expensive { name } }', {}, 25],
    ['aliases are separate fields', '{ a: expensive { id } b: expensive { id } }', {}, 50],
    ['@skip(if: true) drops a field', 'query($skip: Boolean!) { expensive @skip(if: $skip) { id } node(id: "1") { id } }', { skip: true }, 1],
    ['@include(if: false) drops a field', '{ expensive @include(if: false) { id } }', {}, 0],
    ['__typename and introspection cost nothing', '{ __typename __schema { types { name } } }', {}, 0],
    ['a mutation weighs its @cost, per alias', 'mutation { a: touch(id: "1") { id } b: touch(id: "2") { id } }', {}, 2 * (10 + 0)],
    ['a weighted input list costs its weight per item', 'mutation($ops: [Operation!]!) { batch(input: { operations: $ops }) { id } }', { ops: [{ id: '1' }, { id: '2' }, { id: '3' }] }, 30],
    ['a sizer prices lists from the arguments', '{ series(buckets: 4) { weighted { id } } }', {}, 1 + 8],
  ])('%s', (_rule, query, variables, expected) => {
    expect(priced(query, variables)).toBe(expected);
  });

  it('refuses an operation over the cost limit with the limit and the value', () => {
    const strict = new OperationAnalyzer(costs, { ...limits, maxCost: 50 });
    expect(() => strict.analyze(parse('{ items(first: 60) { nodes { id } } }'), undefined, {})).toThrow(
      expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', details: { measure: 'cost', limit: 50, value: 61 } }),
    );
  });

  it.each([
    ['depth', { maxDepth: 3 }, '{ items { nodes { owner { id } } } }', 4],
    ['aliases', { maxAliases: 2 }, '{ a: node(id: "1") { id } b: node(id: "2") { id } c: node(id: "3") { i: id } }', 4],
    ['rootFields', { maxRootFields: 2 }, '{ a: node(id: "1") { id } b: node(id: "2") { id } c: node(id: "3") { id } }', 3],
    ['directives', { maxDirectives: 1 }, '{ node(id: "1") @include(if: true) { id @skip(if: false) } }', 2],
  ])('refuses an operation over the %s limit, whatever its variables', (measure, limit, query, value) => {
    const strict = new OperationAnalyzer(costs, { ...limits, ...limit });
    expect(() => strict.analyze(parse(query), undefined, {})).toThrow(expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', details: { measure, limit: Object.values(limit)[0], value } }));
  });

  it('counts fragments once per use, so spreading fragments within fragments cannot hide their size', () => {
    const fragments = Array.from({ length: 20 }, (_, level) => `fragment F${level} on Query { a${level}: node(id: "1") { id } ${level < 19 ? `...F${level + 1} ...F${level + 1}` : ''} }`);
    const document = parse(`{ ...F0 } ${fragments.join(' ')}`);
    expect(() => analyzer.analyze(document, undefined, {})).toThrow(expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', details: expect.objectContaining({ measure: 'fields' }) }));
  });

  it('plans a document once and prices it again with each request’s variables', () => {
    const document: DocumentNode = parse('query($n: Int) { items(first: $n) { nodes { id } } }');
    const first = analyzer.analyze(document, undefined, { n: 1 });
    const second = analyzer.analyze(document, undefined, { n: 50 });
    expect(second.plan).toBe(first.plan);
    expect([first.requestedCost, second.requestedCost]).toEqual([2, 51]);
  });
});

describe('COST: actual cost, from the response', () => {
  const actual = (query: string, data: unknown, variables: Record<string, unknown> = {}) =>
    actualCost(analyzer.analyze(parse(query), undefined, variables).plan.selection, variables, data);

  it('counts the items a list returned, not the size it asked for', () => {
    const data = { items: { nodes: [{ id: '1', owner: { id: 'o' } }, { id: '2', owner: null }] } };
    expect(actual('{ items(first: 50) { nodes { id owner { id } } } }', data)).toBe(1 + 2 + 1);
  });

  it('counts a null or absent field as nothing', () => {
    expect(actual('{ expensive { id } node(id: "1") { id } }', { expensive: null })).toBe(0);
  });

  it('follows aliases and fragments on concrete types', () => {
    const data = { first: { id: '1', items: [{ id: 'a' }, { id: 'b' }] } };
    expect(actual('{ first: node(id: "1") { ... on Owner { items { id } } ... on Item { owner { id } } } }', data)).toBe(1 + 2);
  });

  it('keeps the weight of a weighted input list', () => {
    const query = 'mutation($ops: [Operation!]!) { batch(input: { operations: $ops }) { id } }';
    expect(actual(query, { batch: { id: '1' } }, { ops: [{ id: '1' }, { id: '2' }] })).toBe(20);
  });
});

describe('COST: the schema’s declarations', () => {
  it('finds lists of weighted items that nothing sizes', () => {
    const unsized = new CostSchema(buildSchema(`${sdl} type Extra { loose: [Item!]! values: [Value!]! } extend type Query { extra: Extra }`));
    expect(unsized.unsizedLists()).toEqual(['Extra.loose']);
  });

  it('refuses a sizer for a field the schema does not have', () => {
    expect(() => new CostSchema(buildSchema(sdl), { 'Query.nothing': seriesSizer })).toThrow(/unknown fields: Query.nothing/);
  });
});
