import type { Knex } from '@mikro-orm/postgresql';
import type { DemoDataSet } from './demo-data-set';

type ColumnType = 'text' | 'text[]' | 'jsonb' | 'int' | 'timestamptz';

/**
 * The column type of every field of every row, in foreign-key order. A data set key names its table and
 * a field its column, in camelCase (`customerExternalIds` → `customer_external_ids`).
 */
const columnTypes: { readonly [Table in keyof DemoDataSet]: Readonly<Record<keyof DemoDataSet[Table][number], ColumnType>> } = {
  teams: { id: 'text', name: 'text', createdAt: 'timestamptz' },
  agents: { id: 'text', teamId: 'text', name: 'text', email: 'text', createdAt: 'timestamptz' },
  customers: {
    id: 'text', name: 'text', email: 'text', phone: 'text', locale: 'text', tags: 'text[]',
    customAttributes: 'jsonb', externalIds: 'jsonb', createdAt: 'timestamptz', updatedAt: 'timestamptz',
  },
  customerExternalIds: { system: 'text', externalId: 'text', customerId: 'text' },
  conversations: {
    id: 'text', customerId: 'text', subject: 'text', status: 'text', priority: 'text', channel: 'text', inbox: 'text',
    assigneeId: 'text', teamId: 'text', tags: 'text[]', metadata: 'jsonb', externalRefs: 'jsonb', escalationReason: 'text',
    createdAt: 'timestamptz', updatedAt: 'timestamptz', lastActivityAt: 'timestamptz', firstResponseAt: 'timestamptz', resolvedAt: 'timestamptz',
  },
  conversationExternalRefs: { system: 'text', externalId: 'text', conversationId: 'text' },
  messages: { id: 'text', conversationId: 'text', authorType: 'text', authorAgentId: 'text', body: 'text', createdAt: 'timestamptz' },
  conversationNotes: { id: 'text', conversationId: 'text', author: 'text', body: 'text', createdAt: 'timestamptz' },
  customerNotes: { id: 'text', customerId: 'text', author: 'text', body: 'text', createdAt: 'timestamptz' },
  satisfactionFeedback: {
    id: 'text', conversationId: 'text', customerId: 'text', rating: 'int', npsScore: 'int', comment: 'text', createdAt: 'timestamptz',
  },
};

export type DemoRowCounts = { [Table in keyof DemoDataSet]: number };

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * One statement per batch: the rows travel as a single JSON parameter and `jsonb_to_recordset` turns
 * them back into typed columns, which is far quicker than an INSERT per row or thousands of parameters.
 */
function insertStatement(table: string, columns: Readonly<Record<string, ColumnType>>): string {
  const fields = Object.keys(columns);
  return `insert into "${snakeCase(table)}" ("workspace_id", ${fields.map((field) => `"${snakeCase(field)}"`).join(', ')})
    select ?::uuid, ${fields.map((field) => `r."${field}"`).join(', ')}
    from jsonb_to_recordset(?::jsonb) as r(${fields.map((field) => `"${field}" ${columns[field]}`).join(', ')})`;
}

/**
 * Inserts the whole data set into one workspace inside `transaction`. Writes no `events` rows: seeded
 * data is history, not live changes, so subscriptions and webhooks must not replay it as new activity.
 */
export async function insertDemoDataSet(transaction: Knex.Transaction, workspaceId: string, dataSet: DemoDataSet, batchSize = 1000): Promise<DemoRowCounts> {
  const counts = {} as DemoRowCounts;
  for (const table of Object.keys(columnTypes) as (keyof DemoDataSet)[]) {
    const rows: readonly object[] = dataSet[table];
    const statement = insertStatement(table, columnTypes[table]);
    for (let start = 0; start < rows.length; start += batchSize) {
      await transaction.raw(statement, [workspaceId, JSON.stringify(rows.slice(start, start + batchSize))]);
    }
    counts[table] = rows.length;
  }
  return counts;
}
