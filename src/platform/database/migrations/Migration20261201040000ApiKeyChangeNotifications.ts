import { Migration } from '@mikro-orm/migrations';

/**
 * Tells every gateway instance which API key changed, so they may cache keys between requests
 * (ApiKeyCredentials). A change to last_used_at alone is not announced: it is written in the
 * background once a minute per key and decides nothing. A NOTIFY is sent at commit, and key
 * changes are rare, so this costs the write path nothing that matters.
 */
export class Migration20261201040000ApiKeyChangeNotifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function api_keys_announce_change() returns trigger language plpgsql as $$
      begin
        if tg_op = 'TRUNCATE' then
          perform pg_notify('gateway_api_keys', '*');
        elsif tg_op = 'DELETE' then
          perform pg_notify('gateway_api_keys', old.id);
        elsif (to_jsonb(old) - 'last_used_at') is distinct from (to_jsonb(new) - 'last_used_at') then
          perform pg_notify('gateway_api_keys', new.id);
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger api_keys_announce_change after update or delete on api_keys for each row execute function api_keys_announce_change();`);
    this.addSql(`create trigger api_keys_announce_truncate after truncate on api_keys for each statement execute function api_keys_announce_change();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger api_keys_announce_truncate on api_keys;`);
    this.addSql(`drop trigger api_keys_announce_change on api_keys;`);
    this.addSql(`drop function api_keys_announce_change();`);
  }
}
