import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { LoaderFactory } from '../request-loaders';
import type { Page } from './keyset';
import type { PageArgs } from './page-args';

/** What every nested connection is read with; a connection with more arguments (order, filter) extends it. */
export interface NestedPageArgs {
  readonly workspaceId: string;
  readonly page: PageArgs;
}

/** Reads the pages of many parents that ask with the same arguments; an Error in place of a parent's page fails that parent alone. */
export type NestedPagesReader<TArgs extends NestedPageArgs, TRow> = (em: EntityManager, parentIds: readonly string[], args: TArgs) => Promise<readonly (Page<TRow> | Error)[]>;

/**
 * One nested connection's pages for one request. The parents of a level that ask with the same
 * arguments (page, order, filter) are read together, in one statement; other arguments, say an
 * alias with another `first`, get a statement of their own.
 */
export class NestedPageLoader<TArgs extends NestedPageArgs, TRow> {
  private readonly loaderByArguments = new Map<string, DataLoader<string, Page<TRow>>>();

  constructor(
    private readonly em: EntityManager,
    private readonly read: NestedPagesReader<TArgs, TRow>,
  ) {}

  load(parentId: string, args: TArgs): Promise<Page<TRow>> {
    const key = JSON.stringify(args);
    let loader = this.loaderByArguments.get(key);
    if (!loader) {
      // No cache: a mutation's payload read later in the same request must see that mutation's rows.
      loader = new DataLoader((parentIds) => this.read(this.em, parentIds, args), { cache: false });
      this.loaderByArguments.set(key, loader);
    }
    return loader.load(parentId);
  }
}

/** The request-scoped `NestedPageLoader` of one connection, for `RequestLoaders.get`. */
export function nestedPageLoader<TArgs extends NestedPageArgs, TRow>(read: NestedPagesReader<TArgs, TRow>): LoaderFactory<NestedPageLoader<TArgs, TRow>> {
  return (em) => new NestedPageLoader(em, read);
}
