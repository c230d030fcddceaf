import { badUserInput, type FieldError } from './errors';

export const limits = {
  maxTags: 20,
  maxTagLength: 50,
  maxMetadataBytes: 16 * 1024,
  maxTextLength: 10_000,
  maxShortTextLength: 255,
  maxExternalRefs: 20,
} as const;

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const e164Pattern = /^\+[1-9]\d{6,14}$/;
const tagPattern = /^[\p{L}\p{N}][\p{L}\p{N} _:./-]*$/u;

/**
 * Collects every problem with an input before anything is written, so a client fixes them all
 * in one round trip: `BAD_USER_INPUT` with `fieldErrors` naming each path.
 */
export class InputErrors {
  private readonly errors: FieldError[] = [];

  add(field: string, message: string): this {
    this.errors.push({ field, message });
    return this;
  }

  text(field: string, value: string | null | undefined, { min = 0, max = limits.maxShortTextLength }: { min?: number; max?: number } = {}): this {
    if (value === undefined || value === null) return this;
    const length = value.trim().length;
    if (length < min || value.length > max) this.add(field, min > 0 ? `Must be ${min} to ${max} characters` : `At most ${max} characters`);
    return this;
  }

  email(field: string, value: string | null | undefined): this {
    if (value !== undefined && value !== null && (!emailPattern.test(value) || value.length > 254)) this.add(field, 'Not an email address');
    return this;
  }

  phone(field: string, value: string | null | undefined): this {
    if (value !== undefined && value !== null && !e164Pattern.test(value)) this.add(field, 'Not an E.164 phone number, e.g. +14155550123');
    return this;
  }

  tags(field: string, values: readonly string[] | null | undefined): this {
    if (!values) return this;
    if (values.length > limits.maxTags) this.add(field, `At most ${limits.maxTags} tags`);
    values.forEach((tag, index) => {
      if (!tagPattern.test(tag) || tag.length > limits.maxTagLength) this.add(`${field}.${index}`, `Tags are 1 to ${limits.maxTagLength} letters, digits, spaces or _:./-`);
    });
    return this;
  }

  json(field: string, value: unknown): this {
    if (value === undefined || value === null) return this;
    if (typeof value !== 'object' || Array.isArray(value)) return this.add(field, 'Must be a JSON object');
    if (Buffer.byteLength(JSON.stringify(value)) > limits.maxMetadataBytes) this.add(field, `At most ${limits.maxMetadataBytes / 1024} KB of JSON`);
    return this;
  }

  range(field: string, value: number | null | undefined, min: number, max: number): this {
    if (value !== undefined && value !== null && (!Number.isInteger(value) || value < min || value > max)) this.add(field, `Must be an integer from ${min} to ${max}`);
    return this;
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw badUserInput(this.errors);
  }
}
