import { GatewayError } from '../errors';
import { CursorCodec } from './cursor';

const scope = 'workspace-1:conversations:createdAt:desc';
const codec = new CursorCodec('cursor-test-secret');
/** A forger who holds the signing key: the only way a payload that `encode` never wrote gets a valid signature. */
const signAsTheServer = (payload: string) => (codec as unknown as { sign(scope: string, payload: string): string }).sign(scope, payload);
const base64url = (text: string) => Buffer.from(text).toString('base64url');

function decodeFailure(cursor: string): GatewayError {
  try {
    codec.decode(scope, cursor, 'after');
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error(`"${cursor}" was accepted`);
}

describe('CursorCodec', () => {
  it('decodes the position it encoded, for the same scope only', () => {
    const cursor = codec.encode(scope, { value: '2026-01-02T03:04:05.000Z', id: 'conv_1' });
    expect(codec.decode(scope, cursor, 'after')).toEqual({ value: '2026-01-02T03:04:05.000Z', id: 'conv_1' });
    expect(() => codec.decode(`${scope}x`, cursor, 'after')).toThrow(GatewayError);
  });

  it.each([
    ['cut short', (signature: string) => signature.slice(0, -2)],
    ['padded', (signature: string) => `${signature}AAAA`],
    ['of one byte', () => 'AA'],
  ])('refuses a signature %s, of another length than a real one, as BAD_USER_INPUT on the argument, not as an internal error', (_length, alter) => {
    const [payload, signature] = codec.encode(scope, { value: 1, id: 'evt_1' }).split('.');
    const failure = decodeFailure(`${payload}.${alter(signature)}`);
    expect(failure.code).toBe('BAD_USER_INPUT');
    expect(failure.details).toMatchObject({ fieldErrors: [{ field: 'after' }] });
  });

  it.each([
    ['not base64url-encoded JSON', '%%%not-base64%%%'],
    ['base64url of text that is not JSON', base64url('{"value":')],
    ['JSON that is not a [value, id] pair', base64url('{"value":1,"id":"conv_1"}')],
    ['a pair whose id is not a string', base64url('[1, 2]')],
    ['a pair whose value is an object', base64url('[{"$gt":""}, "conv_1"]')],
  ])('refuses a correctly signed payload that is %s as BAD_USER_INPUT', (_description, payload) => {
    const failure = decodeFailure(`${payload}.${signAsTheServer(payload)}`);
    expect(failure.code).toBe('BAD_USER_INPUT');
    expect(failure.details).toMatchObject({ fieldErrors: [{ field: 'after' }] });
  });
});
