import { InputErrors, limits } from '../../platform/validation';

export const maxNameLength = limits.maxShortTextLength;
export const maxExternalIdLength = limits.maxShortTextLength;
export const maxNoteLength = limits.maxTextLength;
export const maxSearchTextLength = limits.maxShortTextLength;
const maxLocaleLength = 35;
/** Case-sensitive: `salesforce` and `Salesforce` are two systems. */
const systemPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,49}$/;

/** An id of the customer in another system (CRM, helpdesk, billing). */
export interface ExternalId {
  readonly system: string;
  readonly externalId: string;
}

/** The fields a write may set: undefined leaves a field as it is, null clears it. */
export interface CustomerFields {
  readonly name?: string | null;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly locale?: string | null;
  /** Replaces the tags. */
  readonly tags?: readonly string[];
  /** Merged into the stored attributes; a null value removes that key. */
  readonly customAttributes?: Readonly<Record<string, unknown>>;
}

/** customerUpsert: matched by externalId, else by email, else created. */
export interface CustomerUpsert extends CustomerFields {
  /** Linked to the matched customer when it is not yet. */
  readonly externalId?: ExternalId;
}

export interface CustomerChanges extends CustomerFields {
  readonly tagsAdd?: readonly string[];
  readonly tagsRemove?: readonly string[];
  readonly externalIdsAdd?: readonly ExternalId[];
  /** Systems whose id is unlinked from the customer. */
  readonly externalIdsRemove?: readonly string[];
}

/** How another module names a customer: exactly one of the three. */
export interface CustomerReference {
  readonly id?: string | null;
  readonly email?: string | null;
  readonly externalId?: ExternalId | null;
}

export function validateUpsert(upsert: CustomerUpsert): void {
  const errors = new InputErrors();
  if (!upsert.externalId && !upsert.email) errors.add('input.externalId', 'Give externalId or email (or both) to match the customer on');
  if (upsert.externalId) checkExternalId(errors, 'input.externalId', upsert.externalId);
  checkFields(errors, 'input', upsert);
  errors.throwIfAny();
}

export function validateChanges(changes: CustomerChanges): void {
  const errors = new InputErrors();
  checkFields(errors, 'input', changes);
  if (changes.tags !== undefined && (changes.tagsAdd !== undefined || changes.tagsRemove !== undefined)) {
    errors.add('input.tags', 'Use either tags (replace) or tagsAdd/tagsRemove, not both');
  }
  errors.tags('input.tagsAdd', changes.tagsAdd).tags('input.tagsRemove', changes.tagsRemove);
  if ((changes.externalIdsAdd?.length ?? 0) > limits.maxExternalRefs) errors.add('input.externalIdsAdd', `At most ${limits.maxExternalRefs} entries`);
  changes.externalIdsAdd?.forEach((externalId, index) => checkExternalId(errors, `input.externalIdsAdd.${index}`, externalId));
  changes.externalIdsRemove?.forEach((system, index) => {
    if (!systemPattern.test(system)) errors.add(`input.externalIdsRemove.${index}`, systemMessage);
  });
  errors.throwIfAny();
}

/** `fieldPath` names the reference in the caller's input, e.g. `input.customer`. */
export function validateReference(reference: CustomerReference, fieldPath: string): void {
  const errors = new InputErrors();
  const given = [reference.id, reference.email, reference.externalId].filter((value) => value !== undefined && value !== null);
  if (given.length !== 1) errors.add(fieldPath, 'Give exactly one of id, email or externalId');
  errors.email(`${fieldPath}.email`, reference.email);
  if (reference.externalId) checkExternalId(errors, `${fieldPath}.externalId`, reference.externalId);
  errors.throwIfAny();
}

export function validateNoteBody(body: string): void {
  new InputErrors().text('input.body', body, { min: 1, max: maxNoteLength }).throwIfAny();
}

/** `Intl`'s canonical form of a BCP 47 tag (`en-us` → `en-US`), or undefined when it is not one. */
export function canonicalLocale(locale: string): string | undefined {
  if (locale.length > maxLocaleLength) return undefined;
  try {
    return Intl.getCanonicalLocales(locale)[0];
  } catch {
    return undefined;
  }
}

const systemMessage = 'System names are 1 to 50 letters, digits or _.:-, starting with a letter or digit';

function checkExternalId(errors: InputErrors, field: string, externalId: ExternalId): void {
  if (!systemPattern.test(externalId.system)) errors.add(`${field}.system`, systemMessage);
  errors.text(`${field}.externalId`, externalId.externalId, { min: 1, max: maxExternalIdLength });
}

function checkFields(errors: InputErrors, path: string, fields: CustomerFields): void {
  errors.text(`${path}.name`, fields.name, { min: 1, max: maxNameLength });
  errors.email(`${path}.email`, fields.email);
  errors.phone(`${path}.phone`, fields.phone);
  if (fields.locale != null && canonicalLocale(fields.locale) === undefined) errors.add(`${path}.locale`, 'Not a BCP 47 language tag, e.g. en or pt-BR');
  errors.tags(`${path}.tags`, fields.tags);
  errors.json(`${path}.customAttributes`, fields.customAttributes);
}
