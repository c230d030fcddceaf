import { Migration } from '@mikro-orm/migrations';

/** Workspaces, API keys and the audit log. */
export class Migration20261123000000Foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "workspaces" (
      "id" uuid not null primary key,
      "slug" text not null constraint "workspaces_slug_unique" unique,
      "name" text not null,
      "created_at" timestamptz(3) not null default now());`);

    this.addSql(`create table "api_keys" (
      "id" text not null primary key,
      "workspace_id" uuid not null references "workspaces" ("id") on update cascade on delete cascade,
      "name" text not null,
      "scopes" text[] not null,
      "secret_hash" text not null,
      "previous_secret_hash" text null,
      "previous_secret_expires_at" timestamptz(3) null,
      "allowed_cidrs" text[] not null default '{}',
      "rate_limit_requests" int not null check ("rate_limit_requests" > 0),
      "rate_limit_window_seconds" int not null check ("rate_limit_window_seconds" > 0),
      "expires_at" timestamptz(3) null,
      "revoked_at" timestamptz(3) null,
      "created_at" timestamptz(3) not null default now(),
      "last_used_at" timestamptz(3) null,
      "created_by" text not null);`);
    this.addSql(`create index "api_keys_workspace_id_created_at_id_index" on "api_keys" ("workspace_id", "created_at", "id");`);

    this.addSql(`create table "audit_entries" (
      "id" uuid not null primary key,
      "workspace_id" uuid not null references "workspaces" ("id") on update cascade on delete cascade,
      "action" text not null,
      "actor" text not null,
      "actor_ip" text null,
      "request_id" text null,
      "target_type" text not null,
      "target_id" text not null,
      "changes" jsonb not null default '{}',
      "created_at" timestamptz(3) not null default now());`);
    this.addSql(`create index "audit_entries_workspace_id_created_at_id_index" on "audit_entries" ("workspace_id", "created_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "audit_entries";`);
    this.addSql(`drop table if exists "api_keys";`);
    this.addSql(`drop table if exists "workspaces";`);
  }
}
