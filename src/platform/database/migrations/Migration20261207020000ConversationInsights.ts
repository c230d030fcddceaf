import { Migration } from '@mikro-orm/migrations';

/**
 * When a conversation was first assigned, kept by a trigger on every write path as the status
 * history is. Conversations assigned before this migration keep null: the moment is unknown.
 */
export class Migration20261207020000ConversationInsights extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "conversations" add column "first_assigned_at" timestamptz(3) null;`);
    this.addSql(`create function "record_first_assignment"() returns trigger language plpgsql as $$
      begin
        if new."assignee_id" is not null and new."first_assigned_at" is null then
          new."first_assigned_at" := case when tg_op = 'INSERT' then new."created_at" else now() end;
        end if;
        return new;
      end $$;`);
    this.addSql(`create trigger "conversations_first_assignment" before insert or update of "assignee_id" on "conversations"
      for each row execute function "record_first_assignment"();`);
    this.addSql(`create index "satisfaction_feedback_conversation_created_index" on "satisfaction_feedback" ("conversation_id", "created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "satisfaction_feedback_conversation_created_index";');
    this.addSql('drop trigger if exists "conversations_first_assignment" on "conversations";');
    this.addSql('drop function if exists "record_first_assignment"();');
    this.addSql('alter table "conversations" drop column "first_assigned_at";');
  }
}
