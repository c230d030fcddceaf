import { Lexer, Source, TokenKind } from 'graphql';
import { GatewayError } from '../../platform/errors';
import type { OperationShape } from './operation-plan';

/** Bounds every operation must stay within, checked before it runs (docs/cost.md). */
export interface QueryLimits {
  /** Requested cost in points. */
  readonly maxCost: number;
  /** Nested fields, the root field being 1; introspection is not counted. */
  readonly maxDepth: number;
  readonly maxAliases: number;
  /** Lexical tokens of the document (graphql-js `maxTokens`): bounds parsing itself. */
  readonly maxTokens: number;
  readonly maxRootFields: number;
  readonly maxDirectives: number;
}

/** What a QUERY_TOO_COMPLEX refusal names in `extensions.measure`. */
export type QueryMeasure = 'cost' | 'depth' | 'aliases' | 'tokens' | 'rootFields' | 'directives' | 'fields';

const measureNames: Readonly<Record<QueryMeasure, string>> = {
  cost: 'requested cost',
  depth: 'depth',
  aliases: 'number of aliases',
  tokens: 'number of tokens',
  rootFields: 'number of root fields',
  directives: 'number of directives',
  fields: 'number of fields after fragment expansion',
};

/** `extensions: { code: 'QUERY_TOO_COMPLEX', measure, limit, value }`, HTTP 400. */
export function queryTooComplex(measure: QueryMeasure, limit: number, value: number): GatewayError {
  const qualifier = measure === 'fields' ? 'more than ' : '';
  return new GatewayError('QUERY_TOO_COMPLEX', `The ${measureNames[measure]} of this operation is ${qualifier}${value}; the limit is ${limit}`, { measure, limit, value });
}

/** The first limit the shape exceeds, as a refusal; undefined when it is within all of them. */
export function shapeRefusal(shape: OperationShape, limits: QueryLimits): GatewayError | undefined {
  const checks: [QueryMeasure, number, number][] = [
    ['depth', shape.depth, limits.maxDepth],
    ['aliases', shape.aliases, limits.maxAliases],
    ['rootFields', shape.rootFields, limits.maxRootFields],
    ['directives', shape.directives, limits.maxDirectives],
  ];
  for (const [measure, value, limit] of checks) if (value > limit) return queryTooComplex(measure, limit, value);
  return undefined;
}

const tokenLimitMessage = /Document contains more th[ae]t (\d+) tokens/;

/**
 * graphql-js stops parsing at `maxTokens` with a syntax error; this turns that error into the
 * QUERY_TOO_COMPLEX refusal, counting the document's tokens for `value`. Undefined for any
 * other error.
 */
export function tokenLimitRefusal(error: unknown): GatewayError | undefined {
  const message = (error as { message?: unknown } | null)?.message;
  const match = typeof message === 'string' ? tokenLimitMessage.exec(message) : null;
  if (!match) return undefined;
  const limit = Number(match[1]);
  const source = (error as { source?: { body?: unknown } }).source?.body;
  return queryTooComplex('tokens', limit, typeof source === 'string' ? countTokens(source) : limit);
}

function countTokens(body: string): number {
  const lexer = new Lexer(new Source(body));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    // A lexical error past the limit: the count so far is still more than the limit.
  }
  return count;
}
