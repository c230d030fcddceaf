import { Migration } from '@mikro-orm/migrations';
import { deferred, dimensionPairs, typeOf, upsertFrom } from './Migration20261201010000AnalyticsRollups';

/** SLA counters in analytics_hourly: outcomes per target, and the sums behind business-hours means. */
export const slaCounterColumns = [
  'sla_first_response_achieved', 'sla_first_response_breached', 'sla_next_response_achieved', 'sla_next_response_breached',
  'sla_resolution_achieved', 'sla_resolution_breached', 'frt_business_count', 'frt_business_sum_ms', 'resolution_business_count', 'resolution_business_sum_ms',
] as const;

const targetColumns = [['firstResponse', 'first_response'], ['nextResponse', 'next_response'], ['resolution', 'resolution']] as const;

/** The SLA counters of one outcome row `row` (of sla_outcomes), in slaCounterColumns' order. */
const outcomeCounts = (row: string) => [
  ...targetColumns.flatMap(([target]) => [`(${row}."target" = '${target}' and ${row}."achieved")::int`, `(${row}."target" = '${target}' and not ${row}."achieved")::int`]),
  '0', '0::bigint', '0', '0::bigint',
];

/** The SLA counters of one business duration row `row` (of sla_business_durations). */
const durationCounts = (row: string) => [
  '0', '0', '0', '0', '0', '0',
  `(${row}."metric" = 'first_response')::int`, `case when ${row}."metric" = 'first_response' then ${row}."business_ms" else 0 end`,
  `(${row}."metric" = 'resolution')::int`, `case when ${row}."metric" = 'resolution' then ${row}."business_ms" else 0 end`,
];

const named = (expressions: readonly string[]) => expressions.map((expression, index) => `${expression} as "${slaCounterColumns[index]}"`).join(', ');
const histogramOf = (row: string) => `${row}."metric" || '_business'`;
const binOf = (row: string) => `"analytics_duration_bin"(${row}."business_ms" / 1000.0::float8)`;
const utcDay = (at: string) => `(${at} at time zone 'UTC')::date`;

/**
 * SLA outcomes and business-hours durations, kept as rows by the SLA check as each target settles
 * (docs/sla.md), and summed into the analytics rollups like every other figure: an inserted row
 * adds its occurrence under its conversation's current values; a conversation whose channel,
 * status, priority, inbox, team, assignee or tags change moves its SLA contribution with it; a
 * deleted conversation takes it away. Business durations also feed the daily histograms, under the
 * metrics `first_response_business` and `resolution_business`.
 */
