import { registerEnumType } from 'type-graphql';

/** Shared by every list's `orderBy`. */
export enum OrderDirection {
  ASC = 'asc',
  DESC = 'desc',
}
registerEnumType(OrderDirection, { name: 'OrderDirection' });
