import { Migration } from '@mikro-orm/migrations';
import { deferred, dimensionPairs } from './Migration20261201010000AnalyticsRollups';

const seconds = (later: string, earlier: string) => `extract(epoch from ${later} - ${earlier})::float8`;
const utcDay = (at: string) => `(${at} at time zone 'UTC')::date`;
const key = `"dimension", "value", "day", "metric"`;

/**
 * Duration histograms for percentiles, per workspace, UTC day, value of each dimension and metric
 * (`first_response`, `resolution`). A duration falls in bin ⌈log_γ(seconds / 1 ms)⌉ with
 * γ = 1.01 / 0.99, so reporting a bin as 2γ^bin / (γ + 1) ms is within 1% of every duration in it
 * (bin 0 holds everything up to 1 ms and reads as 0). Each row is one array of counts indexed by
 * bin (PostgreSQL arrays keep their own lower bound and grow either way on assignment), so a
 * 90-day daily series reads 180 rows, not one per bin. Triggers keep them in the same transaction,
 * as analytics_hourly: a conversation's durations move with its channel, tags, assignee…
 */
export class Migration20261201030000AnalyticsDurationHistograms extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function "analytics_duration_bin"(seconds float8) returns int language sql immutable parallel safe as $$
      select case when seconds <= 0.001 then 0 else ceil(ln(seconds * 1000) / ln(101::float8 / 99))::int end $$;`);

    this.addSql(`create table "analytics_daily_durations" (
      "workspace_id" uuid not null references "workspaces" ("id") on delete cascade,
      "dimension" text not null,
      "value" text not null,
      "day" date not null,
      "metric" text not null check ("metric" in ('first_response', 'resolution')),
      "counts" int[] not null,
      primary key ("workspace_id", ${key}));`);

    this.addSql(`create function "analytics_durations_add"(workspace uuid, dimension_name text, dimension_value text, on_day date, metric_name text, bin int, delta int)
      returns void language plpgsql as $$
      begin
        insert into "analytics_daily_durations" as h ("workspace_id", ${key}, "counts")
          values (workspace, dimension_name, dimension_value, on_day, metric_name, array_fill(delta, array[1], array[bin]))
          on conflict ("workspace_id", ${key}) do update set "counts"[bin] = coalesce(h."counts"[bin], 0) + delta;
      end $$;`);

    // plpgsql for the same reason as analytics_contribution: PostgreSQL 15 cannot plan the inlined SQL function on a whole row.
    this.addSql(`create function "analytics_duration_contribution"(c "conversations") returns table ("day" date, "metric" text, "bin" int)
      language plpgsql stable rows 2 as $$
      begin
        return query select ${utcDay('c."first_response_at"')}, 'first_response'::text, "analytics_duration_bin"(${seconds('c."first_response_at"', 'c."created_at"')})
          where c."first_response_at" is not null
        union all
        select ${utcDay('s."changed_at"')}, 'resolution', "analytics_duration_bin"(${seconds('s."changed_at"', 'c."created_at"')})
          from "conversation_status_changes" s
          where s."conversation_id" = c."id" and s."from_status" is not null and s."to_status" = 'resolved';
      end $$;`);

    // Fires after conversations_analytics (which takes the workspace row) and before conversations_status_history:
    // a new resolution is added by its own status change row, after the conversation has moved.
    this.addSql(`create function "analytics_durations_conversation_changed"() returns trigger language plpgsql as $$
      declare delta record;
      begin
        ${deferred}
        if tg_op = 'UPDATE' and (old."channel", old."status", old."priority", old."inbox", old."team_id", old."assignee_id", old."tags", old."first_response_at")
            is not distinct from (new."channel", new."status", new."priority", new."inbox", new."team_id", new."assignee_id", new."tags", new."first_response_at") then
          return null;
        end if;
        for delta in
          select d."dimension", d."value", x."day", x."metric", x."bin", sum(x."n")::int as "n"
          from (select x.*, 1 as "n" from "analytics_duration_contribution"(new) x
                union all
                select x.*, -1 from "analytics_duration_contribution"(old) x where tg_op = 'UPDATE') x
          cross join lateral "analytics_dimensions"(case when x."n" > 0 then new else old end) d
          group by 1, 2, 3, 4, 5 having sum(x."n") <> 0
        loop
          perform "analytics_durations_add"(new."workspace_id", delta."dimension", delta."value", delta."day", delta."metric", delta."bin", delta."n");
        end loop;
        return null;
      end $$;`);
    this.addSql(`create trigger "conversations_analytics_durations" after insert or update on "conversations"
      for each row execute function "analytics_durations_conversation_changed"();`);

    this.addSql(`create function "analytics_durations_resolution_added"() returns trigger language plpgsql as $$
      declare place record;
      begin
        if new."from_status" is null or new."to_status" <> 'resolved' then return null; end if;
        ${deferred}
        for place in
          select d."dimension", d."value", "analytics_duration_bin"(${seconds('new."changed_at"', 'c."created_at"')}) as "bin"
          from "conversations" c cross join lateral "analytics_dimensions"(c) d where c."id" = new."conversation_id"
        loop
          perform "analytics_durations_add"(new."workspace_id", place."dimension", place."value", ${utcDay('new."changed_at"')}, 'resolution', place."bin", 1);
        end loop;
        return null;
      end $$;`);
    this.addSql(`create trigger "conversation_status_changes_analytics_durations" after insert on "conversation_status_changes"
      for each row execute function "analytics_durations_resolution_added"();`);

    // An array of counts indexed by bin from sparse (bin, count) pairs; bins in between read as null (no durations).
    // plpgsql assigns elements of its expanded arrays in place, where building them in SQL would expand every span.
    this.addSql(`create function "analytics_bins_array"(bins int[], counts int[]) returns int[] language plpgsql immutable as $$
      declare
        result int[] := '{}';
      begin
        for i in 1 .. cardinality(bins) loop
          result[bins[i]] := counts[i];
        end loop;
        return result;
      end $$;`);

    // Set-based, as analytics_rebuild: counts per bin and combination of values, spread over the dimensions, then one array per row.
    // Memory for the sorts and hashes of a million conversations (they spill to disk at the default 4 MB); no JIT (it compiles for longer than it saves).
    const rebuildSettings = `set work_mem = '256MB' set jit = off`;
    this.addSql(`create function "analytics_durations_rebuild"(workspace uuid) returns void language sql ${rebuildSettings} as $$
      delete from "analytics_daily_durations" where "workspace_id" = workspace;
      insert into "analytics_daily_durations" ("workspace_id", ${key}, "counts")
      with "durations" as (
        select c."id" as "conversation_id", ${utcDay('c."first_response_at"')} as "day", 'first_response'::text as "metric",
               "analytics_duration_bin"(${seconds('c."first_response_at"', 'c."created_at"')}) as "bin"
        from "conversations" c where c."workspace_id" = workspace and c."first_response_at" is not null
        union all
        select c."id", ${utcDay('s."changed_at"')}, 'resolution', "analytics_duration_bin"(${seconds('s."changed_at"', 'c."created_at"')})
        from "conversation_status_changes" s join "conversations" c on c."id" = s."conversation_id"
        where s."workspace_id" = workspace and s."from_status" is not null and s."to_status" = 'resolved'
      ),
      "by_values" as (
        select c."channel", c."status", c."priority", c."inbox", c."team_id", c."assignee_id", c."tags", o."day", o."metric", o."bin", count(*)::int as "n"
        from "durations" o join "conversations" c on c."id" = o."conversation_id"
        group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
      ),
      "sparse" as (
        select d."dimension", d."value", v."day", v."metric", v."bin", sum(v."n")::int as "n"
        from "by_values" v cross join lateral (${dimensionPairs}) d
        group by 1, 2, 3, 4, 5
      )
      select workspace, ${key}, "analytics_bins_array"(array_agg("bin" order by "bin"), array_agg("n" order by "bin"))
      from "sparse" group by 1, 2, 3, 4, 5;
    $$;`);

    // analytics_rebuild stays the one call for seeds, imports and checks.
    this.addSql(`alter function "analytics_rebuild"(uuid) rename to "analytics_counters_rebuild";`);
    this.addSql(`alter function "analytics_counters_rebuild"(uuid) ${rebuildSettings};`);
    this.addSql(`create function "analytics_rebuild"(workspace uuid) returns void language sql as $$
      select "analytics_counters_rebuild"(workspace);
      select "analytics_durations_rebuild"(workspace);
    $$;`);
    this.addSql(`select "analytics_durations_rebuild"("id") from "workspaces";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function "analytics_rebuild"(uuid);`);
    this.addSql(`alter function "analytics_counters_rebuild"(uuid) reset all;`);
    this.addSql(`alter function "analytics_counters_rebuild"(uuid) rename to "analytics_rebuild";`);
    this.addSql(`drop function "analytics_durations_rebuild"(uuid);`);
    this.addSql(`drop trigger "conversation_status_changes_analytics_durations" on "conversation_status_changes";`);
    this.addSql(`drop function "analytics_durations_resolution_added"();`);
    this.addSql(`drop trigger "conversations_analytics_durations" on "conversations";`);
    this.addSql(`drop function "analytics_durations_conversation_changed"();`);
    this.addSql(`drop function "analytics_duration_contribution"("conversations");`);
    this.addSql(`drop function "analytics_durations_add"(uuid, text, text, date, text, int, int);`);
    this.addSql(`drop function "analytics_bins_array"(int[], int[]);`);
    this.addSql(`drop table "analytics_daily_durations";`);
    this.addSql(`drop function "analytics_duration_bin"(float8);`);
  }
}
