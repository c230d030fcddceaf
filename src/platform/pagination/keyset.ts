import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/postgresql';
import { findPlainRows, type RelatedRowQuery } from '../database/plain-rows';
import type { CursorCodec, CursorPosition } from './cursor';
import { KeysetCopy } from './keyset-copy';
import { cursorScope, pageFromRows, walkOf, type SortOrder } from './keyset-walk';
import { fetchNestedPages, type NestedPageQuery } from './nested-pages';
import type { PageArgs } from './page-args';
import { toPageRequest } from './page-args';

export type { SortOrder } from './keyset-walk';

export interface Page<T> {
  readonly items: readonly { readonly cursor: string; readonly node: T }[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  /** Runs a COUNT only when a client selects totalCount. */
  readonly countTotal: () => Promise<number>;
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
  /** Rows read with each row of a page of plain rows, in the page's statement (`RelatedRowQuery`). */
  readonly related?: readonly RelatedRowQuery[];
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
    return this.fetchPage<T, Plain>(em, query, args, (where, orderBy, limit) => findPlainRows<Plain>(em, query.entity as EntityName<object>, { where: where as FilterQuery<object>, orderBy, limit, related: query.related }));
  }

  /** Pages of `query` written as computed lines with COPY: see `KeysetCopy`. */
  copying<T extends Row>(em: EntityManager, query: PageQuery<T>, alias: string): KeysetCopy<T> {
    return new KeysetCopy(this.cursors, em, query, alias);
  }

  /**
   * A page of plain rows merged with the rows `alongside` gives (tombstones beside live rows), in
   * the list's order. Both are walked from the same cursor position, so the merged list pages
   * like one keyset walk; `alongside` returns its rows beyond `position` in the walk's order.
   */
  pageRowsAlongside<T extends Row, Plain extends Row>(
    em: EntityManager,
    query: PageQuery<T>,
    args: PageArgs,
    alongside: (position: CursorPosition | undefined, order: 'asc' | 'desc', limit: number) => Promise<Plain[]>,
  ): Promise<Page<Plain>> {
    return this.fetchPage<T, Plain>(em, query, args, async (where, orderBy, limit, position, order) => {
      const [rows, others] = await Promise.all([findPlainRows<Plain>(em, query.entity as EntityName<object>, { where: where as FilterQuery<object>, orderBy, limit }), alongside(position, order, limit)]);
      return mergeInOrder(rows, others, query.sort.field, order).slice(0, limit);
    });
  }

  /**
   * One nested connection's pages for many parents (a level of a response), as plain rows, in
   * one statement: see `fetchNestedPages`.
   */
  nestedPages<T extends Row, Plain extends Row>(em: EntityManager, query: NestedPageQuery<T>, parentIds: readonly string[], args: PageArgs): Promise<(Page<Plain> | Error)[]> {
    return fetchNestedPages<T, Plain>(this.cursors, em, query, parentIds, args);
  }

  private async fetchPage<T extends Row, Item extends Row>(
    em: EntityManager,
    query: PageQuery<T>,
    args: PageArgs,
    fetch: (where: FilterQuery<T>, orderBy: Record<string, 'asc' | 'desc'>, limit: number, position: CursorPosition | undefined, order: 'asc' | 'desc') => Promise<Item[]>,
  ): Promise<Page<Item>> {
    const request = toPageRequest(args);
    const walk = walkOf(request, query.sort);
    const scope = cursorScope(query.workspaceId, query.list, query.sort);
    const position = request.cursor === undefined ? undefined : this.cursors.decode(scope, request.cursor, walk.isForward ? 'after' : 'before');
    const where = position ? { $and: [query.where, walk.beyond(position)] } : query.where;
    const rows = await fetch(where as FilterQuery<T>, { [query.sort.field]: walk.order, id: walk.order }, request.size + 1, position, walk.order);
    return pageFromRows(rows, {
      request,
      walk,
      hasCursor: position !== undefined,
      sortField: query.sort.field,
      encodeCursor: (at) => this.cursors.encode(scope, at),
      countTotal: () => em.count(query.entity, query.where),
    });
  }
}

/** Two lists each sorted by (field, id) in `order`, as one. */
function mergeInOrder<Item extends Row>(left: readonly Item[], right: readonly Item[], field: string, order: 'asc' | 'desc'): Item[] {
  const keyOf = (item: Item) => {
    const value = (item as unknown as Record<string, unknown>)[field];
    return value instanceof Date ? value.getTime() : (value as number | string);
  };
  const sign = order === 'asc' ? 1 : -1;
  const compare = (a: Item, b: Item) => {
    const [x, y] = [keyOf(a), keyOf(b)];
    if (x !== y) return (x < y ? -1 : 1) * sign;
    return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * sign;
  };
  const merged: Item[] = [];
  let [i, j] = [0, 0];
  while (i < left.length || j < right.length) {
    if (j >= right.length || (i < left.length && compare(left[i], right[j]) <= 0)) merged.push(left[i++]);
    else merged.push(right[j++]);
  }
  return merged;
}
