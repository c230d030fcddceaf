import { Migration } from '@mikro-orm/migrations';
import { counterColumns, upsertFrom } from './Migration20261201010000AnalyticsRollups';

/**
 * Deletion (docs/deletion.md). Deleted conversations and customers are removed, with what hangs
 * off them; a tombstone per record lets incremental syncs see the deletion (`includeDeleted`)
 * until TOMBSTONE_RETENTION has passed. A conversation leaves the analytics with it: a trigger
 * takes its whole contribution out of the rollups before its rows go, so the figures equal
 * those of a history in which it never existed, as the raw rows now say.
 */
export class Migration20261206010000DeletedRecords extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "deleted_records" (
      "workspace_id" uuid not null references "workspaces" ("id") on delete cascade,
      "id" text not null,
      "type" text not null check ("type" in ('conversation', 'customer')),
      "reason" text not null check ("reason" in ('DELETED', 'MERGED')),
      "merged_into_id" text null,
      "details" jsonb not null default '{}',
      "created_at" timestamptz(3) not null,
      "deleted_at" timestamptz(3) not null default now(),
      primary key ("workspace_id", "id"));`);
    this.addSql(`create index "deleted_records_sync_idx" on "deleted_records" ("workspace_id", "type", "deleted_at", "id");`);

    // Before the row goes: its messages, status changes and feedback, which the contribution reads, are still there.
    this.addSql(`create function "analytics_conversation_deleted"() returns trigger language plpgsql as $$
      declare delta record;
      begin
        if coalesce(current_setting('gateway.analytics_deferred', true), '') = 'on' then return old; end if;
        perform 1 from "workspaces" where "id" = old."workspace_id" for no key update;
        ${upsertFrom(`select old."workspace_id", d."dimension", d."value", x."hour", ${counterColumns.map((c) => `-x."${c}" as "${c}"`).join(', ')}
          from "analytics_contribution"(old) x cross join "analytics_dimensions"(old) d`)};
        for delta in
          select d."dimension", d."value", x."day", x."metric", x."bin", -count(*)::int as "n"
          from "analytics_duration_contribution"(old) x cross join lateral "analytics_dimensions"(old) d
          group by 1, 2, 3, 4, 5
        loop
          perform "analytics_durations_add"(old."workspace_id", delta."dimension", delta."value", delta."day", delta."metric", delta."bin", delta."n");
        end loop;
        return old;
      end $$;`);
    this.addSql(`create trigger "conversations_analytics_deleted" before delete on "conversations" for each row execute function "analytics_conversation_deleted"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "conversations_analytics_deleted" on "conversations";`);
    this.addSql(`drop function if exists "analytics_conversation_deleted"();`);
    this.addSql(`drop table if exists "deleted_records";`);
  }
}
