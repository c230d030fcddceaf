import { Transform, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import * as pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/** node-postgres's conversion of a bound value to the text it sends; exported at run time, missing from its types. */
const { prepareValue } = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils;

/**
 * Runs `work` on one of the ORM pool's node-postgres connections, for what MikroORM does not
 * offer: COPY, and several statements on one connection without a transaction.
 */
export async function withPostgresConnection<T>(em: EntityManager, work: (connection: pg.Client) => Promise<T>): Promise<T> {
  const knexClient = em.getKnex().client;
  const connection = (await knexClient.acquireConnection()) as pg.Client;
  try {
    return await work(connection);
  } catch (error) {
    // A COPY stopped on our side leaves its rows still arriving on the connection: it must not
    // serve another query. Ended, the pool discards it.
    await connection.end().catch(() => {});
    throw error;
  } finally {
    await knexClient.releaseConnection(connection);
  }
}

/**
 * Streams the rows of a one-column query into `sink` with PostgreSQL's COPY, each row's text
 * followed by a line break, and returns how many rows it wrote. The rows arrive as the protocol's
 * raw bytes and go on as bytes: no row becomes a JavaScript object or string, which is what
 * makes COPY the fastest way out of PostgreSQL. `sink` is ended with the last row.
 *
 * COPY takes no bind parameters, so `parameters` are written into the SQL (`inlineParameters`).
 */
export async function copyRowsOut(connection: pg.Client, sql: string, parameters: readonly unknown[], sink: Writable): Promise<number> {
  const rows = connection.query(copyTo(`copy (${inlineParameters(sql, parameters)}) to stdout`));
  await pipeline(rows, new CopyTextDecoder(), sink);
  return rows.rowCount;
}

/**
 * `sql` with each `$n` replaced by its parameter as a quoted literal. A literal is written from
 * the text that node-postgres would have bound (`prepareValue`) and is typed by PostgreSQL from
 * its context as a bound parameter of unknown type is, so the statement means what the bound one
 * did. `escapeLiteral` doubles quotes and backslashes whatever `standard_conforming_strings` says.
 * The SQL itself must hold no `$n` other than placeholders: ours is built from quoted identifiers
 * and literals without `$`.
 */
export function inlineParameters(sql: string, parameters: readonly unknown[]): string {
  return sql.replace(/\$(\d+)(?!\d)/g, (_placeholder, position: string) => {
    const index = Number(position) - 1;
    if (index < 0 || index >= parameters.length) throw new Error(`no parameter for $${position}`);
    const value: unknown = prepareValue(parameters[index]);
    if (value === null || value === undefined) return 'null';
    return pg.escapeLiteral(Buffer.isBuffer(value) ? `\\x${value.toString('hex')}` : String(value));
  });
}

const backslash = 0x5c;
/** COPY's text format escapes (`\\`, `\n`, …) and the byte each stands for. */
const escapedBytes: Readonly<Record<number, number>> = { 0x5c: 0x5c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c, 0x76: 0x0b };

/**
 * Turns COPY's text format of a one-column result back into each value's text, a line each.
 * COPY TO writes a backslash, line feed, carriage return, tab, backspace, form feed or vertical
 * tab inside a value as a backslash sequence, and nothing else (no octal or hex sequences). JSON
 * lines hold control characters only as JSON escapes, so their backslashes are what this undoes
 * in practice; a chunk without a backslash passes as it is. A null value (`\N`) is refused: no
 * line of ours is null.
 */
export class CopyTextDecoder extends Transform {
  /** A chunk that ended in a backslash: the escape goes on in the next chunk. */
  private isEscapePending = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.isEscapePending && chunk.indexOf(backslash) === -1) return done(null, chunk);
    try {
      done(null, this.decoded(chunk));
    } catch (error) {
      done(error as Error);
    }
  }

  private decoded(chunk: Buffer): Buffer {
    const decoded = Buffer.allocUnsafe(chunk.length);
    let length = 0;
    let start = 0;
    if (this.isEscapePending) {
      this.isEscapePending = false;
      if (chunk.length === 0) return chunk;
      decoded[length++] = this.unescaped(chunk[0]);
      start = 1;
    }
    for (;;) {
      const at = chunk.indexOf(backslash, start);
      const end = at === -1 ? chunk.length : at;
      length += chunk.copy(decoded, length, start, end);
      if (at === -1) break;
      if (at + 1 === chunk.length) {
        this.isEscapePending = true;
        break;
      }
      decoded[length++] = this.unescaped(chunk[at + 1]);
      start = at + 2;
    }
    return decoded.subarray(0, length);
  }

  override _flush(done: TransformCallback): void {
    done(this.isEscapePending ? new Error('COPY output ended inside a backslash sequence') : null);
  }

  private unescaped(code: number): number {
    const byte = escapedBytes[code];
    if (byte === undefined) throw new Error(`COPY output holds an unexpected sequence \\${String.fromCharCode(code)}`);
    return byte;
  }
}
