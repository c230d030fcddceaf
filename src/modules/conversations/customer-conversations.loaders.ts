import { nestedPageLoader, type NestedPageArgs } from '../../platform/pagination';
import type { ConversationConditions } from '../../policies/auth/conversation-conditions';
import type { ConversationOrderInput } from './conversation.filter';
import type { ConversationService } from './conversation.service';

/** `Customer.conversations` of every customer of a level: one statement per distinct arguments. */
export const customerConversationPagesLoader = (conversations: ConversationService) =>
  nestedPageLoader((em, customerIds, { workspaceId, page, orderBy, reach }: NestedPageArgs & { readonly orderBy: ConversationOrderInput | null; readonly reach?: ConversationConditions }) =>
    conversations.listOfCustomers(em, workspaceId, customerIds, orderBy, page, reach),
  );
