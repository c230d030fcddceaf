import DataLoader from 'dataloader';
import { workspaceRowCacheKey, type LoaderFactory, type WorkspaceRowKey } from '../../../platform/request-loaders';
import { queryRows } from '../../../platform/database/prepared-statements';

export interface ConversationStatistics {
  readonly createdAt: Date;
  readonly firstAssignedAt: Date | null;
  readonly firstResponseAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly lastAgentReplyAt: Date | null;
  readonly lastCustomerMessageAt: Date | null;
  readonly waitingSince: Date | null;
  readonly reopenCount: number;
  readonly handlingMs: number;
  readonly pendingMs: number;
  readonly agentReplyCount: number;
  readonly customerMessageCount: number;
  /** Each spell in PENDING, oldest first (until null: still PENDING). */
  readonly pendingSpells: readonly { readonly from: Date; readonly until: Date | null }[];
}

export interface SatisfactionScore {
  readonly feedbackId: string;
  readonly score: number;
  readonly comment: string | null;
  readonly createdAt: Date;
}

export interface ConversationRating {
  readonly csat: SatisfactionScore | null;
  readonly nps: SatisfactionScore | null;
}

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');
const dateOf = (value: unknown) => (value == null ? null : new Date(value as string));

/**
 * The statistics of every conversation of a level in one statement: message times from the
 * messages, reopenings and the time spent OPEN or ESCALATED (handling time, up to now) from the
 * status history, each a LATERAL aggregate over its conversation's index. Workspace conditions on
 * every table, as their keys are apart.
 */
export const conversationStatisticsLoader: LoaderFactory<DataLoader<WorkspaceRowKey, ConversationStatistics | null, string>> = (em) =>
  new DataLoader(
    async (keys) => {
      const workspaceIds = [...new Set(keys.map((key) => key.workspaceId))];
      const ids = [...new Set(keys.map((key) => key.id))];
      const rows = await queryRows<Record<string, unknown>>(
        em,
        `select c.id, c.created_at, c.first_assigned_at, c.first_response_at, c.resolved_at, c.status,
                m.last_agent_reply_at, m.last_customer_message_at, m.agent_reply_count, m.customer_message_count, h.reopen_count, h.handling_ms, h.pending_ms, h.pending_spells,
                (select min(w.created_at) from messages w where w.conversation_id = c.id and w.workspace_id = c.workspace_id
                   and w.author_type = 'customer' and w.created_at > coalesce(m.last_agent_reply_at, '-infinity')) as first_unanswered_at
         from conversations c
         left join lateral (
           select max(created_at) filter (where author_type in ('agent', 'bot')) as last_agent_reply_at,
                  max(created_at) filter (where author_type = 'customer') as last_customer_message_at,
                  count(*) filter (where author_type in ('agent', 'bot'))::int as agent_reply_count,
                  count(*) filter (where author_type = 'customer')::int as customer_message_count
           from messages where conversation_id = c.id and workspace_id = c.workspace_id) m on true
         left join lateral (
           select count(*) filter (where from_status = 'resolved')::int as reopen_count,
                  coalesce(sum(extract(epoch from coalesce(until, now()) - changed_at) * 1000) filter (where to_status in ('open', 'escalated')), 0)::bigint as handling_ms,
                  coalesce(sum(extract(epoch from coalesce(until, now()) - changed_at) * 1000) filter (where to_status = 'pending'), 0)::bigint as pending_ms,
                  coalesce(json_agg(json_build_array(changed_at, until) order by changed_at) filter (where to_status = 'pending'), '[]') as pending_spells
           from (select from_status, to_status, changed_at, lead(changed_at) over (order by changed_at, id) as until
                 from conversation_status_changes where conversation_id = c.id and workspace_id = c.workspace_id) changes) h on true
         where c.id in (${placeholders(ids)}) and c.workspace_id in (${placeholders(workspaceIds)})`,
        [...ids, ...workspaceIds],
      );
      const byId = new Map(
        rows.map((row) => [
          row.id as string,
          {
            createdAt: new Date(row.created_at as string),
            firstAssignedAt: dateOf(row.first_assigned_at),
            firstResponseAt: dateOf(row.first_response_at),
            resolvedAt: dateOf(row.resolved_at),
            lastAgentReplyAt: dateOf(row.last_agent_reply_at),
            lastCustomerMessageAt: dateOf(row.last_customer_message_at),
            // A resolved conversation waits for nobody.
            waitingSince: row.status === 'resolved' ? null : dateOf(row.first_unanswered_at),
            reopenCount: row.reopen_count as number,
            handlingMs: Number(row.handling_ms),
            pendingMs: Number(row.pending_ms),
            agentReplyCount: (row.agent_reply_count as number | null) ?? 0,
            customerMessageCount: (row.customer_message_count as number | null) ?? 0,
            pendingSpells: (row.pending_spells as [string, string | null][]).map(([from, until]) => ({ from: new Date(from), until: dateOf(until) })),
          } satisfies ConversationStatistics,
        ]),
      );
      return keys.map((key) => byId.get(key.id) ?? null);
    },
    { cacheKeyFn: workspaceRowCacheKey },
  );

/** The latest CSAT and the latest NPS answer of each conversation of a level, in one statement. */
export const conversationRatingLoader: LoaderFactory<DataLoader<WorkspaceRowKey, ConversationRating, string>> = (em) =>
  new DataLoader(
    async (keys) => {
      const workspaceIds = [...new Set(keys.map((key) => key.workspaceId))];
      const ids = [...new Set(keys.map((key) => key.id))];
      const rows = await queryRows<Record<string, unknown>>(
        em,
        `select * from (
           select distinct on (conversation_id) 'csat' as kind, conversation_id, id, rating as score, comment, created_at from satisfaction_feedback
           where conversation_id in (${placeholders(ids)}) and workspace_id in (${placeholders(workspaceIds)}) and rating is not null
           order by conversation_id, created_at desc, id desc) csat
         union all
         select * from (
           select distinct on (conversation_id) 'nps' as kind, conversation_id, id, nps_score as score, comment, created_at from satisfaction_feedback
           where conversation_id in (${placeholders(ids)}) and workspace_id in (${placeholders(workspaceIds)}) and nps_score is not null
           order by conversation_id, created_at desc, id desc) nps`,
        [...ids, ...workspaceIds, ...ids, ...workspaceIds],
      );
      const ratings = new Map<string, { csat: SatisfactionScore | null; nps: SatisfactionScore | null }>();
      for (const row of rows) {
        const rating = ratings.get(row.conversation_id as string) ?? { csat: null, nps: null };
        rating[row.kind as 'csat' | 'nps'] = { feedbackId: row.id as string, score: row.score as number, comment: row.comment as string | null, createdAt: new Date(row.created_at as string) };
        ratings.set(row.conversation_id as string, rating);
      }
      return keys.map((key) => ratings.get(key.id) ?? { csat: null, nps: null });
    },
    { cacheKeyFn: workspaceRowCacheKey },
  );
