import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/postgresql';
import { findPlainRows } from '../database/plain-rows';
import type { CursorCodec, CursorPosition } from './cursor';
import type { PageArgs } from './page-args';
import { toPageRequest } from './page-args';

export interface Page<T> {
  readonly items: readonly { readonly cursor: string; readonly node: T }[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  /** Runs a COUNT only when a client selects totalCount. */
  readonly countTotal: () => Promise<number>;
}

export interface SortOrder<T> {
  /** A non-null column; `id` breaks ties. */
  readonly field: keyof T & string;
  readonly direction: 'asc' | 'desc';
}

export interface PageQuery<T> {
  readonly entity: EntityName<T>;
  /** Must carry the workspace: cursors never decide which rows are visible. */
  readonly where: FilterQuery<T>;
  readonly sort: SortOrder<T>;
  /** The list's name in cursor signatures, e.g. `conversations`. */
  readonly list: string;
  readonly workspaceId: string;
  readonly populate?: readonly string[];
}

type Row = { id: string };

/**
 * Keyset pagination over (sort field, id): positions, not offsets, so pages stay correct while
 * rows are inserted, and forward and backward walks meet the same rows.
 */
export class Pager {
  constructor(private readonly cursors: CursorCodec) {}

  /** A page of managed entities. */
  page<T extends Row>(em: EntityManager, query: PageQuery<T>, args: PageArgs): Promise<Page<T>> {
    return this.fetchPage(em, query, args, (where, orderBy, limit) =>
      em.find(query.entity, where, { orderBy: orderBy as never, limit, populate: (query.populate ?? []) as never }),
    );
  }

  /** A page of plain rows (`PlainRow`): for read paths, which need no managed entities. */
  pageRows<T extends Row, Plain extends Row>(em: EntityManager, query: PageQuery<T>, args: PageArgs): Promise<Page<Plain>> {
    return this.fetchPage<T, Plain>(em, query, args, (where, orderBy, limit) => findPlainRows<Plain>(em, query.entity as EntityName<object>, { where: where as FilterQuery<object>, orderBy, limit }));
  }

  private async fetchPage<T extends Row, Item extends Row>(
    em: EntityManager,
    query: PageQuery<T>,
    args: PageArgs,
    fetch: (where: FilterQuery<T>, orderBy: Record<string, 'asc' | 'desc'>, limit: number) => Promise<Item[]>,
  ): Promise<Page<Item>> {
    const request = toPageRequest(args);
    const isForward = request.direction === 'forward';
    const scope = `${query.workspaceId}:${query.list}:${query.sort.field}:${query.sort.direction}`;
    const position = request.cursor === undefined ? undefined : this.cursors.decode(scope, request.cursor, isForward ? 'after' : 'before');
    const walksAscending = (query.sort.direction === 'asc') === isForward;
    const where = position ? { $and: [query.where, beyond(query.sort.field, position, walksAscending ? '$gt' : '$lt')] } : query.where;
    const order = walksAscending ? 'asc' : 'desc';
    const rows = await fetch(where as FilterQuery<T>, { [query.sort.field]: order, id: order }, request.size + 1);
    const hasMore = rows.length > request.size;
    const pageRows = rows.slice(0, request.size);
    if (!isForward) pageRows.reverse();
    return {
      items: pageRows.map((node) => lazilySigned(node, () => this.cursors.encode(scope, positionOf(node, query.sort.field)))),
      hasNextPage: isForward ? hasMore : position !== undefined,
      hasPreviousPage: isForward ? position !== undefined : hasMore,
      countTotal: () => em.count(query.entity, query.where),
    };
  }
}

function beyond(field: string, position: CursorPosition, operator: '$gt' | '$lt') {
  const value = typeof position.value === 'string' && /^\d{4}-\d\d-\d\dT/.test(position.value) ? new Date(position.value) : position.value;
  return { $or: [{ [field]: { [operator]: value } }, { [field]: value, id: { [operator]: position.id } }] };
}

/** A page item whose cursor is signed (an HMAC) only when read: most clients select nodes, not cursors. */
function lazilySigned<T>(node: T, sign: () => string): { readonly cursor: string; readonly node: T } {
  let cursor: string | undefined;
  return {
    node,
    get cursor() {
      return (cursor ??= sign());
    },
  };
}

function positionOf(row: Row, field: string): CursorPosition {
  const value = (row as unknown as Record<string, unknown>)[field];
  return { value: value instanceof Date ? value.toISOString() : (value as CursorPosition['value']), id: row.id };
}
