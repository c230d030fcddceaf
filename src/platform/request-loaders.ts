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
