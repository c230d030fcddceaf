import { createHmac, timingSafeEqual } from 'node:crypto';
import { badUserInput } from '../errors';

/** A position in a list: the sort value and the id of the row at that position. */
export interface CursorPosition {
  readonly value: string | number | null;
  readonly id: string;
}

const signatureBytes = 12;

/**
 * Opaque, signed cursors. The signature covers the scope (workspace, list and sort), so a
 * cursor that was edited, or that comes from another workspace or list, is refused instead of
 * silently meaning something else.
 */
export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(scope: string, position: CursorPosition): string {
    const payload = Buffer.from(JSON.stringify([position.value, position.id])).toString('base64url');
    return `${payload}.${this.sign(scope, payload)}`;
  }

  /** `argument` names the argument in the error, e.g. `after`. */
  decode(scope: string, cursor: string, argument: string): CursorPosition {
    const invalid = () => badUserInput([{ field: argument, message: 'Not a cursor this list returned' }], 'Invalid cursor');
    const [payload, signature, extra] = cursor.split('.');
    if (!payload || !signature || extra !== undefined || !this.isSignedFor(scope, payload, signature)) throw invalid();
    const position = parsePosition(payload);
    if (!position) throw invalid();
    return position;
  }

  private isSignedFor(scope: string, payload: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(scope, payload), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    // timingSafeEqual throws on buffers of different lengths: a cut or padded signature is simply not ours.
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(scope: string, payload: string): string {
    return createHmac('sha256', this.secret).update(scope).update('\0').update(payload).digest().subarray(0, signatureBytes).toString('base64url');
  }
}

/** The position a payload holds, or undefined when it is not the `[value, id]` JSON that `encode` writes. */
function parsePosition(payload: string): CursorPosition | undefined {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || typeof decoded[1] !== 'string') return undefined;
  const [value, id] = decoded as [unknown, string];
  if (value !== null && typeof value !== 'string' && typeof value !== 'number') return undefined;
  return { value, id };
}
