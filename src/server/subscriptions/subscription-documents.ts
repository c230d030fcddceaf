import { getOperationAST, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { GatewayError } from '../../platform/errors';
import { tokenLimitRefusal } from '../../policies/cost/query-limits';

export interface DocumentSettings {
  /** graphql-js `maxTokens`: parsing stops there with QUERY_TOO_COMPLEX, as over HTTP. */
  readonly maxTokens?: number;
  /** Drops "Did you mean …?" from validation errors (production), as Apollo does over HTTP. */
  readonly hideSuggestions?: boolean;
}

const suggestion = / ?Did you mean(.+?)\?$/;

/** Distinct query texts kept parsed and validated; the least recently used goes first. */
const maxCachedDocuments = 256;
/** Longer texts are parsed each time: the cache's memory stays bounded whatever clients send. */
const maxCachedQueryLength = 16_384;

/**
 * Parsed and validated subscription documents by query text: thousands of clients subscribing
 * with the same text share one document instead of holding an AST each.
 */
export class SubscriptionDocuments {
  private readonly documents = new Map<string, DocumentNode>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly settings: DocumentSettings = {},
  ) {}

  /**
   * The document of a subscription request. Throws GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
   * or BAD_USER_INPUT with `notASubscription` when the operation is a query or mutation.
   */
  subscriptionOf(query: string, operationName: string | null | undefined, notASubscription: string): DocumentNode {
    const document = this.documentOf(query);
    if (getOperationAST(document, operationName)?.operation !== 'subscription') throw new GatewayError('BAD_USER_INPUT', notASubscription);
    return document;
  }

  private documentOf(query: string): DocumentNode {
    const cached = this.documents.get(query);
    if (cached) {
      this.documents.delete(query);
      this.documents.set(query, cached);
      return cached;
    }
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: this.settings.maxTokens });
    } catch (error) {
      throw tokenLimitRefusal(error) ?? new GatewayError('GRAPHQL_PARSE_FAILED', (error as Error).message);
    }
    const validationErrors = validate(this.schema, document);
    if (validationErrors.length > 0) {
      const message = validationErrors[0].message;
      throw new GatewayError('GRAPHQL_VALIDATION_FAILED', this.settings.hideSuggestions ? message.replace(suggestion, '') : message);
    }
    if (query.length <= maxCachedQueryLength) {
      this.documents.set(query, document);
      if (this.documents.size > maxCachedDocuments) this.documents.delete(this.documents.keys().next().value!);
    }
    return document;
  }
}
