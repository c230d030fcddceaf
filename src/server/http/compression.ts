import type { ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

export type ContentCoding = 'br' | 'gzip';

/** Smaller answers go as they are: the headers and the CPU would outweigh the bytes saved. */
export const minCompressedBytes = 1024;

const compressors: Record<ContentCoding, (body: Buffer) => Promise<Buffer>> = {
  // Quality 4: most of brotli's gain at a small share of its default (11) CPU, for answers made per request.
  br: (body) => promisify(brotliCompress)(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  gzip: (body) => promisify(gzip)(body, { level: 6 }),
};

/**
 * The coding to answer with for an `Accept-Encoding` header: the one the client weighs higher,
 * brotli on a tie, none when neither is accepted. `q=0` refuses a coding; `*` stands for both.
 */
export function negotiateCoding(acceptEncoding: string | undefined): ContentCoding | undefined {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...parameters] = part.trim().toLowerCase().split(';');
    const quality = parameters.map((parameter) => /^\s*q=([0-9.]+)\s*$/.exec(parameter)?.[1]).find((value) => value !== undefined);
    if (name) weights.set(name, quality === undefined ? 1 : Number(quality));
  }
  const weightOf = (coding: ContentCoding) => weights.get(coding) ?? weights.get('*') ?? 0;
  const [br, gz] = [weightOf('br'), weightOf('gzip')];
  if (br <= 0 && gz <= 0) return undefined;
  return br >= gz ? 'br' : 'gzip';
}

/** Adds to `Vary` without dropping what is there (CORS varies on Origin). */
export function addVary(response: ServerResponse, header: string): void {
  const present = response.getHeader('vary');
  const values = present === undefined ? [] : String(present).split(',').map((value) => value.trim()).filter(Boolean);
  if (!values.some((value) => value.toLowerCase() === header.toLowerCase())) values.push(header);
  response.setHeader('Vary', values.join(', '));
}

/**
 * Ends `response` with `body`, compressed when the client accepts a coding and the body is worth
 * it. Credentials travel in headers, never cookies, so a cross-site page cannot make a client send
 * authenticated requests to measure: the precondition of BREACH-style attacks does not hold.
 */
export async function endCompressed(response: ServerResponse, body: string | Buffer, acceptEncoding: string | undefined): Promise<void> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  addVary(response, 'Accept-Encoding');
  const coding = bytes.length >= minCompressedBytes ? negotiateCoding(acceptEncoding) : undefined;
  if (!coding) return void response.end(bytes);
  const compressed = await compressors[coding](bytes);
  response.setHeader('Content-Encoding', coding);
  response.end(compressed);
}

/** Compresses once and remembers: for static files served again and again (the GraphiQL bundle). */
export async function compressOnce(cache: Map<string, Buffer>, key: string, body: Buffer, coding: ContentCoding): Promise<Buffer> {
  const cacheKey = `${key}:${coding}`;
  if (!cache.has(cacheKey)) cache.set(cacheKey, await compressors[coding](body));
  return cache.get(cacheKey)!;
}
