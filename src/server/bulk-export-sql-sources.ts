import { Agent, Team } from '../modules/agents';
import type { SqlRenderingSources } from '../modules/bulk-exports';
import { Conversation } from '../modules/conversations';
import { Customer } from '../modules/customers';
import type { PageQuery } from '../platform/pagination';
import type { Services } from './services';

type ListArgs = { filter?: never; orderBy?: never; includeDeleted?: boolean };

/**
 * The lists and fields whose export lines PostgreSQL renders (docs/bulk-exports.md). A field is
 * here only when the API returns its column as it is; anything else (external ids, tombstone
 * fields, nested connections) keeps its export on the resolvers. BULK-SQL-01 compares every field
 * here with what the API pages return.
 */
export function bulkExportSqlSources(services: Services): SqlRenderingSources {
  return {
    lists: {
      conversations: (workspaceId, args) => {
        const { filter, orderBy, includeDeleted } = args as ListArgs;
        return includeDeleted ? null : anyList(services.conversations.listQuery(workspaceId, filter, orderBy));
      },
      customers: (workspaceId, args) => {
        const { filter, orderBy, includeDeleted } = args as ListArgs;
        return includeDeleted ? null : anyList(services.customers.listQuery(workspaceId, filter, orderBy));
      },
    },
    types: {
      Conversation: {
        entity: Conversation,
        fields: sameNames(['id', 'subject', 'status', 'priority', 'channel', 'inbox', 'tags', 'metadata', 'escalationReason', 'createdAt', 'updatedAt', 'lastActivityAt', 'firstResponseAt', 'resolvedAt', 'customer', 'assignee', 'team']),
      },
      Customer: { entity: Customer, fields: sameNames(['id', 'name', 'email', 'phone', 'locale', 'tags', 'customAttributes', 'createdAt', 'updatedAt']) },
      Agent: { entity: Agent, fields: { ...sameNames(['id', 'name', 'email']), teamId: 'team' } },
      Team: { entity: Team, fields: sameNames(['id', 'name']) },
    },
  };
}

const sameNames = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, name]));

/** The reader only needs the query's id and sort key; MikroORM's entity types are invariant, hence the one cast. */
const anyList = <T extends { id: string }>(query: PageQuery<T>) => query as unknown as PageQuery<{ id: string }>;
