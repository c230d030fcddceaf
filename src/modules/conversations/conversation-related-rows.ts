import type { GraphQLResolveInfo } from 'graphql';
import type { RelatedRowQuery, WithRelatedRows } from '../../platform/database/plain-rows';
import { selectedNodeFields } from '../../platform/pagination';
import type { RequestLoaders } from '../../platform/request-loaders';
import { Customer, customerByIdLoader, type CustomerRow } from '../customers';
import { lastMessageLoader } from './activity/last-message.loader';
import { Message, type MessageRow } from './activity/message.entity';
import type { ConversationRow } from './conversation.entity';

/**
 * The rows a conversations page reads in its own statement when its nodes show them, by the
 * field that shows them. Each is read as its loader would, and primed into it.
 */
const relatedByField: Readonly<Record<string, RelatedRowQuery>> = {
  customer: { name: 'customer', entity: Customer, condition: 'related.id = listed.customer_id and related.workspace_id = listed.workspace_id' },
  lastMessage: {
    name: 'lastMessage',
    entity: Message,
    condition: 'related.conversation_id = listed.id and related.workspace_id = listed.workspace_id',
    orderBy: 'related.created_at desc, related.id desc',
  },
};

export function relatedRowsSelected(info: GraphQLResolveInfo): RelatedRowQuery[] {
  const fields = selectedNodeFields(info);
  return Object.entries(relatedByField).flatMap(([field, related]) => (fields.has(field) ? [related] : []));
}

/** Hands the rows read with the page to the loaders the node fields use, so those fields send no statement. */
export function primeRelatedRows(loaders: RequestLoaders, workspaceId: string, rows: readonly WithRelatedRows<ConversationRow>[]): void {
  for (const { id, customer, related } of rows) {
    if (!related) continue;
    if (customer && 'customer' in related) loaders.get(customerByIdLoader).prime({ workspaceId, id: customer }, related.customer as CustomerRow | null);
    if ('lastMessage' in related) loaders.get(lastMessageLoader).prime({ workspaceId, id }, related.lastMessage as MessageRow | null);
  }
}
