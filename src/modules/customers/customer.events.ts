import type { Customer, CustomerNote } from './customer.entity';

/** What every customer event carries: enough to act on without calling back. */
export function customerSnapshot(customer: Customer): Record<string, unknown> {
  return {
    id: customer.id,
    version: customer.version,
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
    locale: customer.locale,
    tags: customer.tags,
    customAttributes: customer.customAttributes,
    externalIds: customer.externalIds,
    createdAt: customer.createdAt.toISOString(),
    updatedAt: customer.updatedAt.toISOString(),
  };
}

export function customerNoteSnapshot(note: CustomerNote): Record<string, unknown> {
  return { id: note.id, customerId: note.customer.id, author: note.author, body: note.body, createdAt: note.createdAt.toISOString() };
}

/** The snapshot fields whose values differ, for `customer.updated`'s `changedFields`. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(after).filter((field) => field !== 'updatedAt' && JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}
