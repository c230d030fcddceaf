import { AsyncLocalStorage } from 'node:async_hooks';
import { ArgsType, Field, Int } from 'type-graphql';
import { badUserInput, type FieldError } from '../errors';

export const maxPageSize = 100;
export const defaultPageSize = 20;

/** A larger page size for the operations run inside `withPageSizeCeiling`: export jobs, never a client's request. */
const pageSizeCeiling = new AsyncLocalStorage<number>();

/**
 * Runs `work` with pages of up to `ceiling` items. Export runs read the API's own connections in
 * pages of a thousand: a hundred per execution made per-execution work the larger share.
 */
export function withPageSizeCeiling<T>(ceiling: number, work: () => Promise<T>): Promise<T> {
  return pageSizeCeiling.run(ceiling, work);
}

/** Relay connection arguments shared by every list. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Items after \`after\`, 1..${maxPageSize}; default ${defaultPageSize}.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Opaque cursor from a previous page.' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `Items before \`before\`, 1..${maxPageSize}.` })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Opaque cursor from a previous page.' })
  before?: string | null;
}

export type PageRequest =
  | { readonly direction: 'forward'; readonly size: number; readonly cursor: string | undefined }
  | { readonly direction: 'backward'; readonly size: number; readonly cursor: string | undefined };

export function toPageRequest(args: PageArgs): PageRequest {
  const errors: FieldError[] = [];
  const ceiling = pageSizeCeiling.getStore() ?? maxPageSize;
  const checkSize = (name: 'first' | 'last') => {
    const size = args[name];
    if (size != null && (size < 1 || size > ceiling)) errors.push({ field: name, message: `Must be between 1 and ${ceiling}` });
  };
  checkSize('first');
  checkSize('last');
  if (args.first != null && args.last != null) errors.push({ field: 'last', message: 'Use either first or last, not both' });
  if (args.after != null && args.before != null) errors.push({ field: 'before', message: 'Use either after or before, not both' });
  if (args.first != null && args.before != null) errors.push({ field: 'before', message: 'Use before with last, after with first' });
  if (args.last != null && args.after != null) errors.push({ field: 'after', message: 'Use after with first, before with last' });
  if (errors.length > 0) throw badUserInput(errors, 'Invalid pagination arguments');
  if (args.last != null || (args.before != null && args.first == null)) {
    return { direction: 'backward', size: args.last ?? defaultPageSize, cursor: args.before ?? undefined };
  }
  return { direction: 'forward', size: args.first ?? defaultPageSize, cursor: args.after ?? undefined };
}
