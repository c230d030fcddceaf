import { nestedPageLoader, type NestedPageArgs } from '../../platform/pagination';
import type { ConversationOrderInput } from './conversation.filter';
import type { ConversationService } from './conversation.service';

/** `Customer.conversations` of every customer of a level: one statement per distinct arguments. */
export const customerConversationPagesLoader = (conversations: ConversationService) =>
  nestedPageLoader((em, customerIds, { workspaceId, page, orderBy }: NestedPageArgs & { readonly orderBy: ConversationOrderInput | null }) =>
    conversations.listOfCustomers(em, workspaceId, customerIds, orderBy, page),
  );
