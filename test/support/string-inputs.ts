import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLList,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** One place a client can send a String or ID: a field (`conversationCreate`, `analytics.summary`) and a path into its arguments. */
export interface StringInput {
  readonly operation: 'mutation' | 'query';
  /** Dotted from the root type, e.g. `analytics.summary`. */
  readonly field: string;
  /** Argument name first, list items as 0: `['input', 'externalRefs', 0, 'system']`. */
  readonly path: readonly (string | number)[];
}

/** Input types nest at most this deep in the schema; the walk stops there whatever a future type does. */
const maxInputDepth = 6;

/**
 * Every String and ID a client can send to a mutation, and to every field taking a `filter` (at
 * the root or one level below it, as `analytics { summary(filter:) }`), derived from the schema,
 * so that a new input is covered the day it is added.
 */
export function findStringInputs(schema: GraphQLSchema): StringInput[] {
  const inputs: StringInput[] = [];
  for (const field of Object.values(schema.getMutationType()!.getFields())) {
    for (const argument of field.args) collect(argument.type, [argument.name], 0, (path) => inputs.push({ operation: 'mutation', field: field.name, path }));
  }
  for (const [name, field] of filteredFieldsOf(schema)) {
    for (const argument of field.args) collect(argument.type, [argument.name], 0, (path) => inputs.push({ operation: 'query', field: name, path }));
  }
  return inputs;
}

function filteredFieldsOf(schema: GraphQLSchema): [string, GraphQLField<unknown, unknown>][] {
  const found: [string, GraphQLField<unknown, unknown>][] = [];
  for (const field of Object.values(schema.getQueryType()!.getFields())) {
    if (field.args.some((argument) => argument.name === 'filter')) found.push([field.name, field]);
    const type = getNamedType(field.type);
    if (field.args.length === 0 && isObjectType(type)) {
      for (const child of Object.values(type.getFields())) {
        if (child.args.some((argument) => argument.name === 'filter')) found.push([`${field.name}.${child.name}`, child]);
      }
    }
  }
  return found;
}

function collect(type: GraphQLInputType, path: (string | number)[], depth: number, found: (path: (string | number)[]) => void): void {
  if (isNonNullType(type)) return collect(type.ofType, path, depth, found);
  if (isListType(type)) return collect(type.ofType, [...path, 0], depth, found);
  if (isScalarType(type) && (type.name === 'String' || type.name === 'ID')) return found(path);
  if (!isInputObjectType(type) || depth >= maxInputDepth) return;
  for (const field of Object.values(type.getFields())) collect(field.type, [...path, field.name], depth + 1, found);
}

/** The field definition at a dotted name from the root type. */
export function fieldAt(schema: GraphQLSchema, input: StringInput): GraphQLField<unknown, unknown> {
  const [first, second] = input.field.split('.');
  const root = input.operation === 'mutation' ? schema.getMutationType()! : schema.getQueryType()!;
  const field = root.getFields()[first];
  if (!second) return field;
  return (getNamedType(field.type) as GraphQLObjectType).getFields()[second];
}

/**
 * `baseline` (valid arguments) with `value` put at the input's path. Objects missing on the way
 * are made with their required fields filled by type, so the request stays well-typed: only the
 * string under test can be wrong.
 */
export function argumentsWith(schema: GraphQLSchema, input: StringInput, baseline: Record<string, unknown>, value: string): Record<string, unknown> {
  const variables = structuredClone(baseline);
  let container: Record<string | number, unknown> = variables;
  let type: GraphQLInputType = fieldAt(schema, input).args.find((argument) => argument.name === input.path[0])!.type;
  for (let index = 0; index < input.path.length - 1; index++) {
    const key = input.path[index];
    const next = input.path[index + 1];
    container[key] ??= typeof next === 'number' ? [] : sampleOf(type);
    container = container[key] as Record<string | number, unknown>;
    type = childTypeOf(type, next);
  }
  container[input.path[input.path.length - 1]] = value;
  return variables;
}

function childTypeOf(type: GraphQLInputType, next: string | number): GraphQLInputType {
  const unwrapped = isNonNullType(type) ? type.ofType : type;
  if (typeof next === 'number') return (unwrapped as GraphQLList<GraphQLInputType>).ofType;
  return (getNamedType(unwrapped) as GraphQLInputObjectType).getFields()[next].type;
}

function fillRequired(target: Record<string | number, unknown>, type: GraphQLInputType): void {
  const named = getNamedType(type);
  if (!isInputObjectType(named)) return;
  for (const field of Object.values(named.getFields())) {
    if (!isNonNullType(field.type) || field.defaultValue !== undefined || target[field.name] !== undefined) continue;
    target[field.name] = sampleOf(field.type.ofType);
  }
}

function sampleOf(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleOf(type.ofType);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    const object: Record<string, unknown> = {};
    fillRequired(object, type);
    return object;
  }
  const samples: Record<string, unknown> = { String: 'x', ID: 'x', Int: 1, SafeInt: 1, Float: 1, Boolean: false, DateTimeISO: '2026-01-01T00:00:00.000Z', JSONObject: {} };
  return samples[type.name];
}

/** A variable declaration for each argument the arguments object gives. */
export function variableDefinitionsOf(args: readonly GraphQLArgument[], given: Record<string, unknown>): string {
  return args.filter((argument) => argument.name in given).map((argument) => `$${argument.name}: ${String(argument.type)}`).join(', ');
}
