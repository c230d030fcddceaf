import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../../platform/errors';

/**
 * How much of an oversized body is read and thrown away before the 413 goes out. A client still
 * sending when the server closes gets EPIPE instead of the answer (Node's fetch does), so the rest
 * is drained, up to this much; past it the connection is cut.
 */
export const maxDrainedBytes = 4 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the whole body as UTF-8 text. Refuses with 413 once it passes `maxBytes` (buffering no
 * more), 415 for a declared charset other than UTF-8, 400 for bytes that are not UTF-8: text is
 * never stored with U+FFFD in place of what the client sent.
 */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  const charset = charsetOf(request.headers['content-type']);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new GatewayError('BAD_USER_INPUT', 'Send the body as UTF-8 (charset=utf-8)', { charset }, 415);
  }
  const declared = Number(request.headers['content-length']);
  const isDeclaredTooLarge = Number.isFinite(declared) && declared > maxBytes;
  if (isDeclaredTooLarge && declared > maxBytes + maxDrainedBytes) throw payloadTooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    // Leaving the loop destroys the socket: only once draining has gone on long enough.
    if (received > maxBytes + maxDrainedBytes) throw payloadTooLarge(maxBytes);
    if (received <= maxBytes) chunks.push(chunk);
  }
  if (isDeclaredTooLarge || received > maxBytes) throw payloadTooLarge(maxBytes);
  try {
    return utf8.decode(Buffer.concat(chunks));
  } catch {
    throw new GatewayError('BAD_USER_INPUT', 'The request body is not valid UTF-8', {}, 400);
  }
}

const payloadTooLarge = (maxBytes: number) =>
  new GatewayError('BAD_USER_INPUT', `Request body exceeds ${maxBytes} bytes`, { maxBytes }, 413);

/** The charset parameter of a Content-Type, lower-cased and unquoted; undefined when absent. */
function charsetOf(contentType: string | undefined): string | undefined {
  for (const parameter of (contentType ?? '').split(';').slice(1)) {
    const [name, value = ''] = parameter.split('=', 2).map((part) => part.trim());
    if (name.toLowerCase() === 'charset') return value.replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}
