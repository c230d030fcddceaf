import {
  GraphQLError, GraphQLSchema, Kind, NoSchemaIntrospectionCustomRule, isObjectType, parse, specifiedRules, validate,
  type DocumentNode, type GraphQLObjectType, type OperationDefinitionNode,
} from 'graphql';
import { badUserInput, GatewayError } from '../../../platform/errors';
import { scopesUsedBy, type ScopeHolder } from '../../../policies/auth/document-scopes';
import { CostSchema } from '../../../policies/cost/cost-schema';
import { OperationAnalyzer } from '../../../policies/cost/operation-analyzer';
import type { QueryLimits } from '../../../policies/cost/query-limits';
import { analyticsListSizers } from '../../analytics';

export const maxPayloadQueryLength = 4_000;
const field = 'input.payloadQuery';

/** A selection that passed every check, and the scopes it runs with. */
export interface CheckedPayloadSelection {
  readonly query: string;
  readonly scopes: string[];
}

const payloadSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();
const analyzers = new WeakMap<GraphQLSchema, WeakMap<QueryLimits, OperationAnalyzer>>();

/**
 * The API's own schema with `Event` as the query root: a selection is validated, priced and
 * executed exactly as the same fields under `events { nodes { … } }` would be, with the same
 * resolvers, scope checks and reach rules. The types are the API's objects, shared, not copies.
 */
export function payloadSchemaOf(schema: GraphQLSchema): GraphQLSchema {
  let payloadSchema = payloadSchemas.get(schema);
  if (!payloadSchema) {
    const event = schema.getType('Event');
    if (!isObjectType(event)) throw new Error('the schema has no Event type');
    const types = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__'));
    payloadSchema = new GraphQLSchema({ query: event as GraphQLObjectType, types, directives: schema.getDirectives() });
    payloadSchemas.set(schema, payloadSchema);
  }
  return payloadSchema;
}

/**
 * Checks a payload selection at registration: it parses, is one query without variables, is
 * valid on `Event`, fits the query limits and cost, and uses only fields the registering key may
 * read. Accepts `{ id type … }` as well as `query Name { … }`.
 */
export function checkPayloadSelection(schema: GraphQLSchema, query: string, holder: ScopeHolder, limits: QueryLimits | undefined): CheckedPayloadSelection {
  const text = query.trim();
  if (text.length === 0 || text.length > maxPayloadQueryLength) throw invalid(`Give 1 to ${maxPayloadQueryLength} characters, such as { id type conversation { id status } }`);
  const payloadSchema = payloadSchemaOf(schema);
  const document = parseSelection(text, limits?.maxTokens);
  singleQuery(document);
  // Introspection would hand the schema to any receiver, also where GRAPHQL_INTROSPECTION is off.
  const errors = validate(payloadSchema, document, [...specifiedRules, NoSchemaIntrospectionCustomRule]);
  if (errors.length > 0) throw invalid(errors.map((error) => error.message).join('; '));
  const scopes = scopesUsedBy(payloadSchema, document, holder, 'The API key lacks a scope a field of the payload selection requires');
  if (limits) {
    try {
      analyzerOf(payloadSchema, limits).analyze(document, undefined, {});
    } catch (error) {
      if (error instanceof GatewayError) throw invalid(error.message);
      throw error;
    }
  }
  return { query: text, scopes };
}

/** Parsed once per distinct text by the renderer too; the checks ran at registration. */
export function parseSelection(text: string, maxTokens = 10_000): DocumentNode {
  try {
    return parse(text, { maxTokens });
  } catch (error) {
    throw invalid(error instanceof GraphQLError ? error.message : 'The selection cannot be parsed');
  }
}

function singleQuery(document: DocumentNode): OperationDefinitionNode {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0].operation !== 'query') throw invalid('Send exactly one selection on Event, such as { id type conversation { id } }');
  if (operations[0].variableDefinitions?.length) throw invalid('A payload selection takes no variables: write the values into it');
  return operations[0];
}

function analyzerOf(payloadSchema: GraphQLSchema, limits: QueryLimits): OperationAnalyzer {
  let byLimits = analyzers.get(payloadSchema);
  if (!byLimits) analyzers.set(payloadSchema, (byLimits = new WeakMap()));
  let analyzer = byLimits.get(limits);
  if (!analyzer) byLimits.set(limits, (analyzer = new OperationAnalyzer(new CostSchema(payloadSchema, analyticsListSizers), limits)));
  return analyzer;
}

function invalid(message: string) {
  return badUserInput([{ field, message }], 'The payload selection is invalid');
}
