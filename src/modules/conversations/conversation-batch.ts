import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../policies/auth/actor';
import { GatewayError, badUserInput, type FieldError } from '../../platform/errors';
import type { ConversationBatchOperationInput } from './conversation.inputs';
import type { ConversationBatchResultType } from './conversation.payloads';
import type { ConversationService } from './conversation.service';
import { toConversationType } from './conversation.type';

export const maxBatchOperations = 100;

/**
 * Applies each operation in its own transaction, opened here (a savepoint inside an idempotent
 * request; the service's write joins it), so one bad operation is reported and skipped while the
 * others stand.
 */
export async function updateConversationsInBatch(
  service: ConversationService,
  em: EntityManager,
  actor: Actor,
  operations: readonly ConversationBatchOperationInput[],
): Promise<ConversationBatchResultType[]> {
  if (operations.length === 0 || operations.length > maxBatchOperations) {
    throw badUserInput([{ field: 'input.operations', message: `Send 1 to ${maxBatchOperations} operations; got ${operations.length}` }]);
  }
  const results: ConversationBatchResultType[] = [];
  for (const [index, operation] of operations.entries()) {
    try {
      const conversation = await em.transactional((tx) => service.update(tx, actor, operation.id, operation, `input.operations.${index}`));
      results.push({ index, id: operation.id, conversation: toConversationType(conversation), error: null });
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      const fieldErrors = (error.details.fieldErrors as FieldError[] | undefined) ?? [];
      results.push({ index, id: operation.id, conversation: null, error: { code: error.code, message: error.message, fieldErrors: [...fieldErrors] } });
    }
  }
  return results;
}
