import type { EntityManager, EntityName, FilterQuery, QueryOrderMap } from '@mikro-orm/postgresql';
import { ReferenceKind, Utils } from '@mikro-orm/core';
import { parameterize, QueryShapes } from './query-shapes';
import { queryRows } from './prepared-statements';

/**
 * An entity read as plain data: its properties with many-to-one relations as the related id.
 * Read paths use these instead of managed entities: hydrating, registering and propagating
 * entities cost more CPU than the rest of a page request (measured under load in `npm run bench`).
 */
export type PlainRow<T, Relations extends keyof T> = Omit<T, Relations> & { readonly [K in Relations]: string | null };

/** A relation as a loaded entity or as the id a plain row holds. */
export type Reference = { readonly id: string } | string | null | undefined;

export const idOf = (reference: Reference): string | null => (reference == null ? null : typeof reference === 'string' ? reference : reference.id);

export interface PlainQuery<T> {
  readonly where: FilterQuery<T>;
  readonly orderBy?: QueryOrderMap<T>;
  readonly limit?: number;
  /** Rows of other tables to read with each row, in the same statement (`RelatedRowQuery`). */
  readonly related?: readonly RelatedRowQuery[];
}

/**
 * One row of another table read beside each listed row, in the list's own statement: a
 * many-to-one relation, or a child such as a conversation's newest message. A page that shows
 * them costs one statement instead of one more per relation.
 */
export interface RelatedRowQuery {
  /** Where the row lands in the listed row's `related`. */
  readonly name: string;
  readonly entity: EntityName<object>;
  /**
   * SQL condition between the related table, aliased `related`, and the listed row, aliased
   * `listed`, by column names. It must carry the workspace, e.g.
   * `related.id = listed.customer_id and related.workspace_id = listed.workspace_id`.
   */
  readonly condition: string;
  /** Which row, when the condition matches several, e.g. `related.created_at desc, related.id desc`. */
  readonly orderBy?: string;
}

/** A listed row with the rows its query's `related` asked for, by name (null where there is none). */
export type WithRelatedRows<Row> = Row & { readonly related?: Readonly<Record<string, unknown>> };

export interface PlainProperty {
  readonly name: string;
  readonly column: string;
  readonly isDate: boolean;
}

export interface PlainShape {
  readonly properties: readonly PlainProperty[];
  readonly names: readonly string[];
}

/** Per entity: its scalar and many-to-one properties, read once (every read request needs them). */
const shapeByEntity = new Map<EntityName<object>, PlainShape>();

/** The entity's plain properties: scalars and many-to-one ids, with their column names. */
export function plainShapeOf(em: EntityManager, entity: EntityName<object>): PlainShape {
  let shape = shapeByEntity.get(entity);
  if (!shape) {
    const properties = em
      .getMetadata()
      .find(entity)!
      .props.filter((property) => property.persist !== false && (property.kind === ReferenceKind.SCALAR || property.kind === ReferenceKind.MANY_TO_ONE))
      .map((property) => ({ name: property.name, column: property.fieldNames[0], isDate: property.runtimeType === 'Date' }));
    shape = { properties, names: properties.map((property) => property.name) };
    shapeByEntity.set(entity, shape);
  }
  return shape;
}

/**
 * A plain row from a record keyed by column names, such as `to_jsonb(table_alias)` read along
 * another table's row: for the odd join a query builder would hydrate into entities.
 */
export function plainRowFromColumns<Row>(em: EntityManager, entity: EntityName<object>, columns: Record<string, unknown>): Row {
  const row: Record<string, unknown> = {};
  for (const { name, column, isDate } of plainShapeOf(em, entity).properties) {
    const value = columns[column] ?? null;
    row[name] = isDate && value !== null ? new Date(value as string) : value;
  }
  return row as Row;
}

const queryShapes = new QueryShapes();

/**
 * The entity's columns (scalars and many-to-one ids, not database-only ones such as search
 * vectors) for the rows matching `query`. The SQL is built once per shape of query (QueryShapes).
 */
export async function findPlainRows<Row>(em: EntityManager, entity: EntityName<object>, query: PlainQuery<object>): Promise<WithRelatedRows<Row>[]> {
  const build = (where: FilterQuery<object>) => {
    const builder = em.createQueryBuilder(entity).select(plainShapeOf(em, entity).names as never).where(where);
    if (query.orderBy) builder.orderBy(query.orderBy);
    if (query.limit !== undefined) builder.limit(query.limit);
    return builder;
  };
  const related = query.related ?? [];
  const context = `${Utils.className(entity)} ${JSON.stringify(query.orderBy ?? null)} ${query.limit ?? ''} ${related.map((rider) => rider.name).join(',')}`;
  const compiled = queryShapes.resolve(context, parameterize(query.where), (template) => {
    const { sql, bindings } = build(template as FilterQuery<object>).getKnexQuery().toSQL();
    return { sql: related.length === 0 ? sql : withRelatedRows(em, entity, sql, query.orderBy, related), bindings };
  });
  // Without a compiled shape, the related rows are left to the callers' loaders.
  if (!compiled) return (await build(query.where).execute('all', true)) as WithRelatedRows<Row>[];
  const rows = await queryRows<Record<string, unknown>>(em, compiled.sql, compiled.bindings);
  return rows.map((columns) => {
    const row = plainRowFromColumns<{ related?: Record<string, unknown> }>(em, entity, columns);
    // The row is new: the related rows go onto it rather than into a copy of every row of a page.
    if (related.length > 0) {
      row.related = Object.fromEntries(related.map(({ name, entity: relatedEntity }) => [name, columns[name] == null ? null : plainRowFromColumns(em, relatedEntity, columns[name] as Record<string, unknown>)]));
    }
    return row as WithRelatedRows<Row>;
  });
}

/**
 * The list's SQL wrapped to read each related row as JSON beside each listed row, in the list's
 * order: a LATERAL subquery per related row, which the related table's index answers per row.
 */
function withRelatedRows(em: EntityManager, entity: EntityName<object>, listSql: string, orderBy: QueryOrderMap<object> | undefined, related: readonly RelatedRowQuery[]): string {
  const columnOf = (property: string) => plainShapeOf(em, entity).properties.find((candidate) => candidate.name === property)!.column;
  const joins = related.map(({ entity: relatedEntity, condition, orderBy: relatedOrder }, index) => {
    const columns = plainShapeOf(em, relatedEntity).properties.map((property) => `related."${property.column}"`);
    const table = em.getMetadata().find(relatedEntity)!.tableName;
    const pick = `select ${columns.join(', ')} from "${table}" as related where ${condition}${relatedOrder ? ` order by ${relatedOrder}` : ''} limit 1`;
    return `left join lateral (select to_jsonb(picked) as row from (${pick}) as picked) as related_${index} on true`;
  });
  const selected = related.map(({ name }, index) => `related_${index}.row as "${name}"`);
  const order = Object.entries(orderBy ?? {}).map(([property, direction]) => `listed."${columnOf(property)}" ${String(direction)}`);
  return `select listed.*, ${selected.join(', ')} from (${listSql}) as listed ${joins.join(' ')}${order.length > 0 ? ` order by ${order.join(', ')}` : ''}`;
}
