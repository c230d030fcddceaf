import { Migration } from '@mikro-orm/migrations';

/**
 * Webhooks integrators can shape and recover: per-endpoint payload selection, filter, headers,
 * method, rate limit and retry schedule; rendered payloads kept per delivery; attempts carry
 * their endpoint and outcome for statistics; recoveries run as jobs. `new_public_id` gives rows
 * inserted by SQL the same id format as `newId` in TypeScript.
 */
export class Migration20261207000000ShapedWebhooks extends Migration {
  override async up(): Promise<void> {
    // Bytes 6 and 8 of a v4 UUID carry fixed version and variant bits; bytes from 252 up would bias the modulo.
    this.addSql(`create or replace function "new_public_id"(prefix text) returns text language plpgsql volatile as $$
      declare
        alphabet constant text := 'abcdefghijklmnopqrstuvwxyz0123456789';
        result text := '';
        bytes bytea;
        value int;
      begin
        while length(result) < 20 loop
          bytes := uuid_send(gen_random_uuid());
          for position in 0..15 loop
            continue when position in (6, 8);
            value := get_byte(bytes, position);
            if value < 252 and length(result) < 20 then result := result || substr(alphabet, value % 36 + 1, 1); end if;
          end loop;
        end loop;
        return prefix || '_' || result;
      end $$;`);

    this.addSql(`alter table "webhook_endpoints"
      add column "payload_query" text null,
      add column "payload_scopes" text[] null,
      add column "filter" jsonb null,
      add column "headers_ciphertext" text null,
      add column "header_previews" jsonb null,
      add column "http_method" text not null default 'POST' check ("http_method" in ('POST', 'PUT')),
      add column "rate_limit_per_second" int null,
      add column "retry_schedule_ms" int[] null,
      add column "failing_notified_at" timestamptz(3) null;`);

    this.addSql(`alter table "webhook_deliveries"
      add column "payload" text null,
      add column "claimed_at" timestamptz(3) null;`);
    this.addSql(`create index "webhook_deliveries_endpoint_claimed_index" on "webhook_deliveries" ("endpoint_id", "claimed_at") where "claimed_at" is not null;`);
    this.addSql(`create index "webhook_deliveries_endpoint_failed_index" on "webhook_deliveries" ("endpoint_id", "created_at") where "status" = 'failed';`);

    this.addSql(`alter table "webhook_attempts" add column "endpoint_id" text null, add column "outcome" text null;`);
    this.addSql(`update "webhook_attempts" a set "endpoint_id" = d."endpoint_id",
      "outcome" = case
        when a."status_code" between 200 and 299 then 'succeeded'
        when a."status_code" between 300 and 399 then 'redirect'
        when a."status_code" between 400 and 499 then 'client_error'
        when a."status_code" >= 500 then 'server_error'
        when a."error" like 'timeout:%' then 'timeout'
        when a."error" like 'refused_address:%' then 'refused_address'
        else 'connection_error' end
      from "webhook_deliveries" d where d."id" = a."delivery_id";`);
    this.addSql(`alter table "webhook_attempts" alter column "endpoint_id" set not null, alter column "outcome" set not null;`);
    this.addSql(`create index "webhook_attempts_endpoint_index" on "webhook_attempts" ("endpoint_id", "started_at");`);

    this.addSql(`create table "webhook_recoveries" (
      "id" text primary key,
      "workspace_id" uuid not null references "workspaces" ("id") on delete cascade,
      "endpoint_id" text not null references "webhook_endpoints" ("id") on delete cascade,
      "since" timestamptz(3) not null,
      "until" timestamptz(3) null,
      "status" text not null check ("status" in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED')),
      "total_count" int null,
      "requeued_count" int not null default 0,
      "error_message" text null,
      "created_by" text not null,
      "created_at" timestamptz(3) not null default now(),
      "completed_at" timestamptz(3) null);`);
    this.addSql(`create index "webhook_recoveries_endpoint_index" on "webhook_recoveries" ("endpoint_id", "created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "webhook_recoveries";');
    this.addSql('drop index if exists "webhook_attempts_endpoint_index";');
    this.addSql('alter table "webhook_attempts" drop column "endpoint_id", drop column "outcome";');
    this.addSql('drop index if exists "webhook_deliveries_endpoint_claimed_index";');
    this.addSql('drop index if exists "webhook_deliveries_endpoint_failed_index";');
    this.addSql('alter table "webhook_deliveries" drop column "payload", drop column "claimed_at";');
    this.addSql(`alter table "webhook_endpoints" drop column "payload_query", drop column "payload_scopes", drop column "filter", drop column "headers_ciphertext", drop column "header_previews",
      drop column "http_method", drop column "rate_limit_per_second", drop column "retry_schedule_ms", drop column "failing_notified_at";`);
    this.addSql('drop function if exists "new_public_id"(text);');
  }
}
