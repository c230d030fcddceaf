import { Migration } from '@mikro-orm/migrations';

/** The dispatcher claims each endpoint's due deliveries separately (delivery-claims.ts): this index answers each endpoint's part. */
export class Migration20261201050000WebhookDeliveriesDuePerEndpoint extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "webhook_deliveries_endpoint_due_index" on "webhook_deliveries" ("endpoint_id", "next_attempt_at", "event_sequence") where "status" = 'pending';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "webhook_deliveries_endpoint_due_index";`);
  }
}
