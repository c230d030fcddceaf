import { Migration } from '@mikro-orm/migrations';

/**
 * A version per conversation and customer for optimistic concurrency. The services raise it
 * with each change they make (so payloads and events know the new value); the trigger raises it
 * for any other update of the row, so no change goes uncounted.
 */
export class Migration20261207010000RowVersions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function "raise_row_version"() returns trigger language plpgsql as $$
      begin
        if new.version = old.version then new.version := old.version + 1; end if;
        return new;
      end $$;`);
    for (const table of ['conversations', 'customers']) {
      this.addSql(`alter table "${table}" add column "version" int not null default 1;`);
      // No WHEN (old.* is distinct from new.*): conversations have generated columns, which a BEFORE trigger cannot compare.
      this.addSql(`create trigger "${table}_version" before update on "${table}" for each row execute function "raise_row_version"();`);
    }
  }

  override async down(): Promise<void> {
    for (const table of ['conversations', 'customers']) {
      this.addSql(`drop trigger if exists "${table}_version" on "${table}";`);
      this.addSql(`alter table "${table}" drop column "version";`);
    }
    this.addSql('drop function if exists "raise_row_version"();');
  }
}
