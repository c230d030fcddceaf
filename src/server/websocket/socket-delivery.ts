import type WebSocket from 'ws';
import type { EventEnvelope, EventSink, EventStream } from '../../modules/events';
import { formatResult, type ResultSink, type SharedResult, type SubscriptionShape } from '../subscriptions/subscription-shapes';

/** A client that stops reading is cut off once this much is queued for it. */
export const maxBufferedBytes = 1_048_576;

type Done = IteratorReturnResult<undefined>;
const done: Done = { value: undefined, done: true };

/** How the stream ended: stopped (no error) or failed. */
type Outcome = { readonly error?: unknown };

/**
 * One graphql-ws subscription whose events are written straight to its socket: the payload
 * comes from its shape, executed and serialised once for every alike subscription, and is framed
 * as `{"id":…,"type":"next","payload":…}` by concatenation. Live events are written as the hub
 * hands them over, with no queue and no await per event; a client that stops reading is cut off
 * by the bytes waiting on its socket. Replayed events are written one send at a time.
 *
 * To graphql-ws it is an iterator that yields nothing: `next` settles when the stream fails
 * (graphql-ws then sends `error`), and `return` (the client's `complete`, a closed socket) stops
 * the stream.
 */
export class SocketDelivery implements EventSink, ResultSink, AsyncIterableIterator<never> {
  private readonly framePrefix: string;
  private outcome: Outcome | undefined;
  private settle: ((outcome: Outcome) => void) | undefined;

  constructor(
    private readonly socket: WebSocket,
    id: string,
    readonly requestId: string,
    private readonly shape: SubscriptionShape,
    private readonly stream: EventStream,
    private readonly onEnd: () => void,
  ) {
    this.framePrefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
    stream.start(this).catch((error: unknown) => this.end({ error }));
  }

  push(event: EventEnvelope): void {
    this.shape.deliver(event, this);
  }

  async replay(event: EventEnvelope): Promise<void> {
    const frame = this.frameOf(await this.shape.execute(event));
    await new Promise<void>((resolve) => this.socket.send(frame, () => resolve()));
  }

  write(shared: SharedResult): void {
    if (this.outcome) return;
    this.socket.send(this.frameOf(shared));
    if (this.socket.bufferedAmount > maxBufferedBytes) this.socket.terminate();
  }

  next(): Promise<Done> {
    return new Promise((resolve, reject) => {
      this.settle = (outcome) => ('error' in outcome ? reject(outcome.error) : resolve(done));
      if (this.outcome) this.settle(this.outcome);
    });
  }

  return(): Promise<Done> {
    this.end({});
    return Promise.resolve(done);
  }

  throw(): Promise<Done> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private end(outcome: Outcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.stream.stop();
    this.onEnd();
    this.settle?.(outcome);
  }

  private frameOf(shared: SharedResult): string {
    return `${this.framePrefix}${shared.json ?? JSON.stringify(formatResult(shared.result, this.requestId, this.shape.formatting))}}`;
  }
}
