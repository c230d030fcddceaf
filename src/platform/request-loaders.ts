import DataLoader from 'dataloader';
import type { EntityManager, EntityName } from '@mikro-orm/postgresql';
import { findPlainRows } from './database/plain-rows';

/** Builds one DataLoader kind for one request's EntityManager. */
export type LoaderFactory<TLoader> = (em: EntityManager) => TLoader;

/**
 * The DataLoaders of one request, created on first use. Loaders never outlive their request,
 * so one tenant's cached rows can never answer another's.
 */
export class RequestLoaders {
  private readonly loaders = new Map<LoaderFactory<unknown>, unknown>();

  constructor(private readonly em: EntityManager) {}

  get<TLoader>(factory: LoaderFactory<TLoader>): TLoader {
    let loader = this.loaders.get(factory) as TLoader | undefined;
    if (!loader) {
      loader = factory(this.em);
      this.loaders.set(factory, loader);
    }
    return loader;
  }
}

/** A row looked up by id within a workspace: the workspace goes into the SQL condition with the ids. */
export interface WorkspaceRowKey {
  readonly workspaceId: string;
  readonly id: string;
}

export const workspaceRowCacheKey = ({ workspaceId, id }: WorkspaceRowKey): string => `${workspaceId}:${id}`;

/** The distinct workspaces and ids of a batch of keys (one workspace in practice: a request has one). */
export function workspaceRowConditions(keys: readonly WorkspaceRowKey[]): { workspace: { $in: string[] }; id: { $in: string[] } } {
  return { workspace: { $in: [...new Set(keys.map((key) => key.workspaceId))] }, id: { $in: [...new Set(keys.map((key) => key.id))] } };
}

/**
 * Rows of `entity` by id within a workspace, as plain rows, one statement per batch. `isCached`
 * false batches without remembering: for the fields of events, whose subscription contexts live
 * for hours and must show each row as it is when each event is delivered.
 */
export function plainRowsByIdLoader<Row extends { id: string }>(entity: EntityName<object>, { isCached }: { isCached: boolean }): LoaderFactory<DataLoader<WorkspaceRowKey, Row | null, string>> {
  return (em) =>
    new DataLoader(
      async (keys) => {
        const rows = await findPlainRows<Row>(em, entity, { where: workspaceRowConditions(keys) });
        const byId = new Map(rows.map((row) => [row.id, row]));
        return keys.map((key) => byId.get(key.id) ?? null);
      },
      { cacheKeyFn: workspaceRowCacheKey, cache: isCached },
    );
}
