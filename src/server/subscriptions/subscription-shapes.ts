import { GraphQLError, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import { formatGraphQLError, type ErrorFormatting } from '../../platform/errors';
import type { RequestContext } from '../../policies/request-context';
import type { CompiledExecution } from '../../platform/execution';

/** What a client sent to start a subscription. */
export interface SubscriptionRequest {
  readonly query: string;
  readonly operationName?: string | null;
  readonly variables?: Record<string, unknown> | null;
}

export interface SubscriptionExecutionArgs extends ExecutionArgs {
  readonly contextValue: RequestContext;
}

export interface SharedResult {
  readonly result: ExecutionResult;
  /**
   * `result` as JSON, when every subscriber of the shape may receive it as it is. A result with
   * errors has none: its errors carry each subscription's own request id (see `formatResult`).
   */
  readonly json: string | undefined;
}

/** A subscription that receives the shape's results. */
export interface ResultSink {
  write(shared: SharedResult): void;
}

/** A live event's result and the subscriptions waiting for it while it executes. */
interface Pending {
  readonly event: unknown;
  shared: SharedResult | undefined;
  readonly sinks: ResultSink[];
}

/**
 * The subscriptions of one shape get the same result for every event, so it is executed and
 * serialised once per event for all of them. Two subscriptions share a shape when they agree on
 * everything execution reads: the workspace, the key's granted scopes (scope directives run during
 * execution; the granted scopes decide the effective ones and appear in FORBIDDEN errors), a
 * client token's reach (an event's nodes resolve inside it), the query text (so the document),
 * the operation name and the variables. Execution runs in the
 * context of the shape's first subscriber, which differs from the others' only in key and request
 * id, neither of which a field of an event reads.
 */
export class SubscriptionShape {
  /** Subscriptions holding this shape; it is forgotten when none does. */
  holders = 0;
  private last: Pending | undefined;
  /** Live results still executing, oldest first: later ones wait behind them, so order holds. */
  private readonly executing: Pending[] = [];

  constructor(
    readonly key: string,
    private readonly args: SubscriptionExecutionArgs,
    /** How its results' errors are formatted for clients. */
    readonly formatting: ErrorFormatting,
    private readonly execution: CompiledExecution,
  ) {}

  /**
   * Writes the result for a live event to `sink`, at once when execution is synchronous. The hub
   * hands each event to every subscriber before the next, so remembering the last event is
   * enough for it to be executed once per shape.
   */
  deliver(event: unknown, sink: ResultSink): void {
    const pending = this.last && this.last.event === event ? this.last : (this.last = this.start(event));
    if (this.executing.length === 0) sink.write(pending.shared!);
    else pending.sinks.push(sink);
  }

  /** The result for a replayed event: a subscriber of its own, so it is not shared. */
  async execute(event: unknown): Promise<SharedResult> {
    return share(await this.execution.executeChecked({ ...this.args, rootValue: event }));
  }

  private start(event: unknown): Pending {
    const result = this.execution.executeChecked({ ...this.args, rootValue: event });
    if (!(result instanceof Promise)) {
      const pending: Pending = { event, shared: share(result), sinks: [] };
      if (this.executing.length > 0) this.executing.push(pending);
      return pending;
    }
    // type-graphql resolves any field with arguments asynchronously (its argument validation is async).
    const pending: Pending = { event, shared: undefined, sinks: [] };
    this.executing.push(pending);
    void result.then(share, (error: unknown) => share(failed(error))).then((shared) => {
      pending.shared = shared;
      while (this.executing[0]?.shared) {
        const ready = this.executing.shift()!;
        for (const sink of ready.sinks) sink.write(ready.shared!);
      }
    });
    return pending;
  }
}

const share = (result: ExecutionResult): SharedResult => ({ result, json: result.errors ? undefined : JSON.stringify(result) });

const failed = (error: unknown): ExecutionResult => ({ errors: [error instanceof GraphQLError ? error : new GraphQLError('Internal server error', { originalError: error as Error })] });

/** The shapes of one transport's open subscriptions. */
export class SubscriptionShapes {
  private readonly shapes = new Map<string, SubscriptionShape>();

  constructor(
    private readonly execution: CompiledExecution,
    private readonly formatting: ErrorFormatting = {},
  ) {}

  acquire(request: SubscriptionRequest, args: SubscriptionExecutionArgs): SubscriptionShape {
    const { workspaceId, grantedScopes, reach } = args.contextValue.principal;
    const key = JSON.stringify([workspaceId, [...grantedScopes].sort(), reach ?? null, request.query, request.operationName ?? null, request.variables ?? null]);
    let shape = this.shapes.get(key);
    if (!shape) {
      const { schema, document, operationName, variableValues, contextValue } = args;
      shape = new SubscriptionShape(key, { schema, document, operationName, variableValues, contextValue }, this.formatting, this.execution);
      this.shapes.set(key, shape);
    }
    shape.holders++;
    return shape;
  }

  release(shape: SubscriptionShape): void {
    if (--shape.holders === 0 && this.shapes.get(shape.key) === shape) this.shapes.delete(shape.key);
  }
}

/** A result with its errors in the gateway's shape, each carrying the subscription's request id. */
export function formatResult(result: ExecutionResult, requestId: string, formatting: ErrorFormatting = {}): FormattedExecutionResult {
  if (!result.errors) return result as FormattedExecutionResult;
  return { ...result, errors: result.errors.map((error) => withRequestId(formatGraphQLError(error.toJSON(), error, formatting), requestId)) };
}

export function withRequestId<T extends { extensions?: Record<string, unknown> }>(error: T, requestId: string): T {
  return { ...error, extensions: { ...error.extensions, requestId } };
}
