import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/postgresql';
import { decodeCursor, encodeCursor } from './cursor';
import type { PageArgs } from './page-args';
import { toPageRequest } from './page-args';

export interface Page<T> {
  readonly items: readonly { readonly cursor: string; readonly node: T }[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  /** Runs a COUNT only when a client selects totalCount. */
  readonly countTotal: () => Promise<number>;
}

interface Positioned {
  id: string;
  createdAt: Date;
}

/**
 * Newest-first keyset pagination over (createdAt, id). Positions, not offsets, so pages stay
 * correct while rows are inserted. `scope` must carry the workspace: cursors never do.
 */
export async function paginateNewestFirst<T extends Positioned>(
  em: EntityManager,
  entity: EntityName<T>,
  scope: FilterQuery<T>,
  args: PageArgs,
): Promise<Page<T>> {
  const request = toPageRequest(args);
  const isForward = request.direction === 'forward';
  const cursor = request.cursor === undefined ? undefined : decodeCursor(request.cursor, isForward ? 'after' : 'before');
  const beyond = isForward ? '$lt' : '$gt';
  const where = cursor
    ? { $and: [scope, { $or: [{ createdAt: { [beyond]: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { [beyond]: cursor.id } }] }] }
    : scope;
  const order = isForward ? 'desc' : 'asc';
  const rows = await em.find(entity, where as FilterQuery<T>, {
    orderBy: { createdAt: order, id: order } as never,
    limit: request.size + 1,
  });
  const hasMore = rows.length > request.size;
  const pageRows = rows.slice(0, request.size);
  if (!isForward) pageRows.reverse();
  return {
    items: pageRows.map((node) => ({ cursor: encodeCursor(node), node })),
    hasNextPage: isForward ? hasMore : cursor !== undefined,
    hasPreviousPage: isForward ? cursor !== undefined : hasMore,
    countTotal: () => em.count(entity, scope),
  };
}