export class Migration20261207060000SlaOutcomes extends Migration {
  override async up(): Promise<void> {
    const workspaceRef = `"workspace_id" uuid not null references "workspaces" ("id") on delete cascade`;
    const conversationRef = `"conversation_id" text not null references "conversations" ("id") on delete cascade`;
    this.addSql(`create table "sla_outcomes" (${workspaceRef}, ${conversationRef}, "policy_id" text not null,
      "target" text not null check ("target" in ('firstResponse', 'nextResponse', 'resolution')), "started_at" timestamptz(3) not null,
      "due_at" timestamptz(3) not null, "settled_at" timestamptz(3) not null, "achieved" boolean not null, "recorded_at" timestamptz(3) not null default now(),
      primary key ("conversation_id", "target", "started_at"));`);
    this.addSql(`create index "sla_outcomes_workspace_settled_index" on "sla_outcomes" ("workspace_id", "settled_at");`);
    this.addSql(`create table "sla_business_durations" (${workspaceRef}, ${conversationRef}, "policy_id" text not null, "calendar_id" text null,
      "metric" text not null check ("metric" in ('first_response', 'resolution')), "at" timestamptz(3) not null, "business_ms" bigint not null check ("business_ms" >= 0),
      primary key ("conversation_id", "metric", "at"));`);
    this.addSql(`create index "sla_business_durations_workspace_at_index" on "sla_business_durations" ("workspace_id", "at");`);
    // Where the next check starts looking for resolved conversations, per workspace.
    this.addSql(`create table "sla_check_progress" (${workspaceRef} primary key, "resolved_since" timestamptz(3) not null);`);

    this.addSql(`alter table "analytics_hourly" ${slaCounterColumns.map((c) => `add column "${c}" ${typeOf(c)} not null default 0`).join(', ')};`);
    this.addSql(`alter table "analytics_daily_durations" drop constraint "analytics_daily_durations_metric_check",
      add constraint "analytics_daily_durations_metric_check" check ("metric" in ('first_response', 'resolution', 'first_response_business', 'resolution_business'));`);

    this.addSql(`create type "analytics_sla_counts" as ("hour" timestamptz, ${slaCounterColumns.map((c) => `"${c}" ${typeOf(c)}`).join(', ')});`);
    this.addSql(`create function "analytics_sla_contribution"(c "conversations") returns setof "analytics_sla_counts" language plpgsql stable rows 3 as $$
      begin
      return query select date_trunc('hour', o."at"), ${slaCounterColumns.map((c) => `sum(o."${c}")::${typeOf(c)}`).join(', ')}
      from (
        select s."settled_at" as "at", ${named(outcomeCounts('s'))} from "sla_outcomes" s where s."conversation_id" = c."id"
        union all
        select d."at", ${named(durationCounts('d'))} from "sla_business_durations" d where d."conversation_id" = c."id"
      ) o
      group by 1;
      end $$;`);
    this.addSql(`create function "analytics_sla_duration_contribution"(c "conversations") returns table ("day" date, "metric" text, "bin" int) language plpgsql stable rows 2 as $$
      begin
      return query select ${utcDay('d."at"')}, ${histogramOf('d')}, ${binOf('d')} from "sla_business_durations" d where d."conversation_id" = c."id";
      end $$;`);

    const negated = slaCounterColumns.map((c) => `-x."${c}" as "${c}"`).join(', ');
    const moveHistograms = (sign: string, row: string) => `for delta in
          select d."dimension", d."value", x."day", x."metric", x."bin", ${sign}count(*)::int as "n"
          from "analytics_sla_duration_contribution"(${row}) x cross join lateral "analytics_dimensions"(${row}) d group by 1, 2, 3, 4, 5
        loop
          perform "analytics_durations_add"(${row}."workspace_id", delta."dimension", delta."value", delta."day", delta."metric", delta."bin", delta."n");
        end loop;`;
    this.addSql(`create function "analytics_sla_conversation_changed"() returns trigger language plpgsql as $$
      declare delta record;
      begin
        if (old."channel", old."status", old."priority", old."inbox", old."team_id", old."assignee_id", old."tags")
           is not distinct from (new."channel", new."status", new."priority", new."inbox", new."team_id", new."assignee_id", new."tags") then
          return null;
        end if;
        ${deferred}
        ${upsertFrom(`select new."workspace_id", d."dimension", d."value", x.* from "analytics_sla_contribution"(new) x cross join "analytics_dimensions"(new) d
          union all
          select old."workspace_id", d."dimension", d."value", x."hour", ${negated} from "analytics_sla_contribution"(old) x cross join "analytics_dimensions"(old) d`, '', slaCounterColumns)};
        ${moveHistograms('', 'new')}
        ${moveHistograms('-', 'old')}
        return null;
      end $$;`);
    this.addSql(`create trigger "conversations_analytics_sla" after update on "conversations" for each row execute function "analytics_sla_conversation_changed"();`);

    // Before the row goes, as analytics_conversation_deleted: its outcomes are still there to subtract.
    this.addSql(`create function "analytics_sla_conversation_deleted"() returns trigger language plpgsql as $$
      declare delta record;
      begin
        if coalesce(current_setting('gateway.analytics_deferred', true), '') = 'on' then return old; end if;
        perform 1 from "workspaces" where "id" = old."workspace_id" for no key update;
        ${upsertFrom(`select old."workspace_id", d."dimension", d."value", x."hour", ${negated} from "analytics_sla_contribution"(old) x cross join "analytics_dimensions"(old) d`, '', slaCounterColumns)};
        ${moveHistograms('-', 'old')}
        return old;
      end $$;`);
    this.addSql(`create trigger "conversations_analytics_sla_deleted" before delete on "conversations" for each row execute function "analytics_sla_conversation_deleted"();`);

    // Statement-level: the check inserts a batch's rows in one statement, summed here in one upsert rather than one per row.
    // Every workspace of the batch is locked first, in id order, as analytics_conversation_changed's prologue does for one.
    const lockInserted = `if coalesce(current_setting('gateway.analytics_deferred', true), '') = 'on' then return null; end if;
        perform 1 from "workspaces" where "id" in (select "workspace_id" from "inserted") order by "id" for no key update;`;
    this.addSql(`create function "analytics_sla_outcomes_added"() returns trigger language plpgsql as $$
      begin
        ${lockInserted}
        ${upsertFrom(`select c."workspace_id", d."dimension", d."value", date_trunc('hour', i."settled_at") as "hour", ${named(outcomeCounts('i'))}
          from "inserted" i join "conversations" c on c."id" = i."conversation_id" cross join lateral "analytics_dimensions"(c) d`, '', slaCounterColumns)};
        return null;
      end $$;`);
    this.addSql(`create trigger "sla_outcomes_analytics" after insert on "sla_outcomes" referencing new table as "inserted"
      for each statement execute function "analytics_sla_outcomes_added"();`);

    this.addSql(`create function "analytics_sla_durations_added"() returns trigger language plpgsql as $$
      declare delta record;
      begin
        ${lockInserted}
        ${upsertFrom(`select c."workspace_id", d."dimension", d."value", date_trunc('hour', i."at") as "hour", ${named(durationCounts('i'))}
          from "inserted" i join "conversations" c on c."id" = i."conversation_id" cross join lateral "analytics_dimensions"(c) d`, '', slaCounterColumns)};
        for delta in
          select i."workspace_id", d."dimension", d."value", ${utcDay('i."at"')} as "day", ${histogramOf('i')} as "metric", ${binOf('i')} as "bin", count(*)::int as "n"
          from "inserted" i join "conversations" c on c."id" = i."conversation_id" cross join lateral "analytics_dimensions"(c) d
          group by 1, 2, 3, 4, 5, 6
        loop
          perform "analytics_durations_add"(delta."workspace_id", delta."dimension", delta."value", delta."day", delta."metric", delta."bin", delta."n");
        end loop;
        return null;
      end $$;`);
    this.addSql(`create trigger "sla_business_durations_analytics" after insert on "sla_business_durations" referencing new table as "inserted"
      for each statement execute function "analytics_sla_durations_added"();`);

    // Set-based, as analytics_counters_rebuild, and run after it and analytics_durations_rebuild (which empty the workspace's rows first).
    this.addSql(`create function "analytics_sla_rebuild"(workspace uuid) returns void language sql as $$
      update "analytics_hourly" set ${slaCounterColumns.map((c) => `"${c}" = 0`).join(', ')} where "workspace_id" = workspace;
      delete from "analytics_daily_durations" where "workspace_id" = workspace and "metric" in ('first_response_business', 'resolution_business');
      ${upsertFrom(`
        with "occurrences" as (
          select s."conversation_id", s."settled_at" as "at", ${named(outcomeCounts('s'))} from "sla_outcomes" s where s."workspace_id" = workspace
          union all
          select d."conversation_id", d."at", ${named(durationCounts('d'))} from "sla_business_durations" d where d."workspace_id" = workspace
        ),
        "by_values" as (
          select c."channel", c."status", c."priority", c."inbox", c."team_id", c."assignee_id", c."tags", date_trunc('hour', o."at") as "hour",
                 ${slaCounterColumns.map((c) => `sum(o."${c}")::${typeOf(c)} as "${c}"`).join(', ')}
          from "occurrences" o join "conversations" c on c."id" = o."conversation_id"
          group by 1, 2, 3, 4, 5, 6, 7, 8
        )
        select workspace as "workspace_id", d."dimension", d."value", v."hour", ${slaCounterColumns.map((c) => `v."${c}"`).join(', ')}
        from "by_values" v cross join lateral (${dimensionPairs}) d`, '', slaCounterColumns)};
      insert into "analytics_daily_durations" ("workspace_id", "dimension", "value", "day", "metric", "counts")
      with "by_values" as (
        select c."channel", c."status", c."priority", c."inbox", c."team_id", c."assignee_id", c."tags", ${utcDay('b."at"')} as "day", ${histogramOf('b')} as "metric",
               ${binOf('b')} as "bin", count(*)::int as "n"
        from "sla_business_durations" b join "conversations" c on c."id" = b."conversation_id"
        where b."workspace_id" = workspace
        group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
      ),
      "sparse" as (
        select d."dimension", d."value", v."day", v."metric", v."bin", sum(v."n")::int as "n"
        from "by_values" v cross join lateral (${dimensionPairs}) d
        group by 1, 2, 3, 4, 5
      )
      select workspace, "dimension", "value", "day", "metric", "analytics_bins_array"(array_agg("bin" order by "bin"), array_agg("n" order by "bin"))
      from "sparse" group by 1, 2, 3, 4, 5;
    $$;`);
    this.addSql(`create or replace function "analytics_rebuild"(workspace uuid) returns void language sql as $$
      select "analytics_counters_rebuild"(workspace);
      select "analytics_durations_rebuild"(workspace);
      select "analytics_sla_rebuild"(workspace);
    $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function "analytics_rebuild"(workspace uuid) returns void language sql as $$
      select "analytics_counters_rebuild"(workspace);
      select "analytics_durations_rebuild"(workspace);
    $$;`);
    this.addSql(`drop function "analytics_sla_rebuild"(uuid);`);
    this.addSql(`drop trigger "sla_business_durations_analytics" on "sla_business_durations";`);
    this.addSql(`drop function "analytics_sla_durations_added"();`);
    this.addSql(`drop trigger "sla_outcomes_analytics" on "sla_outcomes";`);
    this.addSql(`drop function "analytics_sla_outcomes_added"();`);
    this.addSql(`drop trigger "conversations_analytics_sla_deleted" on "conversations";`);
    this.addSql(`drop function "analytics_sla_conversation_deleted"();`);
    this.addSql(`drop trigger "conversations_analytics_sla" on "conversations";`);
    this.addSql(`drop function "analytics_sla_conversation_changed"();`);
    this.addSql(`drop function "analytics_sla_duration_contribution"("conversations");`);
    this.addSql(`drop function "analytics_sla_contribution"("conversations");`);
    this.addSql(`drop type "analytics_sla_counts";`);
    this.addSql(`delete from "analytics_daily_durations" where "metric" in ('first_response_business', 'resolution_business');`);
    this.addSql(`alter table "analytics_daily_durations" drop constraint "analytics_daily_durations_metric_check",
      add constraint "analytics_daily_durations_metric_check" check ("metric" in ('first_response', 'resolution'));`);
    this.addSql(`alter table "analytics_hourly" ${slaCounterColumns.map((c) => `drop column "${c}"`).join(', ')};`);
    this.addSql('drop table "sla_check_progress";');
    this.addSql('drop table "sla_business_durations";');
    this.addSql('drop table "sla_outcomes";');
  }
}
