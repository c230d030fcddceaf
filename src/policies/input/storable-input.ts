import {
  BREAK,
  TypeInfo,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { badUserInput, type FieldError } from '../../platform/errors';

/**
 * How deep an argument value may nest (input objects, lists and JSON together). The deepest
 * input type is five levels; the rest is room for JSON metadata. Deeper values are refused
 * before anything recurses over them (JSON.stringify overflowed its stack at 5,000 levels).
 */
export const maxInputDepth = 32;

/** More problems than this are not worth listing: the client has one bug, repeated. */
const maxReportedProblems = 20;

/**
 * NUL and unpaired UTF-16 surrogates. PostgreSQL refuses NUL in text and jsonb (and an inlined NUL
 * cuts the statement's wire message short); a lone surrogate would be stored as U+FFFD without a
 * word. With the `u` flag, a surrogate range matches only halves that are not part of a pair.
 */
const unstorableCharacter = /[\u0000\uD800-\uDFFF]/u;

interface FieldWithArguments {
  readonly definition: GraphQLField<unknown, unknown>;
  readonly node: FieldNode;
}

/** Per parsed document (Apollo and our subscription cache reuse them): the fields to check per request. */
interface DocumentPlan {
  /** Problems in inline literals: the same for every request of the document. */
  readonly literalProblems: readonly FieldError[];
  /** Fields whose arguments use variables: their values change per request. */
  readonly fieldsWithVariables: readonly FieldWithArguments[];
}

const plans = new WeakMap<DocumentNode, DocumentPlan>();

/**
 * Refuses, before execution, an operation whose arguments hold a string no column can store
 * exactly (NUL, lone surrogates), or a value nested deeper than `maxInputDepth`: BAD_USER_INPUT
 * with a `fieldErrors` path per problem, such as `input.subject` or `filter.text`. One check over
 * the coerced arguments of every field, inline literals and variables alike, for every transport.
 * Variables that do not coerce are left to the executor, which refuses them itself.
 */
export function assertStorableInput(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> | null | undefined): void {
  const problems = findUnstorableInput(schema, document, operationName, variables);
  if (problems.length > 0) throw badUserInput(problems, 'The input holds a value that cannot be stored; see fieldErrors');
}

export function findUnstorableInput(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): FieldError[] {
  let plan = plans.get(document);
  if (!plan) plans.set(document, (plan = planOf(schema, document)));
  if (plan.fieldsWithVariables.length === 0) return [...plan.literalProblems];
  const operation = getOperationAST(document, operationName);
  if (!operation) return [...plan.literalProblems];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) return [...plan.literalProblems];
  const problems = [...plan.literalProblems];
  for (const field of plan.fieldsWithVariables) inspectArguments(field, coerced.coerced, problems);
  return problems.slice(0, maxReportedProblems);
}

function planOf(schema: GraphQLSchema, document: DocumentNode): DocumentPlan {
  const typeInfo = new TypeInfo(schema);
  const literalProblems: FieldError[] = [];
  const fieldsWithVariables: FieldWithArguments[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const definition = typeInfo.getFieldDef();
        if (!definition || !node.arguments?.length) return;
        if (usesVariables(node)) fieldsWithVariables.push({ definition, node });
        else inspectArguments({ definition, node }, {}, literalProblems);
      },
    }),
  );
  return { literalProblems: literalProblems.slice(0, maxReportedProblems), fieldsWithVariables };
}

function usesVariables(node: FieldNode): boolean {
  let found = false;
  for (const argument of node.arguments ?? []) {
    visit(argument, {
      Variable() {
        found = true;
        return BREAK;
      },
    });
  }
  return found;
}

function inspectArguments(field: FieldWithArguments, variables: Record<string, unknown>, problems: FieldError[]): void {
  let values: Record<string, unknown>;
  try {
    values = getArgumentValues(field.definition, field.node, variables);
  } catch {
    return; // an argument that does not coerce: validation or the executor reports it
  }
  for (const [name, value] of Object.entries(values)) inspectValue(value, name, 0, problems);
}

function inspectValue(value: unknown, path: string, depth: number, problems: FieldError[]): void {
  if (problems.length >= maxReportedProblems) return;
  if (typeof value === 'string') {
    if (unstorableCharacter.test(value)) problems.push({ field: path, message: describeUnstorable(value) });
    return;
  }
  if (typeof value !== 'object' || value === null || !isPlainContainer(value)) return;
  if (depth >= maxInputDepth) {
    problems.push({ field: path, message: `Nested more than ${maxInputDepth} levels deep` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => inspectValue(item, `${path}.${index}`, depth + 1, problems));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (unstorableCharacter.test(key)) {
      problems.push({ field: path, message: `A key ${describeUnstorable(key).replace(/^Contains/, 'contains')}` });
      continue;
    }
    inspectValue(item, `${path}.${key}`, depth + 1, problems);
  }
}

/** Input objects and JSON come as arrays and plain objects; Dates and other scalars' values are not walked. */
function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describeUnstorable(value: string): string {
  return value.includes('\u0000')
    ? 'Contains a NUL character (U+0000), which cannot be stored'
    : 'Contains an unpaired UTF-16 surrogate, which is not valid Unicode';
}
