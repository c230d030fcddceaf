import { Migration } from '@mikro-orm/migrations';

/**
 * Every status change of every conversation, kept by a trigger so that no write path (the API,
 * batch updates, seeds, a hand-run UPDATE) can skip it. Analytics count resolutions, reopenings,
 * escalations and the open backlog at any instant from this history, not from the current row.
 */
export class Migration20261201000000ConversationStatusHistory extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "conversation_status_changes" (
      "id" bigint generated always as identity primary key,
      "workspace_id" uuid not null references "workspaces" ("id") on delete cascade,
      "conversation_id" text not null references "conversations" ("id") on delete cascade,
      "from_status" text null,
      "to_status" text not null,
      "changed_at" timestamptz(3) not null);`);
    this.addSql(`create index "conversation_status_changes_workspace_index" on "conversation_status_changes" ("workspace_id", "changed_at");`);
    this.addSql(`create index "conversation_status_changes_conversation_index" on "conversation_status_changes" ("conversation_id", "changed_at");`);

    // A change takes the time the application stamped on it: resolved_at for a resolution, last_activity_at otherwise.
    const changedAt = (row: string) => `coalesce(case when ${row}."status" = 'resolved' then ${row}."resolved_at" end, ${row}."last_activity_at")`;
    this.addSql(`create function "record_conversation_status_change"() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          -- Every conversation starts open; one inserted in another status (imports, seeds) moved there at its last activity.
          insert into "conversation_status_changes" ("workspace_id", "conversation_id", "from_status", "to_status", "changed_at")
            values (new."workspace_id", new."id", null, 'open', new."created_at");
          if new."status" <> 'open' then
            insert into "conversation_status_changes" ("workspace_id", "conversation_id", "from_status", "to_status", "changed_at")
              values (new."workspace_id", new."id", 'open', new."status", ${changedAt('new')});
          end if;
        elsif new."status" is distinct from old."status" then
          insert into "conversation_status_changes" ("workspace_id", "conversation_id", "from_status", "to_status", "changed_at")
            values (new."workspace_id", new."id", old."status", new."status", ${changedAt('new')});
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger "conversations_status_history" after insert or update of "status" on "conversations"
      for each row execute function "record_conversation_status_change"();`);

    this.addSql(`insert into "conversation_status_changes" ("workspace_id", "conversation_id", "from_status", "to_status", "changed_at")
      select "workspace_id", "id", null, 'open', "created_at" from "conversations"
      union all
      select "workspace_id", "id", 'open', "status", ${changedAt('"conversations"')} from "conversations" where "status" <> 'open';`);

    // Analytics read activity by time across a workspace.
    this.addSql(`create index "messages_workspace_created_index" on "messages" ("workspace_id", "created_at");`);
    this.addSql(`create index "conversations_workspace_first_response_index" on "conversations" ("workspace_id", "first_response_at") where "first_response_at" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "conversations_workspace_first_response_index";`);
    this.addSql(`drop index "messages_workspace_created_index";`);
    this.addSql(`drop trigger "conversations_status_history" on "conversations";`);
    this.addSql(`drop function "record_conversation_status_change"();`);
    this.addSql(`drop table "conversation_status_changes";`);
  }
}
