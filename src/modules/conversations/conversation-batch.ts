import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../../policies/auth/actor';
import { applyEach } from '../../policies/batch/batch-operations';
import type { ConversationBatchOperationInput } from './conversation.inputs';
import type { ConversationBatchResultType } from './conversation.payloads';
import type { ConversationService } from './conversation.service';
import { toConversationType } from './conversation.type';

/** Each update on its own (see applyEach): one bad operation is reported and skipped, the others stand. */
export async function updateConversationsInBatch(
  service: ConversationService,
  em: EntityManager,
  actor: Actor,
  operations: readonly ConversationBatchOperationInput[],
): Promise<ConversationBatchResultType[]> {
  const outcomes = await applyEach(em, operations, (tx, operation, field) => service.update(tx, actor, operation.id, operation, field));
  return outcomes.map(({ index, applied, error }) => ({ index, id: operations[index].id, conversation: applied && toConversationType(applied), error }));
}
