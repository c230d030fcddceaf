import { ConnectionException } from '@mikro-orm/core';

const unavailableErrnoCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
/**
 * SQLSTATE class 08 (connection) and 57P0x (server shutting down or starting). Not 08P01, a
 * protocol violation: the statement itself was malformed (a NUL inlined into it), so a retry fails
 * the same way.
 */
const unavailableSqlStates = /^(08(?!P01)|57P0[1-3])/;
/**
 * "Transaction query already complete" is knex's answer to a query in a transaction whose BEGIN
 * failed on a dropped connection: MikroORM surfaces it, and the connection error is lost.
 */
const unavailableMessages = /Connection terminated|Timeout acquiring a connection|connection timeout|the database system is (starting up|shutting down)|Transaction query already complete/i;

/**
 * True when the error says PostgreSQL could not be reached, not that the query was wrong. Errors
 * are matched by shape, not `instanceof Error`: a socket error from Node's own realm fails that
 * test inside a VM context such as Jest's.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error; typeof current === 'object' && current !== null; current = (current as { cause?: unknown }).cause) {
    if (current instanceof ConnectionException) return true;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (unavailableErrnoCodes.has(code) || unavailableSqlStates.test(code))) return true;
    if (typeof message === 'string' && unavailableMessages.test(message)) return true;
  }
  return false;
}

/**
 * True when PostgreSQL cancelled a statement for running past statement_timeout (SQLSTATE 57014
 * is also a cancel on request, which says "user request" instead).
 */
export function isStatementTimeout(error: unknown): boolean {
  for (let current = error; typeof current === 'object' && current !== null; current = (current as { cause?: unknown }).cause) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (code === '57014' && typeof message === 'string' && message.includes('statement timeout')) return true;
  }
  return false;
}
