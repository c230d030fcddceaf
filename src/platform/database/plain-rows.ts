import type { EntityManager, EntityName, FilterQuery, QueryOrderMap } from '@mikro-orm/postgresql';
import { ReferenceKind } from '@mikro-orm/core';

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

/** Per entity: its scalar and many-to-one properties, read once (every read request needs them). */
const fieldsByEntity = new Map<EntityName<object>, readonly string[]>();

function fieldsOf(em: EntityManager, entity: EntityName<object>): readonly string[] {
  let fields = fieldsByEntity.get(entity);
  if (!fields) {
    fields = em
      .getMetadata()
      .find(entity)!
      .props.filter((property) => property.persist !== false && (property.kind === ReferenceKind.SCALAR || property.kind === ReferenceKind.MANY_TO_ONE))
      .map((property) => property.name);
    fieldsByEntity.set(entity, fields);
  }
  return fields;
}

/** The entity's columns (scalars and many-to-one ids, not database-only ones such as search vectors) for the rows matching `query`. */
export async function findPlainRows<Row>(em: EntityManager, entity: EntityName<object>, query: PlainQuery<object>): Promise<Row[]> {
  const builder = em.createQueryBuilder(entity).select(fieldsOf(em, entity) as never).where(query.where);
  if (query.orderBy) builder.orderBy(query.orderBy);
  if (query.limit !== undefined) builder.limit(query.limit);
  return (await builder.execute('all', true)) as Row[];
}
