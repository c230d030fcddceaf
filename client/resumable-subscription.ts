/**
 * Subscriptions that survive reconnects with nothing missing and nothing twice, over graphql-ws
 * and graphql-sse alike. Both clients send the same payload object again on every retry, so the
 * helper keeps `variables.after` at the last sequence it delivered: the gateway then replays from
 * its event log exactly what came after it, and live events follow. A replayed event the helper
 * already delivered (a retry racing a late live one) is dropped by its sequence.
 */

/** What graphql-ws's and graphql-sse's clients share: `subscribe(payload, sink)` returning a disposer. */
export interface SubscribableClient {
  subscribe(
    payload: { query: string; variables?: Record<string, unknown>; operationName?: string },
    sink: { next(result: { data?: unknown; errors?: readonly unknown[] | null }): void; error(error: unknown): void; complete(): void },
  ): () => void;
}

export interface ResumableSubscriptionOptions<TData> {
  /** A subscription to `events` or `conversationEvents` that selects `sequence`, and declares `$after: String`. */
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
  /** The last sequence already handled (stored by the caller); absent: from the first event received on. */
  readonly after?: number;
  /** Where a result's sequence is; by default the `sequence` of the result's one root field. */
  readonly sequenceOf?: (data: TData) => number | undefined;
  next(data: TData, sequence: number): void;
  /** A refusal (bad arguments, a revoked key) or a failure the client gave up retrying. */
  error?(error: unknown): void;
  complete?(): void;
}

export interface ResumableSubscription {
  /** The sequence of the last event delivered: store it to resume from there in another session. */
  readonly lastSequence: number | undefined;
  unsubscribe(): void;
}

const rootSequence = (data: unknown): number | undefined => {
  const root = data && typeof data === 'object' ? Object.values(data)[0] : undefined;
  const sequence = root && typeof root === 'object' ? (root as { sequence?: unknown }).sequence : undefined;
  return typeof sequence === 'number' ? sequence : undefined;
};

export function subscribeResumable<TData>(client: SubscribableClient, options: ResumableSubscriptionOptions<TData>): ResumableSubscription {
  let lastSequence = options.after;
  const variables: Record<string, unknown> = { ...options.variables };
  if (lastSequence !== undefined) variables.after = String(lastSequence);
  const sequenceOf = options.sequenceOf ?? (rootSequence as (data: TData) => number | undefined);
  let isEnded = false;
  let dispose: () => void = () => {};
  const end = () => {
    isEnded = true;
    dispose();
  };
  dispose = client.subscribe(
    { query: options.query, variables, operationName: options.operationName },
    {
      next: (result) => {
        if (isEnded) return;
        if (result.errors?.length) {
          end();
          return options.error?.(result.errors);
        }
        const data = result.data as TData;
        const sequence = sequenceOf(data);
        if (sequence === undefined) {
          end();
          return options.error?.(new Error('subscribeResumable: the subscription must select `sequence`'));
        }
        if (lastSequence !== undefined && sequence <= lastSequence) return;
        lastSequence = sequence;
        // The client sends this same object on its next retry: resume right after this event.
        variables.after = String(sequence);
        options.next(data, sequence);
      },
      error: (error) => {
        isEnded = true;
        options.error?.(error);
      },
      complete: () => {
        isEnded = true;
        options.complete?.();
      },
    },
  );
  return {
    get lastSequence() {
      return lastSequence;
    },
    unsubscribe: end,
  };
}
