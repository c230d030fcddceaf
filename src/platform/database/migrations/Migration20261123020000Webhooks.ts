import { Migration } from '@mikro-orm/migrations';

/** Webhook endpoints, their deliveries (one per event and endpoint) and every attempt. */
export class Migration20261123020000Webhooks extends Migration {
  override async up(): Promise<void> {
    const workspaceRef = `"workspace_id" uuid not null references "workspaces" ("id") on delete cascade`;
    this.addSql(`create table "webhook_endpoints" (
      "id" text primary key, ${workspaceRef},
      "url" text not null,
      "description" text null,
      "event_types" text[] null,
      "is_enabled" boolean not null default true,
      "disabled_reason" text null,
      "secret_ciphertext" text not null,
      "previous_secret_ciphertext" text null,
      "previous_secret_expires_at" timestamptz(3) null,
      "enqueued_through_sequence" bigint not null,
      "failing_since" timestamptz(3) null,
      "created_by" text not null,
      "created_at" timestamptz(3) not null default now(),
      "updated_at" timestamptz(3) not null default now(),
      "deleted_at" timestamptz(3) null);`);
    this.addSql(`create index "webhook_endpoints_workspace_index" on "webhook_endpoints" ("workspace_id", "created_at", "id") where "deleted_at" is null;`);

    this.addSql(`create table "webhook_deliveries" (
      "id" text primary key, ${workspaceRef},
      "endpoint_id" text not null references "webhook_endpoints" ("id") on delete cascade,
      "event_id" text not null references "events" ("id") on delete cascade,
      "event_sequence" bigint not null,
      "event_type" text not null,
      "status" text not null check ("status" in ('pending', 'succeeded', 'failed')),
      "attempt_count" int not null default 0,
      "next_attempt_at" timestamptz(3) null,
      "leased_until" timestamptz(3) null,
      "last_status_code" int null,
      "last_error" text null,
      "created_at" timestamptz(3) not null default now(),
      "updated_at" timestamptz(3) not null default now(),
      constraint "webhook_deliveries_endpoint_event_unique" unique ("endpoint_id", "event_id"));`);
    this.addSql(`create index "webhook_deliveries_due_index" on "webhook_deliveries" ("next_attempt_at") where "status" = 'pending';`);
    this.addSql(`create index "webhook_deliveries_endpoint_index" on "webhook_deliveries" ("endpoint_id", "created_at", "id");`);

    this.addSql(`create table "webhook_attempts" (
      "id" text primary key, ${workspaceRef},
      "delivery_id" text not null references "webhook_deliveries" ("id") on delete cascade,
      "attempt_number" int not null,
      "started_at" timestamptz(3) not null,
      "duration_ms" int not null,
      "status_code" int null,
      "response_excerpt" text null,
      "error" text null,
      "created_at" timestamptz(3) not null default now());`);
    this.addSql(`create index "webhook_attempts_delivery_index" on "webhook_attempts" ("delivery_id", "attempt_number");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "webhook_attempts";');
    this.addSql('drop table if exists "webhook_deliveries";');
    this.addSql('drop table if exists "webhook_endpoints";');
  }
}
