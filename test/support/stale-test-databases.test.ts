import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { dropStaleTestDatabases, testDatabaseName, testDatabasePrefix, thisMachineBoot } from './stale-test-databases';

/** A pid that ran on this machine and no longer does. */
async function pidOfAnEndedProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

describe('STALE: the global setup drops test databases whose run is gone, and only those', () => {
  // A prefix of our own: the cleanup under test never looks at another run's databases.
  const prefix = `gw_stale_${randomBytes(3).toString('hex')}_`;
  const otherMachine = thisMachineBoot.replace(/^./, (first) => (first === '0' ? '1' : '0'));
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  const connected: Client[] = [];
  const names = { deadCreator: '', deadCreatorButConnected: '', liveCreator: '', otherMachine: '', legacy: '', legacyConnected: '' };

  beforeAll(async () => {
    await admin.connect();
    const deadPid = await pidOfAnEndedProcess();
    Object.assign(names, {
      deadCreator: `${prefix}${thisMachineBoot}_${deadPid}_0a`,
      deadCreatorButConnected: `${prefix}${thisMachineBoot}_${deadPid}_0b`,
      liveCreator: testDatabaseName('0c', prefix),
      otherMachine: `${prefix}${otherMachine}_${process.pid}_0d`,
      legacy: `${prefix}0123456789ab`,
      legacyConnected: `${prefix}0123456789cd`,
    });
    for (const name of Object.values(names)) await admin.query(`create database ${name}`);
    for (const name of [names.deadCreatorButConnected, names.legacyConnected]) {
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${name}`;
      const client = new Client({ connectionString: url.toString() });
      await client.connect();
      connected.push(client);
    }
  });
  afterAll(async () => {
    await Promise.all(connected.map((client) => client.end()));
    for (const name of Object.values(names)) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  const existing = async () =>
    (await admin.query(`select datname from pg_database where left(datname, length($1)) = $1 order by datname`, [prefix])).rows.map((row) => row.datname as string);

  it('STALE-01 names a test database after this machine’s boot and this process, under the prefix the clean-up scans', () => {
    expect(testDatabaseName('abc')).toBe(`${testDatabasePrefix}${thisMachineBoot}_${process.pid}_abc`);
    expect(testDatabaseName('abc')).toMatch(/^gw_test_[0-9a-f]{8}_\d+_abc$/);
  });

  it('STALE-02 drops a database whose creator on this machine has ended, never one whose creator runs or one anyone is connected to', async () => {
    const { dropped, kept } = await dropStaleTestDatabases(process.env.DATABASE_URL!, { prefix });
    expect(dropped).toEqual([names.deadCreator]);
    expect(Object.fromEntries(kept.map(({ name, reason }) => [name, reason]))).toEqual({
      [names.deadCreatorButConnected]: '1 connection(s)',
      [names.liveCreator]: `its creator, pid ${process.pid}, still runs`,
      [names.otherMachine]: expect.stringMatching(/^created \d+ s ago$/),
      [names.legacy]: expect.stringMatching(/^created \d+ s ago$/),
      [names.legacyConnected]: '1 connection(s)',
    });
    expect(await existing()).not.toContain(names.deadCreator);
  });

  it('STALE-03 drops a database whose creator cannot be checked once it is old enough and unconnected', async () => {
    const { dropped } = await dropStaleTestDatabases(process.env.DATABASE_URL!, { prefix, uncheckableMinAgeMs: 0 });
    expect(dropped.sort()).toEqual([names.legacy, names.otherMachine].sort());
    expect(await existing()).toEqual([names.deadCreatorButConnected, names.legacyConnected, names.liveCreator].sort());
  });
});
