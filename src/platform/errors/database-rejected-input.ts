import { GatewayError } from './gateway-error';

/**
 * SQLSTATE class 22 (data exception: a value no column of that type can take, e.g. 22021 NUL in
 * text, 22P05 NUL in jsonb, 22P02 malformed number) and 08P01 (protocol violation: a NUL inlined
 * into a statement cuts its wire message short). The request is at fault, so retrying the same
 * request can never succeed: neither "unavailable" nor an internal error.
 */
const rejectedInputSqlStates = /^(22[0-9A-Z]{3}|08P01)$/;

/** True when PostgreSQL refused a value of the request rather than failing itself. */
export function isInputRejectedByDatabase(error: unknown): boolean {
  for (let current = error; typeof current === 'object' && current !== null; current = (current as { cause?: unknown }).cause) {
    const { code, sqlState } = current as { code?: unknown; sqlState?: unknown };
    if (typeof code === 'string' && rejectedInputSqlStates.test(code)) return true;
    if (typeof sqlState === 'string' && rejectedInputSqlStates.test(sqlState)) return true;
  }
  return false;
}

/**
 * What the client sees when a value got past validation and PostgreSQL refused it: not retryable,
 * and without the database's message, which quotes the value. No path is known at that point.
 */
export const valueRejectedByDatabase = () =>
  new GatewayError('BAD_USER_INPUT', 'A value in the request cannot be stored (for example text with a NUL character); fix the input before retrying', { fieldErrors: [] });
