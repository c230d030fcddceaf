import { badUserInput } from '../errors';

/** A position in a list ordered by (createdAt, id). Encoded opaquely; never trusted for tenancy. */
export interface CreationCursor {
  readonly createdAt: Date;
  readonly id: string;
}

export function encodeCursor(position: CreationCursor): string {
  return Buffer.from(JSON.stringify([1, position.createdAt.toISOString(), position.id])).toString('base64url');
}

/** `argument` names the argument in the error, e.g. `after`. */
export function decodeCursor(cursor: string, argument: string): CreationCursor {
  const invalid = () => badUserInput([{ field: argument, message: 'Not a cursor returned by this API' }], 'Invalid cursor');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || decoded[0] !== 1) throw invalid();
  const [, createdAtText, id] = decoded as unknown[];
  if (typeof createdAtText !== 'string' || typeof id !== 'string' || id.length === 0 || id.length > 64) throw invalid();
  const createdAt = new Date(createdAtText);
  if (Number.isNaN(createdAt.getTime())) throw invalid();
  return { createdAt, id };
}
