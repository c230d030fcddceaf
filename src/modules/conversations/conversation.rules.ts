import { InputErrors, limits } from '../../platform/validation';
import type { ConversationChangesInput, ConversationCreateInput, ExternalRefInput, MessageContentInput } from './conversation.inputs';

const maxAttachments = 10;

export function checkExternalRefs(errors: InputErrors, field: string, refs: readonly ExternalRefInput[] | null | undefined): void {
  if (!refs) return;
  if (refs.length > limits.maxExternalRefs) errors.add(field, `At most ${limits.maxExternalRefs} external refs`);
  refs.forEach((ref, index) => {
    errors.text(`${field}.${index}.system`, ref.system, { min: 1, max: 50 });
    errors.text(`${field}.${index}.externalId`, ref.externalId, { min: 1, max: 255 });
    errors.text(`${field}.${index}.url`, ref.url, { max: 2048 });
  });
}

export function checkMessage(errors: InputErrors, field: string, message: MessageContentInput | null | undefined): void {
  if (!message) return;
  errors.text(`${field}.body`, message.body, { min: 1, max: limits.maxTextLength });
  if (message.authorType === 'agent' && !message.authorAgentId) errors.add(`${field}.authorAgentId`, 'Required when authorType is AGENT');
  if (message.authorType !== 'agent' && message.authorAgentId) errors.add(`${field}.authorAgentId`, 'Only for authorType AGENT');
  const attachments = message.attachments ?? [];
  if (attachments.length > maxAttachments) errors.add(`${field}.attachments`, `At most ${maxAttachments} attachments`);
  attachments.forEach((attachment, index) => {
    errors.text(`${field}.attachments.${index}.filename`, attachment.filename, { min: 1 });
    errors.text(`${field}.attachments.${index}.contentType`, attachment.contentType, { min: 1, max: 127 });
    errors.range(`${field}.attachments.${index}.sizeBytes`, attachment.sizeBytes, 0, 2_147_483_647);
    errors.text(`${field}.attachments.${index}.url`, attachment.url, { max: 2048 });
  });
}

export function validateCreation(input: ConversationCreateInput): void {
  const errors = new InputErrors()
    .text('input.subject', input.subject, { min: 1 })
    .text('input.inbox', input.inbox, { max: 100 })
    .tags('input.tags', input.tags)
    .json('input.metadata', input.metadata);
  checkExternalRefs(errors, 'input.externalRefs', input.externalRefs);
  checkMessage(errors, 'input.firstMessage', input.firstMessage);
  errors.throwIfAny();
}

/** `prefix` is `input` for conversationUpdate and `input.operations.N` in a batch. */
export function checkChanges(errors: InputErrors, prefix: string, changes: ConversationChangesInput): InputErrors {
  errors
    .text(`${prefix}.subject`, changes.subject, { min: 1 })
    .tags(`${prefix}.tagsAdd`, changes.tagsAdd)
    .tags(`${prefix}.tagsRemove`, changes.tagsRemove)
    .json(`${prefix}.metadataMerge`, changes.metadataMerge);
  checkExternalRefs(errors, `${prefix}.externalRefsAdd`, changes.externalRefsAdd);
  return errors;
}

/** Shallow merge where a null value deletes the key; the result must still fit the size limit. */
export function mergeMetadata(current: Record<string, unknown>, patch: Record<string, unknown>, field: string): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  new InputErrors().json(field, merged).throwIfAny();
  return merged;
}
