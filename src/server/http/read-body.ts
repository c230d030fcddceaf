import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../../platform/errors';

/** Reads the whole body, refusing with 413 as soon as it passes `maxBytes` (before buffering more). */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw payloadTooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw payloadTooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const payloadTooLarge = (maxBytes: number) =>
  new GatewayError('BAD_USER_INPUT', `Request body exceeds ${maxBytes} bytes`, { maxBytes }, 413);
