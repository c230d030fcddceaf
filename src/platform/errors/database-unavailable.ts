import { ConnectionException } from '@mikro-orm/core';

const unavailableErrnoCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
/** SQLSTATE class 08 (connection) and 57P0x (server shutting down or starting). */
const unavailableSqlStates = /^(08|57P0[1-3])/;
const unavailableMessages = /Connection terminated|Timeout acquiring a connection|connection timeout|the database system is (starting up|shutting down)/i;

/** True when the error says PostgreSQL could not be reached, not that the query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = (current as { cause?: unknown }).cause) {
    if (current instanceof ConnectionException) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (unavailableErrnoCodes.has(code) || unavailableSqlStates.test(code))) return true;
    if (unavailableMessages.test(current.message)) return true;
  }
  return false;
}
