import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getDirective } from '@graphql-tools/utils';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

export interface SchemaMutation {
  readonly name: string;
  /** The type of its one `input` argument, e.g. `ConversationCreateInput`. */
  readonly inputType: string;
  /** As declared by `@requiresScopes`: outer list OR, inner list AND; empty when undeclared. */
  readonly requiredScopes: string[][];
}

/** The committed schema.graphql, which a contract test keeps identical to the code's schema. */
export const committedSchema: GraphQLSchema = buildSchema(readFileSync(path.join(__dirname, '../../schema.graphql'), 'utf8'));

/** Every mutation of the schema, read from its declaration: a new mutation is listed without anyone adding it here. */
export function schemaMutations(schema: GraphQLSchema = committedSchema): SchemaMutation[] {
  return Object.values(schema.getMutationType()?.getFields() ?? {}).map((field) => ({
    name: field.name,
    inputType: getNamedType(field.args.find((argument) => argument.name === 'input')!.type).name,
    requiredScopes: (getDirective(schema, field, 'requiresScopes')?.[0]?.scopes as string[][] | undefined) ?? [],
  }));
}

/** `mutation Name($input: NameInput!) { name(input: $input) { __typename } }`: every payload is an object. */
export function mutationDocument(mutation: SchemaMutation): string {
  const operationName = mutation.name[0].toUpperCase() + mutation.name.slice(1);
  return `mutation ${operationName}($input: ${mutation.inputType}!) { ${mutation.name}(input: $input) { __typename } }`;
}

/**
 * An input of the right shape with placeholder values in every required field, for a mutation
 * no test has written a real input for yet. It passes GraphQL validation, so whatever refuses
 * it is the gateway's own checks.
 */
export function placeholderInput(mutation: SchemaMutation, schema: GraphQLSchema = committedSchema): Record<string, unknown> {
  return placeholderFor(schema.getType(mutation.inputType) as GraphQLInputType) as Record<string, unknown>;
}

function placeholderFor(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return placeholderFor(type.ofType);
  if (isListType(type)) return [placeholderFor(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
    return Object.fromEntries(required.map((field) => [field.name, placeholderFor(field.type)]));
  }
  switch (type.name) {
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return true;
    case 'DateTimeISO':
      return new Date().toISOString();
    case 'JSONObject':
      return {};
    default:
      return 'placeholder';
  }
}
