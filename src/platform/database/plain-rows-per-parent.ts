import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/postgresql';
import { Utils } from '@mikro-orm/core';
import { raw } from '@mikro-orm/postgresql';
import { plainRowFromColumns, plainShapeOf } from './plain-rows';
import { parameterize, QueryShapes } from './query-shapes';
import { queryRows } from './prepared-statements';

/** Rows of one table that hang off many parents: a conversation's messages, a customer's notes. */
export interface PerParentQuery<T> {
  /** The many-to-one property naming the parent, e.g. `conversation`. */
  readonly parent: string;
  readonly parentIds: readonly string[];
  /**
   * The same for every parent, and it must carry the workspace: that the parent ids were read
   * in the caller's workspace does not make every row pointing at them the caller's.
   */
  readonly where: FilterQuery<T>;
}

export interface PerParentPageQuery<T> extends PerParentQuery<T> {
  /** Property → direction, e.g. `{ createdAt: 'asc', id: 'asc' }`. */
  readonly orderBy: Readonly<Record<string, 'asc' | 'desc'>>;
  readonly limitPerParent: number;
}

const queryShapes = new QueryShapes();
const childAlias = 'child';

/**
 * Each parent's first `limitPerParent` rows of `where` in `orderBy`, as plain rows, in one
 * statement whatever the number of parents. A LATERAL join runs the limited query once per
 * parent id, so the (parent, sort, id) index stops each parent at its page, however many rows
 * it has; a window function over all parents would read them all. The SQL is compiled once per
 * shape of `where` (QueryShapes), like `findPlainRows`.
 */
export async function findPlainRowsPerParent<Row>(em: EntityManager, entity: EntityName<object>, query: PerParentPageQuery<object>): Promise<Map<string, Row[]>> {
  const rowsByParent = new Map<string, Row[]>(query.parentIds.map((id) => [id, []]));
  if (rowsByParent.size === 0) return rowsByParent;
  const shape = plainShapeOf(em, entity);
  const columnOf = (property: string) => shape.properties.find((candidate) => candidate.name === property)!.column;
  const parentColumn = columnOf(query.parent);
  const compile = (where: unknown) =>
    em
      .createQueryBuilder(entity, childAlias)
      .select(shape.names as never)
      .where(where as FilterQuery<object>)
      .andWhere(`${childAlias}.${parentColumn} = parents.id`)
      .orderBy(query.orderBy)
      .limit(query.limitPerParent)
      .getKnexQuery()
      .toSQL();
  const context = `${Utils.className(entity)} per ${query.parent} ${JSON.stringify(query.orderBy)} ${query.limitPerParent}`;
  const parameterized = parameterize(query.where);
  const page = queryShapes.resolve(context, parameterized, compile) ?? compile(query.where);
  const order = Object.entries(query.orderBy).map(([property, direction]) => `page."${columnOf(property)}" ${direction}`);
  const rows = await queryRows<Record<string, unknown>>(
    em,
    `select page.* from jsonb_array_elements_text(?::jsonb) with ordinality as parents(id, position)
     cross join lateral (${page.sql}) as page
     order by parents.position, ${order.join(', ')}`,
    [JSON.stringify([...rowsByParent.keys()]), ...page.bindings],
  );
  for (const columns of rows) rowsByParent.get(columns[parentColumn] as string)!.push(plainRowFromColumns<Row>(em, entity, columns));
  return rowsByParent;
}

/** How many rows of `where` each parent has, in one grouped COUNT; parents with none are absent. */
export async function countRowsPerParent(em: EntityManager, entity: EntityName<object>, query: PerParentQuery<object>): Promise<Map<string, number>> {
  const parentColumn = plainShapeOf(em, entity).properties.find((candidate) => candidate.name === query.parent)!.column;
  const rows: Record<string, unknown>[] = await em
    .createQueryBuilder(entity, childAlias)
    .select([raw('count(*) as row_count'), query.parent] as never)
    .where({ $and: [query.where, { [query.parent]: { $in: [...new Set(query.parentIds)] } }] } as FilterQuery<object>)
    .groupBy(query.parent as never)
    .execute('all', false);
  return new Map(rows.map((row) => [row[parentColumn] as string, Number(row.row_count)]));
}
