import { Field, InputType, registerEnumType } from 'type-graphql';
import type { FilterQuery } from '@mikro-orm/postgresql';
import { OrderDirection, type SortOrder } from '../../platform/pagination';
import { InputErrors } from '../../platform/validation';
import type { Customer } from './customer.entity';
import { customerIdsWith } from './customer-identities';
import { CustomerExternalIdInput } from './customer.inputs';
import { maxSearchTextLength } from './customer.rules';

export enum CustomerOrderField {
  CREATED_AT = 'createdAt',
  UPDATED_AT = 'updatedAt',
}
registerEnumType(CustomerOrderField, { name: 'CustomerOrderField', description: 'What `customers` is sorted by; ties are broken by id.' });

@InputType('CustomerFilter', { description: 'All given conditions must hold.' })
export class CustomerFilterInput {
  @Field(() => String, { nullable: true, description: 'The customer with this email, compared case-insensitively.' })
  email?: string | null;

  @Field(() => CustomerExternalIdInput, { nullable: true, description: 'The customer linked to this id in another system.' })
  externalId?: CustomerExternalIdInput | null;

  @Field(() => [String], { nullable: true, description: 'Customers carrying all of these tags (exact, case-sensitive).' })
  tags?: string[] | null;

  @Field(() => Date, { nullable: true, description: 'Inclusive.' })
  createdAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Exclusive.' })
  createdBefore?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Inclusive: for syncing everything changed since a time.' })
  updatedAfter?: Date | null;

  @Field(() => String, {
    nullable: true,
    description: `Full-text search over name and email: every word must occur (no stemming). 1..${maxSearchTextLength} characters.`,
  })
  text?: string | null;
}

@InputType('CustomerOrder')
export class CustomerOrderInput {
  @Field(() => CustomerOrderField, { defaultValue: CustomerOrderField.CREATED_AT })
  field!: CustomerOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.DESC })
  direction!: OrderDirection;
}

/** The filter as a MikroORM condition, always inside the workspace. */
export function toCustomerWhere(workspaceId: string, filter: CustomerFilterInput | null | undefined): FilterQuery<Customer> {
  const conditions: FilterQuery<Customer>[] = [{ workspace: workspaceId }];
  if (!filter) return conditions[0];
  new InputErrors().text('filter.text', filter.text, { min: 1, max: maxSearchTextLength }).throwIfAny();
  if (filter.email != null) conditions.push(customerIdsWith.email(workspaceId, filter.email));
  if (filter.externalId) conditions.push(customerIdsWith.externalId(workspaceId, filter.externalId));
  if (filter.tags?.length) conditions.push({ tags: { $contains: filter.tags } });
  if (filter.createdAfter) conditions.push({ createdAt: { $gte: filter.createdAfter } });
  if (filter.createdBefore) conditions.push({ createdAt: { $lt: filter.createdBefore } });
  if (filter.updatedAfter) conditions.push({ updatedAt: { $gte: filter.updatedAfter } });
  if (filter.text != null) conditions.push(customerIdsWith.text(workspaceId, filter.text.trim()));
  return { $and: conditions };
}

/** Newest first unless asked otherwise. */
export function toCustomerSort(orderBy: CustomerOrderInput | null | undefined): SortOrder<Customer> {
  return { field: orderBy?.field ?? CustomerOrderField.CREATED_AT, direction: orderBy?.direction ?? OrderDirection.DESC };
}
