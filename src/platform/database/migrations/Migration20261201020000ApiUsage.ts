import { Migration } from '@mikro-orm/migrations';

/**
 * The gateway's own request figures, per workspace, API key, minute, operation and outcome:
 * request and cost counts, summed latency and a latency histogram (latency-buckets.ts), written in
 * batches by the usage recorder, never by the request itself.
 */
export class Migration20261201020000ApiUsage extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "api_usage_minutes" (
      "workspace_id" uuid not null references "workspaces" ("id") on delete cascade,
      "api_key_id" text not null,
      "minute" timestamptz not null,
      "operation" text not null,
      "outcome" text not null,
      "requests" int not null,
      "cost" int not null,
      "duration_ms_sum" float8 not null,
      "latency_buckets" int[] not null,
      primary key ("workspace_id", "minute", "api_key_id", "operation", "outcome"));`);
    this.addSql(`create index "api_usage_minutes_key_index" on "api_usage_minutes" ("api_key_id", "minute");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table "api_usage_minutes";`);
  }
}
