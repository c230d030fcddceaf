import { randomUUID } from 'node:crypto';
import { execute, type DocumentNode, type GraphQLSchema } from 'graphql';
import { backgroundPrincipal, type Principal } from '../../../policies/auth/principal';
import type { RequestContext } from '../../../policies/request-context';
import { envelopeToEventType, type EventEnvelope } from '../../events';
import { parseSelection, payloadSchemaOf } from './payload-selection';

/** What a delivery's selection runs as: the endpoint's workspace, with the scopes checked at registration. */
export interface PayloadSelection {
  readonly query: string;
  readonly scopes: readonly string[];
  readonly workspaceId: string;
  /** The `key_…` that registered the endpoint, for the logs of the queries. */
  readonly registeredBy: string;
}

export class PayloadRenderError extends Error {
  override readonly name = 'PayloadRenderError';
}

/** Renders kept for endpoints whose deliveries of the same event come in later passes. */
const maxKeptRenders = 2_000;
const maxKeptDocuments = 500;

/**
 * Executes payload selections against events. One event with one selection (and scopes) is
 * executed once, however many endpoints share the selection: concurrent and recent renders are
 * kept by event, selection and scopes, and the parsed selection by its text.
 */
export class PayloadRenderer {
  private readonly payloadSchema: GraphQLSchema;
  private readonly documents = new Map<string, DocumentNode>();
  private readonly renders = new Map<string, Promise<string>>();
  private readonly turnContexts = new Map<string, RequestContext>();

  constructor(
    schema: GraphQLSchema,
    private readonly contextFor: (principal: Principal, requestId: string) => RequestContext,
    /** Told once per execution, not per delivery. */
    private readonly onRender: () => void = () => {},
  ) {
    this.payloadSchema = payloadSchemaOf(schema);
  }

  render(selection: PayloadSelection, event: EventEnvelope): Promise<string> {
    const key = `${event.id}\n${selection.workspaceId}\n${selection.scopes.join(' ')}\n${selection.query}`;
    let rendered = this.renders.get(key);
    if (!rendered) {
      rendered = this.execute(selection, event);
      // A failed render is tried again by the delivery's next attempt, not served from here.
      rendered.catch(() => this.renders.delete(key));
      keepBounded(this.renders, key, rendered, maxKeptRenders);
    }
    return rendered;
  }

  private async execute(selection: PayloadSelection, event: EventEnvelope): Promise<string> {
    this.onRender();
    const contextValue = this.turnContextOf(selection);
    const result = await execute({ schema: this.payloadSchema, document: this.documentOf(selection.query), rootValue: envelopeToEventType(event), contextValue });
    if (result.errors?.length) throw new PayloadRenderError(`payload selection failed: ${result.errors.map((error) => error.message).join('; ')}`);
    return JSON.stringify(result.data);
  }

  /**
   * One context for the renders a dispatcher pass starts together (one turn of the event loop)
   * with the same workspace and scopes: their resolvers share its DataLoaders, so the
   * conversations of 64 events are read in one statement, not 64.
   */
  private turnContextOf(selection: PayloadSelection): RequestContext {
    const key = `${selection.workspaceId}\n${selection.scopes.join(' ')}`;
    let context = this.turnContexts.get(key);
    if (!context) {
      context = this.contextFor(principalOf(selection), `webhook-payload-${randomUUID()}`);
      this.turnContexts.set(key, context);
      setImmediate(() => this.turnContexts.delete(key));
    }
    return context;
  }

  private documentOf(query: string): DocumentNode {
    let document = this.documents.get(query);
    if (!document) keepBounded(this.documents, query, (document = parseSelection(query)), maxKeptDocuments);
    return document;
  }
}

function principalOf(selection: PayloadSelection): Principal {
  return backgroundPrincipal({ apiKeyId: selection.registeredBy, apiKeyName: 'webhook payload selection', workspaceId: selection.workspaceId, workspaceSlug: '', scopes: selection.scopes });
}

/** A Map in insertion order as a small FIFO cache. */
function keepBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}
