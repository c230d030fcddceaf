import type { EntityManager } from '@mikro-orm/postgresql';

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
