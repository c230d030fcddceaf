import { Migration } from '@mikro-orm/migrations';

/** Agents can be deactivated (never deleted: analytics keeps their history); agents and teams keep an identity provider's externalId. */
export class Migration20261207030000AgentDirectory extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "agents" add column "deactivated_at" timestamptz(3) null, add column "updated_at" timestamptz(3) not null default now(), add column "external_id" text null;`);
    this.addSql(`alter table "teams" add column "updated_at" timestamptz(3) not null default now(), add column "external_id" text null;`);
    this.addSql(`create index "agents_workspace_email_index" on "agents" ("workspace_id", lower("email"));`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "agents_workspace_email_index";');
    this.addSql('alter table "teams" drop column "updated_at", drop column "external_id";');
    this.addSql('alter table "agents" drop column "deactivated_at", drop column "updated_at", drop column "external_id";');
  }
}
