import { Migration } from '@mikro-orm/migrations';

/**
 * Versions on the other records integrators update (keys, webhook endpoints, agents, teams, SLA
 * policies), as on conversations and customers. The trigger raises the version only when a
 * setting changes, so bookkeeping the gateway writes itself (a key's last use, an endpoint's
 * delivery progress) never makes an integrator's version stale.
 */
const settingsOf: Record<string, readonly string[]> = {
  api_keys: ['name', 'scopes', 'secret_hash', 'allowed_cidrs', 'rate_limit_requests', 'rate_limit_window_seconds', 'expires_at', 'revoked_at', 'cost_budget_maximum', 'cost_budget_restore_rate'],
  webhook_endpoints: [
    'url', 'description', 'event_types', 'is_enabled', 'secret_ciphertext', 'deleted_at', 'payload_query', 'filter', 'headers_ciphertext', 'http_method',
    'rate_limit_per_second', 'retry_schedule_ms',
  ],
  agents: ['team_id', 'name', 'email', 'deactivated_at', 'external_id'],
  teams: ['name', 'external_id'],
  sla_policies: ['name', 'position', 'conditions', 'targets', 'calendar_id', 'warn_before_minutes', 'pause_while_pending'],
};

export class Migration20261207070000SettingsVersions extends Migration {
  override async up(): Promise<void> {
    for (const [table, columns] of Object.entries(settingsOf)) {
      const row = (side: string) => `(${columns.map((column) => `${side}."${column}"`).join(', ')})`;
      this.addSql(`alter table "${table}" add column "version" int not null default 1;`);
      this.addSql(`create trigger "${table}_version" before update on "${table}" for each row
        when (${row('old')} is distinct from ${row('new')}) execute function "raise_row_version"();`);
    }
  }

  override async down(): Promise<void> {
    for (const table of Object.keys(settingsOf)) {
      this.addSql(`drop trigger if exists "${table}_version" on "${table}";`);
      this.addSql(`alter table "${table}" drop column "version";`);
    }
  }
}
