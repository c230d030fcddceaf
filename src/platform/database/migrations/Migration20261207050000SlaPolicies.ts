import { Migration } from '@mikro-orm/migrations';

/** Business-hours calendars, SLA policies, and the warnings and breaches already announced (once each per due time). */
export class Migration20261207050000SlaPolicies extends Migration {
  override async up(): Promise<void> {
    const workspaceRef = `"workspace_id" uuid not null references "workspaces" ("id") on delete cascade`;
    this.addSql(`create table "business_calendars" ("id" text primary key, ${workspaceRef}, "name" text not null, "time_zone" text not null,
      "weekly_hours" jsonb not null, "holidays" jsonb not null default '[]', "created_at" timestamptz(3) not null default now());`);
    this.addSql(`create table "sla_policies" ("id" text primary key, ${workspaceRef}, "name" text not null, "position" int not null,
      "conditions" jsonb not null default '{}', "targets" jsonb not null, "calendar_id" text null references "business_calendars" ("id") on delete restrict,
      "warn_before_minutes" int not null default 15, "created_at" timestamptz(3) not null default now(), "updated_at" timestamptz(3) not null default now());`);
    this.addSql(`create index "sla_policies_workspace_index" on "sla_policies" ("workspace_id", "position");`);
    this.addSql(`create table "sla_notifications" (${workspaceRef}, "conversation_id" text not null references "conversations" ("id") on delete cascade,
      "target" text not null, "stage" text not null, "due_at" timestamptz(3) not null, "notified_at" timestamptz(3) not null default now(),
      primary key ("conversation_id", "target", "stage", "due_at"));`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "sla_notifications";');
    this.addSql('drop table if exists "sla_policies";');
    this.addSql('drop table if exists "business_calendars";');
  }
}
