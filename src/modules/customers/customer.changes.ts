import { badUserInput, type FieldError } from '../../platform/errors';
import { limits } from '../../platform/validation';
import type { Customer } from './customer.entity';
import { canonicalLocale, type CustomerChanges } from './customer.rules';

/**
 * Applies validated changes to the customer's own columns. External ids are not handled here:
 * they live in a second table too (see customer-external-ids.ts).
 */
export function applyChanges(customer: Customer, changes: CustomerChanges): void {
  if (changes.name !== undefined) customer.name = changes.name === null ? null : changes.name.trim();
  if (changes.email !== undefined) customer.email = changes.email;
  if (changes.phone !== undefined) customer.phone = changes.phone;
  if (changes.locale !== undefined) customer.locale = changes.locale === null ? null : (canonicalLocale(changes.locale) ?? changes.locale);
  if (changes.tags !== undefined) customer.tags = unique(changes.tags);
  if (changes.tagsAdd !== undefined || changes.tagsRemove !== undefined) {
    const removed = new Set(changes.tagsRemove);
    customer.tags = unique([...customer.tags, ...(changes.tagsAdd ?? [])]).filter((tag) => !removed.has(tag));
  }
  if (changes.customAttributes !== undefined) customer.customAttributes = mergeAttributes(customer.customAttributes, changes.customAttributes);
  assertWithinLimits(customer);
}

/** Shallow merge; a null value removes the key. */
export function mergeAttributes(current: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** The input alone can be valid while the result is not: tagsAdd onto 19 tags, attributes merged past 16 KB. */
function assertWithinLimits(customer: Customer): void {
  const errors: FieldError[] = [];
  if (customer.tags.length > limits.maxTags) errors.push({ field: 'input.tagsAdd', message: `A customer has at most ${limits.maxTags} tags` });
  if (Buffer.byteLength(JSON.stringify(customer.customAttributes)) > limits.maxMetadataBytes) {
    errors.push({ field: 'input.customAttributes', message: `Merged attributes would exceed ${limits.maxMetadataBytes / 1024} KB of JSON` });
  }
  if (errors.length > 0) throw badUserInput(errors);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
