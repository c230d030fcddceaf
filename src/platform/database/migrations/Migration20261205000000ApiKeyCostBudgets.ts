import { Migration } from '@mikro-orm/migrations';

/** A key's own cost budget (docs/cost.md); null columns mean the server default, DEFAULT_COST_BUDGET. */
export class Migration20261205000000ApiKeyCostBudgets extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "api_keys" add column "cost_budget_maximum" integer null, add column "cost_budget_restore_rate" integer null;`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_cost_budget_check" check (("cost_budget_maximum" is null) = ("cost_budget_restore_rate" is null));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "api_keys" drop column "cost_budget_maximum", drop column "cost_budget_restore_rate";`);
  }
}
