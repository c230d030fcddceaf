import { Migration } from '@mikro-orm/migrations';

export const counterColumns = [
  'activity', 'created', 'resolved', 'reopened', 'escalated', 'backlog', 'messages_in', 'messages_out',
  'frt_count', 'frt_sum_ms', 'resolution_count', 'resolution_sum_ms', 'csat_count', 'csat_sum', 'nps_count', 'nps_promoters', 'nps_detractors',
] as const;
/** Sums of milliseconds are bigint, every other counter int. */
export const typeOf = (column: string) => (column.endsWith('_sum_ms') ? 'bigint' : 'int');
const dimensions = ['all', 'channel', 'status', 'priority', 'inbox', 'team_id', 'assignee_id', 'tag'];

/**
 * Prologue of every rollup trigger. Seeds and imports load in bulk with `set local
 * gateway.analytics_deferred = on`, then call analytics_rebuild. Then every writer of a workspace
 * takes the workspace row first (as recording an event does, and as conversation writes do before
 * locking a conversation), so rollup rows are always locked after it: writers wait for each other
 * instead of deadlocking over rollup rows locked in different orders.
 */
export const deferred = `if coalesce(current_setting('gateway.analytics_deferred', true), '') = 'on' then return null; end if;
    perform 1 from "workspaces" where "id" = new."workspace_id" for no key update;`;

/** The (dimension, value) pairs of the conversation values in `v` (a row with its channel, status, … tags), as analytics_dimensions gives them. */
export const dimensionPairs = `select 'all'::text as "dimension", ''::text as "value" union all select 'channel', v."channel" union all select 'status', v."status"
  union all select 'priority', v."priority" union all select 'inbox', coalesce(v."inbox", '') union all select 'team_id', coalesce(v."team_id", '')
  union all select 'assignee_id', coalesce(v."assignee_id", '')
  union all select 'tag', t from unnest(case when cardinality(v."tags") = 0 then array[''] else v."tags" end) t`;

/** `insert … on conflict do update` adding `source`'s counters (grouped by workspace, dimension, value, hour) to the rollup. */
export function upsertFrom(source: string, sign = '', columns: readonly string[] = counterColumns): string {
  return `insert into "analytics_hourly" as h ("workspace_id", "dimension", "value", "hour", ${columns.map((c) => `"${c}"`).join(', ')})
    select "workspace_id", "dimension", "value", "hour", ${columns.map((c) => `sum(${sign}"${c}")::${typeOf(c)}`).join(', ')}
    from (${source}) as delta
    group by "workspace_id", "dimension", "value", "hour"
    having ${columns.map((c) => `sum(${sign}"${c}") <> 0`).join(' or ')}
    on conflict ("workspace_id", "dimension", "value", "hour") do update set
    ${columns.map((c) => `"${c}" = h."${c}" + excluded."${c}"`).join(', ')}`;
}

/**
 * Hourly rollups of every analytics figure per workspace and per value of each dimension, kept
 * exact in the same transaction as the change by triggers. Groups use the conversation's current
 * values (docs/analytics.md), so when a conversation's channel, status, tags… change, its whole
 * contribution moves from the old values to the new ones: its contribution is recomputed from its
 * raw rows before and after, and only the difference is written. Activity that is not a
 * conversation change (a message, a feedback, a status change) adds its one occurrence.
 */
