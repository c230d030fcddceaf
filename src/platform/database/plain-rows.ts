import type { EntityManager, EntityName, FilterQuery, QueryOrderMap } from '@mikro-orm/postgresql';
import { ReferenceKind, Utils } from '@mikro-orm/core';
import { parameterize, QueryShapes } from './query-shapes';
import { queryRows } from './prepared-reads';

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
}

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
export async function findPlainRows<Row>(em: EntityManager, entity: EntityName<object>, query: PlainQuery<object>): Promise<Row[]> {
  const build = (where: FilterQuery<object>) => {
    const builder = em.createQueryBuilder(entity).select(plainShapeOf(em, entity).names as never).where(where);
    if (query.orderBy) builder.orderBy(query.orderBy);
    if (query.limit !== undefined) builder.limit(query.limit);
    return builder;
  };
  const context = `${Utils.className(entity)} ${JSON.stringify(query.orderBy ?? null)} ${query.limit ?? ''}`;
  const compiled = queryShapes.resolve(context, parameterize(query.where), (template) => build(template as FilterQuery<object>).getKnexQuery().toSQL());
  if (!compiled) return (await build(query.where).execute('all', true)) as Row[];
  const rows = await queryRows<Record<string, unknown>>(em, compiled.sql, compiled.bindings);
  return rows.map((columns) => plainRowFromColumns<Row>(em, entity, columns));
}
