import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config';
import { ensureWorkspace } from '../modules/workspaces';
import { GatewayError } from '../platform/errors';
import type { Logger } from '../platform/observability/logger';
import { withCliServices } from './cli-services';
import { generateDemoDataParts, generateDemoDataSet, type DemoDataSet } from './demo-data/demo-data-set';
import { insertDemoDataSet, type DemoRowCounts } from './demo-data/insert-demo-data';
import { UsageError } from './usage-error';

const countLabels: Readonly<Record<keyof DemoRowCounts, string>> = {
  teams: 'teams',
  agents: 'agents',
  customers: 'customers',
  customerExternalIds: 'customer external ids',
  conversations: 'conversations',
  conversationExternalRefs: 'conversation external refs',
  messages: 'messages',
  conversationNotes: 'conversation notes',
  customerNotes: 'customer notes',
  satisfactionFeedback: 'satisfaction ratings',
};

const maxConversations = 5_000_000;

/**
 * `gateway seed --demo [--conversations N] [--workspace SLUG] [--json]`: fills a workspace without
 * conversations with a believable support history (the last 90 days), so a first query returns
 * something: 3,000 conversations, or N (up to five million, for benchmarks), generated and written a
 * chunk at a time. Analytics rollups are built once at the end rather than row by row. With --json
 * the last stdout line is one JSON object: the workspace slug and the row count per table.
 */
export async function seedCommand(config: Config, logger: Logger, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      demo: { type: 'boolean', default: false },
      workspace: { type: 'string', default: 'default' },
      conversations: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.demo) throw new UsageError('seed needs --demo: the demo data set is the only one there is');
  const slug = values.workspace!;
  const conversationCount = values.conversations === undefined ? undefined : Number(values.conversations);
  if (conversationCount !== undefined && !(Number.isInteger(conversationCount) && conversationCount >= 1 && conversationCount <= maxConversations)) {
    throw new UsageError(`--conversations takes a whole number from 1 to ${maxConversations}`);
  }

  const startedAt = performance.now();
  const counts = await withCliServices(config, logger, async ({ em }) => {
    const { workspace } = await ensureWorkspace(em, slug);
    const seeded = await em.getKnex().transaction(async (transaction) => {
      // The lock makes a concurrent seed of the same workspace wait, then find it no longer empty.
      await transaction.raw('select 1 from workspaces where id = ? for update', [workspace.id]);
      const { rows } = await transaction.raw<{ rows: { count: number }[] }>(
        'select count(*)::int as count from conversations where workspace_id = ?',
        [workspace.id],
      );
      if (rows[0].count > 0) {
        throw new GatewayError('CONFLICT', `workspace "${slug}" already has ${rows[0].count} conversations; seed --demo only fills a workspace that has none`);
      }
      await transaction.raw(`set local gateway.analytics_deferred = 'on'`);
      const now = new Date();
      const parts: Iterable<DemoDataSet> = conversationCount === undefined ? [generateDemoDataSet({ now })] : generateDemoDataParts({ now, conversationCount });
      const totals = {} as DemoRowCounts;
      for (const part of parts) {
        const counts = await insertDemoDataSet(transaction, workspace.id, part);
        for (const table of Object.keys(counts) as (keyof DemoRowCounts)[]) totals[table] = (totals[table] ?? 0) + counts[table];
        if (conversationCount !== undefined) logger.info({ conversations: totals.conversations, of: conversationCount }, 'seeding');
      }
      await transaction.raw('select analytics_rebuild(?)', [workspace.id]);
      return totals;
    });
    // Fresh planner statistics, so the first queries use the indexes instead of sorting everything.
    await em.execute('analyze customers, conversations, messages, satisfaction_feedback, conversation_status_changes, analytics_hourly');
    return seeded;
  });
  const durationSeconds = (performance.now() - startedAt) / 1000;

  if (values.json) {
    process.stdout.write(`${JSON.stringify({ workspace: slug, ...counts })}\n`);
    return;
  }
  const lines = (Object.keys(countLabels) as (keyof DemoRowCounts)[]).map((table) => `  ${String(counts[table]).padStart(8)}  ${countLabels[table]}`);
  process.stdout.write(`Seeded workspace "${slug}" with demo data in ${durationSeconds.toFixed(1)} s:\n${lines.join('\n')}\n`);
}
