import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { countRowsPerParent, findPlainRowsPerParent } from '../database/plain-rows-per-parent';
import type { CursorCodec, CursorPosition } from './cursor';
import type { Page } from './keyset';
import { cursorScope, pageFromRows, walkOf, type SortOrder } from './keyset-walk';
import { toPageRequest, type PageArgs } from './page-args';

/** One connection nested under a list, e.g. `Conversation.messages`: the same query for each parent. */
export interface NestedPageQuery<T> {
  readonly entity: EntityName<T>;
  /** The many-to-one property naming the parent, e.g. `conversation`. */
  readonly parent: keyof T & string;
  /** Must carry the workspace: the parent ids come from the caller's workspace, their children must too. */
  readonly where: FilterQuery<T>;
  readonly sort: SortOrder<T>;
  /**
   * The list's name in one parent's cursor signatures, e.g. `conversations/conv_1/messages`: a
   * cursor of one parent's list is refused by another's instead of meaning a position in it.
   */
  readonly listOf: (parentId: string) => string;
  readonly workspaceId: string;
}

/**
 * Each parent's page of plain rows, in one statement (`findPlainRowsPerParent`); an Error in
 * place of the page of a parent the cursor does not belong to. Every page's totalCount, when
 * some are selected, is one grouped COUNT for the parents that ask for it.
 */
export async function fetchNestedPages<T extends { id: string }, Plain extends { id: string }>(
  cursors: CursorCodec,
  em: EntityManager,
  query: NestedPageQuery<T>,
  parentIds: readonly string[],
  args: PageArgs,
): Promise<(Page<Plain> | Error)[]> {
  const request = toPageRequest(args);
  const walk = walkOf(request, query.sort);
  const scopeOf = (parentId: string) => cursorScope(query.workspaceId, query.listOf(parentId), query.sort);
  // Every parent decodes the same cursor; only the scope, so the signature, differs between them.
  const positions = new Map<string, CursorPosition | Error | undefined>();
  for (const parentId of new Set(parentIds)) positions.set(parentId, decodePosition(cursors, scopeOf(parentId), request.cursor, walk.isForward));
  const position = [...positions.values()].find((decoded): decoded is CursorPosition => decoded !== undefined && !(decoded instanceof Error));
  const pagedIds = [...positions].filter(([, decoded]) => !(decoded instanceof Error)).map(([parentId]) => parentId);
  const where = (position ? { $and: [query.where, walk.beyond(position)] } : query.where) as FilterQuery<object>;
  const rowsByParent = await findPlainRowsPerParent<Plain>(em, query.entity as EntityName<object>, {
    parent: query.parent,
    parentIds: pagedIds,
    where,
    orderBy: { [query.sort.field]: walk.order, id: walk.order },
    limitPerParent: request.size + 1,
  });
  const counts = new DataLoader<string, number>(async (countedIds) => {
    const countByParent = await countRowsPerParent(em, query.entity as EntityName<object>, { parent: query.parent, parentIds: countedIds, where: query.where as FilterQuery<object> });
    return countedIds.map((parentId) => countByParent.get(parentId) ?? 0);
  });
  return parentIds.map((parentId) => {
    const decoded = positions.get(parentId);
    if (decoded instanceof Error) return decoded;
    return pageFromRows(rowsByParent.get(parentId)!, {
      request,
      walk,
      hasCursor: decoded !== undefined,
      sortField: query.sort.field,
      encodeCursor: (at) => cursors.encode(scopeOf(parentId), at),
      countTotal: () => counts.load(parentId),
    });
  });
}

function decodePosition(cursors: CursorCodec, scope: string, cursor: string | undefined, isForward: boolean): CursorPosition | Error | undefined {
  if (cursor === undefined) return undefined;
  try {
    return cursors.decode(scope, cursor, isForward ? 'after' : 'before');
  } catch (error) {
    return error as Error;
  }
}
