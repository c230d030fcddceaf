import type { ServerResponse } from 'node:http';
import { print } from 'graphql-sse';
import { extensionsOf, type GatewayError } from '../../platform/errors';
import type { OpenStream } from './open-streams';

/** A client that stops reading is cut off once this much is queued for it. */
const maxBufferedBytes = 1_048_576;

/**
 * Writes graphql-sse's messages to the response until the operation completes, the client
 * goes away, or `stream.end` is called. The generator is returned, never awaited: its
 * subscription may finish only at the next event.
 */
export async function pipeEventStream(events: AsyncGenerator<string, void, undefined>, response: ServerResponse, stream: OpenStream, requestId: string): Promise<void> {
  let farewell: GatewayError | undefined;
  const stop = () => void events.return(undefined);
  stream.end = (error) => {
    farewell = error;
    stop();
  };
  response.once('close', stop);
  try {
    for (;;) {
      const { value, done } = await events.next();
      if (done || response.destroyed) break;
      response.write(value);
      if (response.writableLength > maxBufferedBytes) return void response.destroy();
    }
    if (response.destroyed) return;
    if (farewell) response.write(farewellMessages(farewell, requestId));
    response.end();
  } finally {
    response.off('close', stop);
  }
}

/** An error result, then `complete`: the client learns why and does not reconnect. */
function farewellMessages(error: GatewayError, requestId: string): string {
  const result = { errors: [{ message: error.message, extensions: { ...extensionsOf(error), requestId } }] };
  return print({ event: 'next', data: result as never }) + print({ event: 'complete', data: null });
}