export class Migration20261201010000AnalyticsRollups extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "analytics_hourly" (
      "workspace_id" uuid not null references "workspaces" ("id") on delete cascade,
      "dimension" text not null,
      "value" text not null,
      "hour" timestamptz not null,
      ${counterColumns.map((c) => `"${c}" ${typeOf(c)} not null default 0`).join(', ')},
      primary key ("workspace_id", "dimension", "value", "hour"));`);

    this.addSql(`create type "analytics_counts" as (
      "hour" timestamptz, ${counterColumns.map((c) => `"${c}" ${typeOf(c)}`).join(', ')});`);

    // One conversation's whole contribution, per hour, computed from its raw rows as the raw analytics query counts them.
    const zeros = (from: number, to: number) => counterColumns.slice(from, to).map((c) => `0::${typeOf(c)}`);
    const ms = (interval: string) => `round(extract(epoch from ${interval}) * 1000)::bigint`;
    // plpgsql, not sql: PostgreSQL 15 fails to plan an inlined SQL function given a whole row from a lateral join.
    // The row estimates keep the planner from costing these per-row statements at a million rows and JIT-compiling them (half a second each).
    this.addSql(`create function "analytics_contribution"(c "conversations") returns setof "analytics_counts" language plpgsql stable rows 4 as $$
      begin
      return query select date_trunc('hour', o."at"), ${counterColumns.map((col) => `sum(o."${col}")::${typeOf(col)}`).join(', ')}
      from (
        select c."created_at" as "at", 1 as "activity", 1 as "created", 0 as "resolved", 0 as "reopened", 0 as "escalated", 1 as "backlog",
               0 as "messages_in", 0 as "messages_out", 0 as "frt_count", 0::bigint as "frt_sum_ms", 0 as "resolution_count", 0::bigint as "resolution_sum_ms",
               0 as "csat_count", 0 as "csat_sum", 0 as "nps_count", 0 as "nps_promoters", 0 as "nps_detractors"
        union all
        select c."first_response_at", 1, ${zeros(1, 8).join(', ')}, 1, ${ms('c."first_response_at" - c."created_at"')}, ${zeros(10, 17).join(', ')}
        where c."first_response_at" is not null
        union all
        select s."changed_at", 1, 0, (s."to_status" = 'resolved')::int, (s."from_status" = 'resolved')::int, (s."to_status" = 'escalated')::int,
               case when s."to_status" = 'resolved' then -1 when s."from_status" = 'resolved' then 1 else 0 end, 0, 0, 0, 0,
               (s."to_status" = 'resolved')::int, case when s."to_status" = 'resolved' then ${ms('s."changed_at" - c."created_at"')} else 0 end,
               ${zeros(12, 17).join(', ')}
        from "conversation_status_changes" s where s."conversation_id" = c."id" and s."from_status" is not null
        union all
        select m."created_at", 1, ${zeros(1, 6).join(', ')}, (m."author_type" = 'customer')::int, (m."author_type" in ('agent', 'bot'))::int, ${zeros(8, 17).join(', ')}
        from "messages" m where m."conversation_id" = c."id"
        union all
        select f."created_at", 1, ${zeros(1, 12).join(', ')}, (f."rating" is not null)::int, coalesce(f."rating", 0), (f."nps_score" is not null)::int,
               coalesce((f."nps_score" >= 9)::int, 0), coalesce((f."nps_score" <= 6)::int, 0)
        from "satisfaction_feedback" f where f."conversation_id" = c."id"
      ) o
      group by 1;
      end $$;`);

    // The (dimension, value) pairs a conversation counts under; '' stands for "none" (no inbox, team, assignee or tag).
    this.addSql(`create function "analytics_dimensions"(c "conversations") returns table ("dimension" text, "value" text) language plpgsql immutable rows 9 as $$
      begin
      return query select 'all'::text, ''::text union all select 'channel', c."channel" union all select 'status', c."status" union all select 'priority', c."priority"
      union all select 'inbox', coalesce(c."inbox", '') union all select 'team_id', coalesce(c."team_id", '') union all select 'assignee_id', coalesce(c."assignee_id", '')
      union all select 'tag', t from unnest(case when cardinality(c."tags") = 0 then array[''] else c."tags" end) t;
      end $$;`);


    this.addSql(`create function "analytics_conversation_changed"() returns trigger language plpgsql as $$
      begin
        ${deferred}
        if tg_op = 'INSERT' then
          ${upsertFrom(`select new."workspace_id", d."dimension", d."value", x.* from "analytics_contribution"(new) x cross join "analytics_dimensions"(new) d`)};
        elsif (old."channel", old."status", old."priority", old."inbox", old."team_id", old."assignee_id", old."tags", old."first_response_at")
              is distinct from (new."channel", new."status", new."priority", new."inbox", new."team_id", new."assignee_id", new."tags", new."first_response_at") then
          ${upsertFrom(`select new."workspace_id", d."dimension", d."value", x.* from "analytics_contribution"(new) x cross join "analytics_dimensions"(new) d
            union all
            select old."workspace_id", d."dimension", d."value", x."hour", ${counterColumns.map((c) => `-x."${c}"`).join(', ')}
            from "analytics_contribution"(old) x cross join "analytics_dimensions"(old) d`)};
        end if;
        return null;
      end $$;`);
    // Named to fire before conversations_status_history: a status change's own occurrence is added by its row's trigger, after the move.
    this.addSql(`create trigger "conversations_analytics" after insert or update on "conversations"
      for each row execute function "analytics_conversation_changed"();`);

    const addOccurrence = (name: string, table: string, conversationColumn: string, counts: string, orphan = false) => {
      this.addSql(`create function "${name}"() returns trigger language plpgsql as $$
        begin
          ${deferred}
          ${orphan ? `if new."${conversationColumn}" is null then
            ${upsertFrom(`select new."workspace_id", d."dimension", '' as "value", x.* from (select ${counts}) x cross join unnest(array[${dimensions.map((d) => `'${d}'`).join(', ')}]) d("dimension")`)};
            return null;
          end if;` : ''}
          ${upsertFrom(`select c."workspace_id", d."dimension", d."value", x.* from "conversations" c cross join lateral (select ${counts}) x cross join lateral "analytics_dimensions"(c) d where c."id" = new."${conversationColumn}"`)};
          return null;
        end $$;`);
      this.addSql(`create trigger "${table}_analytics" after insert on "${table}" for each row execute function "${name}"();`);
    };
    const occurrence = (values: Partial<Record<(typeof counterColumns)[number], string>>, at: string) =>
      `date_trunc('hour', ${at}) as "hour", ${counterColumns.map((c) => `coalesce(${values[c] ?? '0'}, 0)::${typeOf(c)} as "${c}"`).join(', ')}`;
    addOccurrence('analytics_message_added', 'messages', 'conversation_id', occurrence({
      activity: '1', messages_in: `(new."author_type" = 'customer')::int`, messages_out: `(new."author_type" in ('agent', 'bot'))::int`,
    }, 'new."created_at"'));
    addOccurrence('analytics_feedback_added', 'satisfaction_feedback', 'conversation_id', occurrence({
      activity: '1', csat_count: '(new."rating" is not null)::int', csat_sum: 'coalesce(new."rating", 0)', nps_count: '(new."nps_score" is not null)::int',
      nps_promoters: 'coalesce((new."nps_score" >= 9)::int, 0)', nps_detractors: 'coalesce((new."nps_score" <= 6)::int, 0)',
    }, 'new."created_at"'), true);
    addOccurrence('analytics_status_changed', 'conversation_status_changes', 'conversation_id', occurrence({
      activity: '(new."from_status" is not null)::int',
      resolved: `(new."from_status" is not null and new."to_status" = 'resolved')::int`,
      reopened: `(new."from_status" = 'resolved')::int`,
      escalated: `(new."from_status" is not null and new."to_status" = 'escalated')::int`,
      backlog: `case when new."from_status" is null then 0 when new."to_status" = 'resolved' then -1 when new."from_status" = 'resolved' then 1 else 0 end`,
      resolution_count: `(new."from_status" is not null and new."to_status" = 'resolved')::int`,
      resolution_sum_ms: `case when new."from_status" is not null and new."to_status" = 'resolved' then ${ms('new."changed_at" - c."created_at"')} else 0 end`,
    }, 'new."changed_at"'));

    // Recomputes a workspace's rollups from its raw rows, set-based (a million conversations in seconds, not one function call
    // each): after bulk loads, and to check the triggers (the tests compare both). Occurrences are summed per hour and per
    // combination of dimension values first, then spread over the dimensions.
    const sums = counterColumns.map((c) => `sum(o."${c}")::${typeOf(c)} as "${c}"`).join(', ');
    this.addSql(`create function "analytics_rebuild"(workspace uuid) returns void language sql as $$
      delete from "analytics_hourly" where "workspace_id" = workspace;
      ${upsertFrom(`
        with "occurrences" as (
          select c."id" as "conversation_id", c."created_at" as "at", 1 as "activity", 1 as "created", 0 as "resolved", 0 as "reopened", 0 as "escalated", 1 as "backlog",
                 0 as "messages_in", 0 as "messages_out", 0 as "frt_count", 0::bigint as "frt_sum_ms", 0 as "resolution_count", 0::bigint as "resolution_sum_ms",
                 0 as "csat_count", 0 as "csat_sum", 0 as "nps_count", 0 as "nps_promoters", 0 as "nps_detractors"
          from "conversations" c where c."workspace_id" = workspace
          union all
          select c."id", c."first_response_at", 1, ${zeros(1, 8).join(', ')}, 1, ${ms('c."first_response_at" - c."created_at"')}, ${zeros(10, 17).join(', ')}
          from "conversations" c where c."workspace_id" = workspace and c."first_response_at" is not null
          union all
          select s."conversation_id", s."changed_at", 1, 0, (s."to_status" = 'resolved')::int, (s."from_status" = 'resolved')::int, (s."to_status" = 'escalated')::int,
                 case when s."to_status" = 'resolved' then -1 when s."from_status" = 'resolved' then 1 else 0 end, 0, 0, 0, 0,
                 (s."to_status" = 'resolved')::int, case when s."to_status" = 'resolved' then ${ms('s."changed_at" - c."created_at"')} else 0 end,
                 ${zeros(12, 17).join(', ')}
          from "conversation_status_changes" s join "conversations" c on c."id" = s."conversation_id"
          where s."workspace_id" = workspace and s."from_status" is not null
          union all
          select m."conversation_id", m."created_at", 1, ${zeros(1, 6).join(', ')}, (m."author_type" = 'customer')::int, (m."author_type" in ('agent', 'bot'))::int, ${zeros(8, 17).join(', ')}
          from "messages" m where m."workspace_id" = workspace
          union all
          select f."conversation_id", f."created_at", 1, ${zeros(1, 12).join(', ')}, (f."rating" is not null)::int, coalesce(f."rating", 0), (f."nps_score" is not null)::int,
                 coalesce((f."nps_score" >= 9)::int, 0), coalesce((f."nps_score" <= 6)::int, 0)
          from "satisfaction_feedback" f where f."workspace_id" = workspace and f."conversation_id" is not null
        ),
        "by_values" as (
          select c."channel", c."status", c."priority", c."inbox", c."team_id", c."assignee_id", c."tags", date_trunc('hour', o."at") as "hour", ${sums}
          from "occurrences" o join "conversations" c on c."id" = o."conversation_id"
          group by 1, 2, 3, 4, 5, 6, 7, 8
        )
        select workspace as "workspace_id", d."dimension", d."value", v."hour", ${counterColumns.map((c) => `v."${c}"`).join(', ')}
        from "by_values" v cross join lateral (${dimensionPairs}) d
        union all
        select f."workspace_id", d."dimension", '', date_trunc('hour', f."created_at"), 1, ${zeros(1, 12).join(', ')}, (f."rating" is not null)::int, coalesce(f."rating", 0),
               (f."nps_score" is not null)::int, coalesce((f."nps_score" >= 9)::int, 0), coalesce((f."nps_score" <= 6)::int, 0)
        from "satisfaction_feedback" f cross join unnest(array[${dimensions.map((d) => `'${d}'`).join(', ')}]) d("dimension")
        where f."workspace_id" = workspace and f."conversation_id" is null`)};
    $$;`);
    this.addSql(`select "analytics_rebuild"("id") from "workspaces";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function "analytics_rebuild"(uuid);`);
    for (const [table, name] of [['messages', 'analytics_message_added'], ['satisfaction_feedback', 'analytics_feedback_added'], ['conversation_status_changes', 'analytics_status_changed'], ['conversations', 'analytics_conversation_changed']]) {
      this.addSql(`drop trigger "${table}_analytics" on "${table}";`);
      this.addSql(`drop function "${name}"();`);
    }
    this.addSql(`drop function "analytics_dimensions"("conversations");`);
    this.addSql(`drop function "analytics_contribution"("conversations");`);
    this.addSql(`drop type "analytics_counts";`);
    this.addSql(`drop table "analytics_hourly";`);
  }
}
