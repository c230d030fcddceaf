import { GatewayError } from '../../platform/errors';
import type { EventEnvelope } from './event-recorder';
import type { EventHub } from './hub/event-hub';

export interface EventStreamRequest {
  readonly workspaceId: string;
  /** The sequence to resume after (missed events are replayed from the log first); undefined: live only. */
  readonly startAfter: () => Promise<number | undefined>;
  readonly isWanted: (event: EventEnvelope) => boolean;
  /** Told once when the subscriber falls too far behind; the stream then fails with RATE_LIMITED. */
  readonly onOverflow?: () => void;
}

/** Where a stream's events go, in sequence order. */
export interface EventSink {
  /** A live event, handed over synchronously by the hub: deliver it now. */
  push(event: EventEnvelope): void;
  /** A replayed event: the stream reads on once the promise settles, so a backlog goes at the subscriber's pace. */
  replay(event: EventEnvelope): Promise<void>;
}

const replayBatchSize = 500;
/** Events waiting for a slow subscriber before it is cut off; memory stays bounded. */
export const maxBufferedEvents = 1_000;

const tooFarBehind = () =>
  new GatewayError('RATE_LIMITED', `More than ${maxBufferedEvents} events waited for this subscriber; resubscribe with after`, { retryAfterSeconds: 1 });

/**
 * One subscriber's events: the log after its `after`, then live ones from the hub, with no gap
 * and no duplicate. The hub subscription starts first, so anything committed during the replay
 * waits in a queue, and sequences only move forward.
 *
 * `start` pushes events into a sink, the live ones synchronously from the hub: nothing waits per
 * event per subscriber, and an idle live stream is a listener, not a suspended function. That is
 * what fan-out to thousands of sockets needs. Iterating pulls them instead (graphql's own
 * `subscribe`, SSE).
 */
export class EventStream implements AsyncIterable<EventEnvelope> {
  private isStopped = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly hub: EventHub,
    private readonly request: EventStreamRequest,
  ) {}

  /**
   * Replays, then resolves once the stream is live: the hub pushes from then on, until `stop`.
   * Rejects when the stream cannot go on (a bad `after`, overflow during the replay).
   */
  async start(sink: EventSink): Promise<void> {
    const { isWanted } = this.request;
    const waiting: EventEnvelope[] = [];
    let last = 0;
    let isLive = false;
    let overflow: GatewayError | undefined;
    const { startsAfter, unsubscribe } = await this.hub.subscribe(this.request.workspaceId, (event) => {
      if (isLive) {
        // An `after` beyond the end of the log skips live events up to it.
        if (event.sequence <= last) return;
        last = event.sequence;
        if (isWanted(event)) sink.push(event);
      } else if (!overflow && waiting.push(event) > maxBufferedEvents) {
        overflow = tooFarBehind();
        waiting.length = 0;
        this.request.onOverflow?.();
      }
    });
    this.unsubscribe = unsubscribe;
    const replay = async (event: EventEnvelope) => {
      if (overflow) throw overflow;
      last = event.sequence;
      if (isWanted(event)) await sink.replay(event);
    };
    try {
      last = (await this.request.startAfter()) ?? startsAfter;
      while (last < startsAfter && !this.isStopped) {
        const replayed = await this.hub.readLog(this.request.workspaceId, { after: last, upTo: startsAfter, limit: replayBatchSize });
        if (replayed.length === 0) break;
        for (const event of replayed) if (!this.isStopped) await replay(event);
      }
      for (let event = waiting.shift(); event && !this.isStopped; event = waiting.shift()) if (event.sequence > last) await replay(event);
      if (overflow) throw overflow;
      isLive = true;
    } finally {
      if (!isLive || this.isStopped) unsubscribe();
    }
  }

  stop(): void {
    this.isStopped = true;
    this.unsubscribe?.();
  }

  /** Pulls events one at a time; returning stops the stream at once, even while it waits. */
  [Symbol.asyncIterator](): AsyncIterator<EventEnvelope> {
    const queue: EventEnvelope[] = [];
    let wake: (() => void) | undefined;
    let taken: (() => void) | undefined;
    let failure: unknown;
    const ready = () => wake?.();
    const fail = (error: unknown) => {
      failure ??= error;
      queue.length = 0;
      ready();
    };
    this.start({
      push: (event) => {
        if (queue.push(event) > maxBufferedEvents) {
          this.request.onOverflow?.();
          fail(tooFarBehind());
          this.stop();
        }
        ready();
      },
      replay: (event) => {
        queue.push(event);
        ready();
        return new Promise((resolve) => (taken = resolve));
      },
    }).catch(fail);
    const end = () => {
      this.stop();
      taken?.();
      ready();
      return Promise.resolve({ value: undefined, done: true as const });
    };
    return {
      next: async () => {
        for (;;) {
          if (failure) throw failure;
          const value = queue.shift();
          if (value) {
            if (queue.length === 0) taken?.();
            return { value, done: false };
          }
          if (this.isStopped) return { value: undefined, done: true };
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      return: end,
      throw: end,
    };
  }
}
