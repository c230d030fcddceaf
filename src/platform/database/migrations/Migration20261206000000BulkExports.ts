import { Migration } from '@mikro-orm/migrations';

/**
 * Export jobs (docs/bulk-exports.md) and their files. A file is stored as numbered parts, each a
 * complete gzip member when compressed, so a resumed export appends parts after its last
 * checkpoint and the concatenation is still one valid file.
 */
export class Migration20261206000000BulkExports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "bulk_exports" (
      "id" text not null primary key,
      "workspace_id" uuid not null references "workspaces" ("id") on delete cascade,
      "api_key_id" text not null,
      "query" text not null,
      "format" text not null check ("format" in ('JSONL', 'CSV')),
      "compression" text not null check ("compression" in ('GZIP', 'NONE')),
      "required_scopes" text[] not null,
      "status" text not null default 'CREATED' check ("status" in ('CREATED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED')),
      "object_count" bigint not null default 0,
      "file_size" bigint not null default 0,
      "part_count" integer not null default 0,
      "resume_cursor" text null,
      "attempts" integer not null default 0,
      "run_token" text null,
      "heartbeat_at" timestamptz(3) null,
      "error_code" text null,
      "error_message" text null,
      "created_at" timestamptz(3) not null default now(),
      "started_at" timestamptz(3) null,
      "completed_at" timestamptz(3) null,
      "file_expires_at" timestamptz(3) null,
      "file_deleted_at" timestamptz(3) null);`);
    this.addSql(`create index "bulk_exports_workspace_created_idx" on "bulk_exports" ("workspace_id", "created_at", "id");`);
    // One export at a time per key: the second create fails on this index even when both race.
    this.addSql(`create unique index "bulk_exports_one_running_per_key" on "bulk_exports" ("api_key_id") where "status" in ('CREATED', 'RUNNING');`);
    this.addSql(`create index "bulk_exports_running_heartbeat_idx" on "bulk_exports" ("heartbeat_at") where "status" = 'RUNNING';`);
    this.addSql(`create table "bulk_export_parts" (
      "export_id" text not null references "bulk_exports" ("id") on delete cascade,
      "part_number" integer not null,
      "byte_offset" bigint not null,
      "data" bytea not null,
      primary key ("export_id", "part_number"));`);
    // Parts are already compressed or short-lived: TOAST compression would only cost CPU.
    this.addSql(`alter table "bulk_export_parts" alter column "data" set storage external;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "bulk_export_parts";`);
    this.addSql(`drop table if exists "bulk_exports";`);
  }
}
