import type { EntityManager } from '@mikro-orm/postgresql';
import { GatewayError } from '../../platform/errors';
import { readEventLog } from './event-log';
import type { EventEnvelope } from './event-recorder';
import type { EventHub } from './hub/event-hub';

export interface EventStreamRequest {
  readonly workspaceId: string;
  /** Resume after this sequence: missed events are replayed from the log first. */
  readonly afterSequence: number | undefined;
  readonly isWanted: (event: EventEnvelope) => boolean;
  /** Ends the stream at once, even while it waits for the next event. */
  readonly signal: AbortSignal;
  /** Told once when the subscriber falls too far behind; the stream then fails at its next read. */
  readonly onOverflow?: () => void;
}

const replayBatchSize = 500;
/** Events waiting for a slow subscriber before it is cut off; memory stays bounded. */
export const maxBufferedEvents = 1_000;

/**
 * Replays the log after `afterSequence`, then continues live from the hub with no gap and no
 * duplicate: the hub subscription starts first, so anything committed during the replay is
 * already queued, and sequences only move forward.
 */
export async function* streamEvents(hub: EventHub, em: EntityManager, request: EventStreamRequest): AsyncGenerator<EventEnvelope> {
  const queue: EventEnvelope[] = [];
  let wake: (() => void) | undefined;
  let isOverflowing = false;
  const { startsAfter, unsubscribe } = await hub.subscribe(request.workspaceId, (events) => {
    if (isOverflowing) return;
    queue.push(...events);
    if (queue.length > maxBufferedEvents) {
      isOverflowing = true;
      queue.length = 0;
      request.onOverflow?.();
    }
    wake?.();
  });
  const stopWaiting = () => wake?.();
  request.signal.addEventListener('abort', stopWaiting, { once: true });
  try {
    let last = request.afterSequence ?? startsAfter;
    while (last < startsAfter) {
      const replayed = await readEventLog(em, request.workspaceId, { after: last, upTo: startsAfter, limit: replayBatchSize });
      if (replayed.length === 0) break;
      for (const event of replayed) {
        last = event.sequence;
        if (request.isWanted(event)) yield event;
      }
    }
    while (!request.signal.aborted) {
      if (isOverflowing) throw new GatewayError('RATE_LIMITED', `More than ${maxBufferedEvents} events waited for this subscriber; resubscribe with after`, { retryAfterSeconds: 1 });
      const event = queue.shift();
      if (!event) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (event.sequence <= last) continue;
      last = event.sequence;
      if (request.isWanted(event)) yield event;
    }
  } finally {
    request.signal.removeEventListener('abort', stopWaiting);
    unsubscribe();
  }
}

/**
 * An async generator cannot be stopped while it awaits: `return()` queues behind the pending
 * `next()`. This wrapper aborts the wait first, so an unsubscribe takes effect at once.
 */
export function abortableIterator<T>(create: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const generator = create(controller.signal);
  return {
    next: () => generator.next(),
    return: (value?: unknown) => {
      controller.abort();
      return generator.return(value as T);
    },
    throw: (error?: unknown) => {
      controller.abort();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
