import { Migration } from '@mikro-orm/migrations';

/** When each key was last reported spiking: one `api_key.usage_spike` an hour at most. */
export class Migration20261207040000UsageSpikes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "api_key_usage_alerts" (
      "api_key_id" text primary key,
      "workspace_id" uuid not null references "workspaces" ("id") on delete cascade,
      "alerted_at" timestamptz(3) not null);`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "api_key_usage_alerts";');
  }
}
