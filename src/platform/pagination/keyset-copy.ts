import type { Writable } from 'node:stream';
import type { EntityManager, EntityMetadata, FilterQuery } from '@mikro-orm/postgresql';
import { copyRowsOut, withPostgresConnection } from '../database/copy-out';
import { isoTimestampSql } from '../database/iso-timestamp-sql';
import type { CursorCodec, CursorPosition } from './cursor';
import type { PageQuery } from './keyset';
import { cursorScope, walkOf, type Walk } from './keyset-walk';

/** Where a forward page of a list ends, found before its rows are copied (`findPageEnd`). */
export interface PageEnd {
  /** The cursor the page starts after; null for the list's start. */
  readonly after: string | null;
  /** The page's last row; null when the page is empty. */
  readonly last: CursorPosition | null;
  /** The cursor after the page's last row; null when the page is empty. */
  readonly endCursor: string | null;
  readonly hasNextPage: boolean;
}

/** One text per listed row, computed by PostgreSQL: `expression` over the row (aliased as the page says) and the rows `joins` adds. */
export interface ComputedLine {
  readonly expression: string;
  /** SQL `left join`s; related rows must not multiply the listed one. */
  readonly joins: string;
}

/**
 * A forward page of `size` rows as COPY writes it, in two steps. COPY returns no row to read a
 * cursor from, so `findPageEnd` first finds the page's last row, an index-only walk of `size`
 * keys; `copyPageRows` then writes the rows from the cursor through that row. Each step takes the
 * list's own conditions, workspace included; the cursors are the API's own for the list. Rows
 * inserted inside the page between the two steps are written too: nothing is skipped. Export
 * runs read their lines this way, at the database's own speed, and find the next page's end
 * while one page is copied.
 */
export class KeysetCopy<T extends { id: string }> {
  private readonly walk: Walk;
  private readonly scope: string;
  private readonly sortColumn: string;
  private readonly sortValue: string;

  constructor(
    private readonly cursors: CursorCodec,
    private readonly em: EntityManager,
    private readonly query: PageQuery<T>,
    private readonly alias: string,
  ) {
    this.walk = walkOf({ direction: 'forward', size: 1, cursor: undefined }, query.sort);
    this.scope = cursorScope(query.workspaceId, query.list, query.sort);
    const sortProperty = (em.getMetadata().find(query.entity as never) as EntityMetadata).properties[query.sort.field as never];
    this.sortColumn = quoted(sortProperty.fieldNames[0]);
    // Dates as cursors hold them (ISO, milliseconds, UTC): MikroORM's connections read timestamps as
    // PostgreSQL's text. Formatted past the offset, for the rows kept only: not for every key walked.
    this.sortValue = sortProperty.runtimeType === 'Date' ? isoTimestampSql(this.sortColumn) : this.sortColumn;
  }

  /** The end of the page of `size` rows after `after`. */
  async findPageEnd(after: string | null, size: number): Promise<PageEnd> {
    const where = this.whereAfter(after);
    const keysOf = (order: 'asc' | 'desc', limit: number) =>
      this.em
        .createQueryBuilder(this.query.entity, this.alias)
        .select(['id', this.query.sort.field] as never)
        .where(where as FilterQuery<T>)
        .orderBy({ [this.query.sort.field]: order, id: order } as never)
        .limit(limit)
        .toQuery();
    const { last, next, end } = await withPostgresConnection(this.em, async (connection) => {
      const lastRowsOf = async (keys: { sql: string; params: readonly unknown[] }, skipped: number) =>
        (await connection.query<{ id: string; sort_value: CursorPosition['value'] }>(`select id, ${this.sortValue} as sort_value from (select * from (${keys.sql}) page_keys offset ${skipped}) page_end`, keys.params as unknown[])).rows;
      // The page's last row and the one after it, which only says that more follow: the offset
      // skips within the page's own keys, never from the list's start.
      const [last, next] = await lastRowsOf(keysOf(this.walk.order, size + 1), size - 1);
      // Fewer rows than a page: the last is the list's last, read from the other end.
      return { last, next, end: last ?? (await lastRowsOf(keysOf(this.walk.order === 'asc' ? 'desc' : 'asc', 1), 0))[0] };
    });
    if (!end) return { after, last: null, endCursor: null, hasNextPage: false };
    const position = { value: end.sort_value, id: end.id };
    return { after, last: position, endCursor: this.cursors.encode(this.scope, position), hasNextPage: next !== undefined };
  }

  /** Writes the page's rows to `sink` as `line` computes them, a line each, and ends it; returns how many. */
  async copyPageRows(page: PageEnd, line: ComputedLine, sink: Writable): Promise<number> {
    if (!page.last) {
      sink.end();
      return 0;
    }
    const rows = this.em
      .createQueryBuilder(this.query.entity, this.alias)
      .select('*')
      .where({ $and: [this.whereAfter(page.after), this.walk.upTo(page.last)] } as FilterQuery<T>)
      .toQuery();
    const { alias, sortColumn } = this;
    const order = this.walk.order;
    const lines = `select ${line.expression} from (${rows.sql}) ${alias} ${line.joins} order by ${alias}.${sortColumn} ${order}, ${alias}.id ${order}`;
    return withPostgresConnection(this.em, async (connection) => {
      // The page's sort (after hashing the related rows) fits in memory at this size; with the
      // default 4 MB it spilled to disk.
      await connection.query(`begin read only; set local work_mem = '${sortMemory}'`);
      const lineCount = await copyRowsOut(connection, lines, rows.params as unknown[], sink);
      await connection.query('commit');
      return lineCount;
    });
  }

  private whereAfter(after: string | null) {
    const start = after === null ? undefined : this.cursors.decode(this.scope, after, 'after');
    return start ? { $and: [this.query.where, this.walk.beyond(start)] } : this.query.where;
  }
}

/** `work_mem` for a page's statements: a part of about 4 MB of text sorts in about 12 MB. */
const sortMemory = '32MB';

const quoted = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
