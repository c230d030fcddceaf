import { Migration } from '@mikro-orm/migrations';

/** Customers, agents and teams, conversations and messages, notes, feedback, the event log and idempotency records. */
export class Migration20261123010000SupportData extends Migration {
  override async up(): Promise<void> {
    const workspaceRef = `"workspace_id" uuid not null references "workspaces" ("id") on delete cascade`;
    const timestamp = (name: string, nullable = false) => `"${name}" timestamptz(3) ${nullable ? 'null' : 'not null default now()'}`;

    this.addSql(`alter table "workspaces" add column "event_sequence" bigint not null default 0;`);

    this.addSql(`create table "teams" ("id" text primary key, ${workspaceRef}, "name" text not null, ${timestamp('created_at')});`);
    this.addSql(`create index "teams_workspace_index" on "teams" ("workspace_id", "name");`);
    this.addSql(`create table "agents" (
      "id" text primary key, ${workspaceRef},
      "team_id" text null references "teams" ("id") on delete set null,
      "name" text not null, "email" text not null, ${timestamp('created_at')});`);
    this.addSql(`create index "agents_workspace_index" on "agents" ("workspace_id", "name");`);

    this.addSql(`create table "customers" (
      "id" text primary key, ${workspaceRef},
      "name" text null, "email" text null, "phone" text null, "locale" text null,
      "tags" text[] not null default '{}',
      "custom_attributes" jsonb not null default '{}',
      "external_ids" jsonb not null default '{}',
      ${timestamp('created_at')}, ${timestamp('updated_at')},
      "search" tsvector generated always as (to_tsvector('simple', coalesce("name", '') || ' ' || coalesce("email", ''))) stored);`);
    this.addSql(`create unique index "customers_workspace_email_unique" on "customers" ("workspace_id", lower("email")) where "email" is not null;`);
    this.addSql(`create index "customers_workspace_created_index" on "customers" ("workspace_id", "created_at", "id");`);
    this.addSql(`create index "customers_workspace_updated_index" on "customers" ("workspace_id", "updated_at", "id");`);
    this.addSql(`create index "customers_tags_index" on "customers" using gin ("tags");`);
    this.addSql(`create index "customers_search_index" on "customers" using gin ("search");`);
    this.addSql(`create table "customer_external_ids" (
      ${workspaceRef}, "system" text not null, "external_id" text not null,
      "customer_id" text not null references "customers" ("id") on delete cascade,
      primary key ("workspace_id", "system", "external_id"));`);
    this.addSql(`create index "customer_external_ids_customer_index" on "customer_external_ids" ("customer_id");`);

    this.addSql(`create table "conversations" (
      "id" text primary key, ${workspaceRef},
      "customer_id" text null references "customers" ("id") on delete set null,
      "subject" text not null,
      "status" text not null check ("status" in ('open', 'pending', 'escalated', 'resolved')),
      "priority" text not null check ("priority" in ('low', 'normal', 'high', 'urgent')),
      "channel" text not null,
      "inbox" text null,
      "assignee_id" text null references "agents" ("id") on delete set null,
      "team_id" text null references "teams" ("id") on delete set null,
      "tags" text[] not null default '{}',
      "metadata" jsonb not null default '{}',
      "external_refs" jsonb not null default '[]',
      "escalation_reason" text null,
      ${timestamp('created_at')}, ${timestamp('updated_at')}, ${timestamp('last_activity_at')},
      ${timestamp('first_response_at', true)}, ${timestamp('resolved_at', true)},
      "search" tsvector generated always as (to_tsvector('simple', "subject")) stored);`);
    for (const column of ['created_at', 'updated_at', 'last_activity_at']) {
      this.addSql(`create index "conversations_workspace_${column}_index" on "conversations" ("workspace_id", "${column}", "id");`);
    }
    for (const column of ['status', 'priority', 'channel', 'assignee_id', 'team_id', 'customer_id', 'inbox']) {
      this.addSql(`create index "conversations_workspace_${column}_index" on "conversations" ("workspace_id", "${column}", "created_at");`);
    }
    this.addSql(`create index "conversations_tags_index" on "conversations" using gin ("tags");`);
    this.addSql(`create index "conversations_search_index" on "conversations" using gin ("search");`);
    this.addSql(`create table "conversation_external_refs" (
      ${workspaceRef}, "system" text not null, "external_id" text not null,
      "conversation_id" text not null references "conversations" ("id") on delete cascade,
      primary key ("workspace_id", "system", "external_id"));`);
    this.addSql(`create index "conversation_external_refs_conversation_index" on "conversation_external_refs" ("conversation_id");`);

    this.addSql(`create table "messages" (
      "id" text primary key, ${workspaceRef},
      "conversation_id" text not null references "conversations" ("id") on delete cascade,
      "author_type" text not null check ("author_type" in ('customer', 'agent', 'bot', 'system')),
      "author_agent_id" text null references "agents" ("id") on delete set null,
      "body" text not null,
      "attachments" jsonb not null default '[]',
      ${timestamp('created_at')},
      "search" tsvector generated always as (to_tsvector('simple', "body")) stored);`);
    this.addSql(`create index "messages_conversation_index" on "messages" ("conversation_id", "created_at", "id");`);
    this.addSql(`create index "messages_search_index" on "messages" using gin ("search");`);

    for (const [table, parent] of [['conversation_notes', 'conversations'], ['customer_notes', 'customers']]) {
      const parentColumn = `${parent.slice(0, -1)}_id`;
      this.addSql(`create table "${table}" (
        "id" text primary key, ${workspaceRef},
        "${parentColumn}" text not null references "${parent}" ("id") on delete cascade,
        "author" text not null, "body" text not null, ${timestamp('created_at')});`);
      this.addSql(`create index "${table}_parent_index" on "${table}" ("${parentColumn}", "created_at", "id");`);
    }

    this.addSql(`create table "satisfaction_feedback" (
      "id" text primary key, ${workspaceRef},
      "conversation_id" text null references "conversations" ("id") on delete cascade,
      "customer_id" text null references "customers" ("id") on delete cascade,
      "rating" int null check ("rating" between 1 and 5),
      "nps_score" int null check ("nps_score" between 0 and 10),
      "comment" text null, ${timestamp('created_at')});`);
    this.addSql(`create index "satisfaction_feedback_workspace_index" on "satisfaction_feedback" ("workspace_id", "created_at");`);
    this.addSql(`create index "satisfaction_feedback_conversation_index" on "satisfaction_feedback" ("conversation_id");`);

    this.addSql(`create table "events" (
      "id" text primary key, ${workspaceRef},
      "sequence" bigint not null, "type" text not null,
      ${timestamp('occurred_at')}, "data" jsonb not null,
      constraint "events_workspace_sequence_unique" unique ("workspace_id", "sequence"));`);
    this.addSql(`create index "events_workspace_type_index" on "events" ("workspace_id", "type", "sequence");`);
    this.addSql(`create index "events_occurred_index" on "events" ("occurred_at");`);

    this.addSql(`create table "idempotency_records" (
      "api_key_id" text not null, "operation" text not null, "idempotency_key" text not null,
      ${workspaceRef},
      "request_hash" text not null, "response" jsonb not null,
      ${timestamp('created_at')}, "expires_at" timestamptz(3) not null,
      primary key ("api_key_id", "operation", "idempotency_key"));`);
    this.addSql(`create index "idempotency_records_expires_index" on "idempotency_records" ("expires_at");`);
  }

  override async down(): Promise<void> {
    for (const table of [
      'idempotency_records', 'events', 'satisfaction_feedback', 'customer_notes', 'conversation_notes', 'messages',
      'conversation_external_refs', 'conversations', 'customer_external_ids', 'customers', 'agents', 'teams',
    ]) {
      this.addSql(`drop table if exists "${table}";`);
    }
    this.addSql(`alter table "workspaces" drop column "event_sequence";`);
  }
}
