import { Migration } from '@mikro-orm/migrations';

/** A policy may stop its targets' clocks while a conversation waits in PENDING (on the customer). */
export class Migration20261207065000SlaPauses extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "sla_policies" add column "pause_while_pending" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "sla_policies" drop column "pause_while_pending";`);
  }
}
