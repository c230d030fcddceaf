import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Client } from 'pg';

/** Every test database's name starts so; the global setup looks at no other database. */
export const testDatabasePrefix = 'gw_test_';

/**
 * This machine in this boot, as 8 hex characters: a pid names a process only on the machine,
 * and in the boot, where it was taken. Containers sharing a kernel share its boot id but not
 * their pids, hence the host name too.
 */
export const thisMachineBoot: string = (() => {
  let boot: string;
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // No /proc (macOS): the boot time, to the minute.
    boot = String(Math.floor((Date.now() / 1000 - os.uptime()) / 60));
  }
  return createHash('sha256').update(`${os.hostname()}\0${boot}`).digest('hex').slice(0, 8);
})();

/** `gw_test_<machine boot>_<pid>_<random>`: whoever finds it later can tell whether its creator still runs. */
export function testDatabaseName(random: string, prefix = testDatabasePrefix): string {
  return `${prefix}${thisMachineBoot}_${process.pid}_${random}`;
}

export interface StaleCleanupOptions {
  /** Only databases named with this prefix are considered. */
  readonly prefix?: string;
  /**
   * A database whose creator cannot be checked (named before pids were, or by another machine)
   * is dropped only when nobody is connected and it is at least this old: no test file runs
   * this long, but one may leave its database unconnected for a moment (the CLI tests do).
   */
  readonly uncheckableMinAgeMs?: number;
}

export interface StaleCleanupResult {
  readonly dropped: string[];
  /** Each database kept, with why. */
  readonly kept: { name: string; reason: string }[];
}

/** Signal 0 checks existence only; EPERM means it exists but belongs to someone else. */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Drops the test databases that runs left behind when a file's teardown did not run. Several
 * runs (people's and CI's) share one server, so a database is dropped only when its creator is
 * known to be gone: created on this machine in this boot by a pid that no longer runs, or,
 * when that cannot be told, old and unconnected. DROP DATABASE without FORCE refuses a database
 * anyone is connected to, so a live run's connections are never cut.
 */
export async function dropStaleTestDatabases(serverUrl: string, options: StaleCleanupOptions = {}): Promise<StaleCleanupResult> {
  const prefix = options.prefix ?? testDatabasePrefix;
  const minAgeMs = options.uncheckableMinAgeMs ?? 3_600_000;
  const namePattern = new RegExp(`^${prefix}([0-9a-f]{8})_(\\d+)_[0-9a-f]+$`);
  const result: StaleCleanupResult = { dropped: [], kept: [] };
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const candidates = (
      await admin.query<{ name: string; oid: number; connections: string }>(
        `select d.datname as name, d.oid, (select count(*) from pg_stat_activity a where a.datname = d.datname) as connections
         from pg_database d where left(d.datname, length($1)) = $1 order by d.datname`,
        [prefix],
      )
    ).rows;
    for (const { name, oid, connections } of candidates) {
      const reasonToKeep = Number(connections) > 0 ? `${connections} connection(s)` : await whyKept(admin, name, oid, namePattern.exec(name), minAgeMs);
      // DROP also refuses a database someone connected to since the count: PostgreSQL waits 5 s for them first, hence the count.
      const failure = reasonToKeep ?? (await dropUnlessInUse(admin, name));
      if (failure) result.kept.push({ name, reason: failure });
      else result.dropped.push(name);
    }
  } finally {
    await admin.end();
  }
  return result;
}

/** Why an unconnected database must stay, or undefined when its run is known to be gone. */
async function whyKept(admin: Client, name: string, oid: number, creator: RegExpExecArray | null, minAgeMs: number): Promise<string | undefined> {
  if (creator && creator[1] === thisMachineBoot) return isProcessAlive(Number(creator[2])) ? `its creator, pid ${creator[2]}, still runs` : undefined;
  let createdAt: Date;
  try {
    // PG_VERSION is written when the database is created; reading it needs a superuser or pg_read_server_files.
    createdAt = (await admin.query(`select (pg_stat_file('base/' || $1::text || '/PG_VERSION')).modification as created_at`, [oid])).rows[0].created_at;
  } catch {
    return 'its age cannot be read';
  }
  const ageMs = Date.now() - createdAt.getTime();
  return ageMs < minAgeMs ? `created ${Math.round(ageMs / 1000)} s ago` : undefined;
}

/** The reason it was not dropped, or undefined once it is gone. */
async function dropUnlessInUse(admin: Client, name: string): Promise<string | undefined> {
  try {
    await admin.query(`drop database if exists ${admin.escapeIdentifier(name)}`);
    return undefined;
  } catch (error) {
    // 55006 object_in_use: someone connected meanwhile.
    if ((error as { code?: string }).code === '55006') return 'someone connected to it';
    throw error;
  }
}
