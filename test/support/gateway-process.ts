import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';

const mainScript = path.resolve(__dirname, '../../dist/main.js');
const repositoryRoot = path.resolve(__dirname, '../..');

/**
 * Variables a test must set explicitly for a child gateway; inherited values would leak the test run's own setup.
 * NODE_ENV among them: jest sets it to "test", which changes library defaults (Apollo's signal handlers), so a
 * child would not run as `npm start` does.
 */
const gatewayVariables = ['NODE_ENV', 'DATABASE_URL', 'DATA_DIR', 'PORT', 'HOST', 'API_KEY_PEPPER', 'REDIS_URL', 'LOG_LEVEL', 'DATABASE_CONNECT_TIMEOUT'];

/**
 * The environment for a `node dist/main.js` child, as an operator's shell would give it: this process's
 * environment without any gateway variable (jest's global setup sets DATABASE_URL), plus `variables`.
 */
export function buildChildEnvironment(variables: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !gatewayVariables.includes(name)));
  return { ...inherited, ...variables };
}

export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one `gateway` CLI command from dist/ to completion. `env` is the complete environment (see buildChildEnvironment). */
export async function runGatewayCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const child = spawn(process.execPath, [mainScript, ...args], { cwd: repositoryRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(child);
  const [exitCode, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { exitCode, signal, ...output() };
}

export interface GatewayProcess {
  readonly child: ChildProcess;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the first match of `pattern` on stdout; rejects if the process exits first. */
  waitForStdout(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited, with its code and signal. */
  readonly exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node dist/main.js serve` as a child process; the caller stops it (SIGTERM) and awaits `exited`. */
export function spawnGatewayServer(env: NodeJS.ProcessEnv): GatewayProcess {
  const child = spawn(process.execPath, [mainScript, 'serve'], { cwd: repositoryRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(child);
  const exited = once(child, 'close').then(([exitCode, signal]) => ({ exitCode: exitCode as number | null, signal: signal as NodeJS.Signals | null }));
  return {
    child,
    output,
    exited,
    waitForStdout(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output().stdout.match(pattern);
          if (!match) return false;
          child.stdout!.off('data', check);
          resolve(match);
          return true;
        };
        if (check()) return;
        child.stdout!.on('data', check);
        void exited.then(({ exitCode, signal }) => {
          if (check()) return;
          reject(new Error(`gateway exited (code ${exitCode}, signal ${signal}) before printing ${pattern}; stderr: ${output().stderr}`));
        });
      });
    },
  };
}

/** A TCP port nothing listens on right now (the OS picks it; it is closed again before returning). */
export async function findFreePort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function collectOutput(child: ChildProcess): () => { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return () => ({ stdout, stderr });
}
