import type { EntityManager } from '@mikro-orm/postgresql';
import { InputErrors } from '../../../platform/validation';
import { nestedPageLoader, type NestedPageArgs, type Page, type PageArgs, type Pager } from '../../../platform/pagination';
import { SatisfactionFeedback } from '../activity/satisfaction-feedback.entity';
import { ConversationStatusChange, type ConversationStatusChangeRow } from './conversation-status-change.entity';
import type { SatisfactionFeedbackFilterInput } from './conversation-insights.type';

const maxFilterIds = 100;

/** Reads for BI and sync: a conversation's status history, and the satisfaction answers of a workspace. */
export class ConversationInsightsService {
  constructor(private readonly pager: Pager) {}

  /** Each conversation's status changes, oldest first, for many conversations in one statement. */
  listStatusChanges(em: EntityManager, workspaceId: string, conversationIds: readonly string[], args: PageArgs): Promise<(Page<ConversationStatusChangeRow> | Error)[]> {
    const query = {
      entity: ConversationStatusChange, parent: 'conversation', where: { workspace: workspaceId }, sort: { field: 'changedAt', direction: 'asc' },
      listOf: (id: string) => `conversations/${id}/statusHistory`, workspaceId,
    } as const;
    return this.pager.nestedPages(em, query, conversationIds, args);
  }

  /** The workspace's satisfaction answers, newest first. */
  listFeedback(em: EntityManager, workspaceId: string, filter: SatisfactionFeedbackFilterInput | null, args: PageArgs): Promise<Page<SatisfactionFeedback>> {
    const errors = new InputErrors();
    for (const name of ['conversationIds', 'customerIds'] as const) {
      if ((filter?.[name]?.length ?? 0) > maxFilterIds) errors.add(`filter.${name}`, `At most ${maxFilterIds} ids`);
    }
    for (const name of ['minRating', 'maxRating'] as const) {
      const value = filter?.[name];
      if (value != null && (value < 1 || value > 5)) errors.add(`filter.${name}`, 'A CSAT rating is 1..5');
    }
    errors.throwIfAny();
    const where: Record<string, unknown> = { workspace: workspaceId };
    if (filter?.conversationIds) where.conversation = { $in: filter.conversationIds };
    if (filter?.customerIds) where.customer = { $in: filter.customerIds };
    if (filter?.minRating != null || filter?.maxRating != null) where.rating = { ...(filter.minRating != null ? { $gte: filter.minRating } : {}), ...(filter.maxRating != null ? { $lte: filter.maxRating } : {}), $ne: null };
    if (filter?.createdAfter || filter?.createdBefore) where.createdAt = { ...(filter.createdAfter ? { $gte: filter.createdAfter } : {}), ...(filter.createdBefore ? { $lt: filter.createdBefore } : {}) };
    return this.pager.page(em, { entity: SatisfactionFeedback, where, sort: { field: 'createdAt', direction: 'desc' }, list: 'satisfactionFeedbacks', workspaceId }, args);
  }
}

/** `Conversation.statusHistory` of every conversation of a level: one statement per distinct arguments. */
export const statusHistoryPagesLoader = (insights: ConversationInsightsService) =>
  nestedPageLoader((em, conversationIds, { workspaceId, page }: NestedPageArgs) => insights.listStatusChanges(em, workspaceId, conversationIds, page));
