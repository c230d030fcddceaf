import { Client } from 'pg';
import { pollUntil } from './poll-until';

export interface TableLock {
  /** Waits until `count` other sessions of the database wait on a lock, e.g. the gateway's statements on this table. */
  waitUntilBlocked(count: number): Promise<void>;
  /** Commits, letting the blocked statements run. */
  release(): Promise<void>;
}

/**
 * Holds a table lock from a session of its own, to make the gateway's statements on that table
 * wait for as long as a test needs: `share` blocks writes and lets reads through, `access
 * exclusive` blocks reads too. Deterministic where a slow statement would depend on timing.
 */
export async function lockTable(databaseUrl: string, table: string, mode: 'share' | 'access exclusive'): Promise<TableLock> {
  const session = new Client({ connectionString: databaseUrl });
  await session.connect();
  await session.query('begin');
  await session.query(`lock table ${table} in ${mode} mode`);
  let isReleased = false;
  return {
    async waitUntilBlocked(count) {
      await pollUntil(
        async () => {
          const { rows } = await session.query(
            `select count(*)::int as blocked from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`,
          );
          return rows[0].blocked === count;
        },
        { timeoutMs: 10_000, intervalMs: 20, description: `${count} sessions waiting on a lock` },
      );
    },
    async release() {
      if (isReleased) return;
      isReleased = true;
      await session.query('commit');
      await session.end();
    },
  };
}
