import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * IPC between `bench/event-stream.ts` and its client processes: `{ id, cmd, ... }` in,
 * `{ id, result }` or `{ id, error }` out, plus unsolicited `{ event, ... }` notices.
 */

/** ms since the epoch with sub-millisecond resolution; agrees across processes (checked by `calibrateClock`). */
export const now = (): number => performance.timeOrigin + performance.now();

/** Conversations whose subject starts so are marker events: they only show the subscribers that a subscription is live. */
export const markerPrefix = 'marker ';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** This process's CPU time so far (user + system), ms. */
export function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Heap after full collections (node --expose-gc; without it the figure is noisier). */
export async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let pass = 0; pass < 3; pass++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

/** Child side: answers every command with the handler's result; exits when the parent goes. */
export function serveCommands<C extends { cmd: string }>(handle: (command: C) => unknown): void {
  process.on('message', (message: C & { id: number }) => {
    Promise.resolve()
      .then(() => handle(message))
      .then(
        (result) => process.send!({ id: message.id, result }),
        (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

/** Parent side: one forked TypeScript child (through ts-node) with request/response calls. */
export class BenchChild<C extends { cmd: string }> {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  /** The child's clock minus ours, from the IPC round trip with the smallest delay. */
  clockOffsetMs = 0;
  readonly exited: Promise<void>;

  constructor(script: string, onEvent: (message: Record<string, unknown>) => void = () => {}) {
    this.child = fork(path.resolve(__dirname, script), [], {
      execArgv: ['--expose-gc', '-r', 'ts-node/register/transpile-only'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.on('message', (message: { id?: number; result?: unknown; error?: string; event?: string }) => {
      if (message.event !== undefined) return onEvent(message);
      const waiter = this.pending.get(message.id!);
      this.pending.delete(message.id!);
      if (message.error !== undefined) waiter?.reject(new Error(`${script}: ${message.error}`));
      else waiter?.resolve(message.result);
    });
    this.child.once('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${script} exited (${code})`));
      this.pending.clear();
    });
  }

  call<T>(command: C): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, ...command });
    });
  }

  /** Needs the child to answer `{ cmd: 'clock' }` with its `now()`. */
  async calibrateClock(): Promise<{ offsetMs: number; roundTripMs: number }> {
    let best = { offsetMs: 0, roundTripMs: Number.POSITIVE_INFINITY };
    for (let sample = 0; sample < 30; sample++) {
      const sentAt = now();
      const theirs = await this.call<number>({ cmd: 'clock' } as C);
      const answeredAt = now();
      if (answeredAt - sentAt < best.roundTripMs) best = { offsetMs: theirs - (sentAt + answeredAt) / 2, roundTripMs: answeredAt - sentAt };
    }
    this.clockOffsetMs = best.offsetMs;
    return best;
  }

  /** A time on the child's clock, on ours. */
  toLocal(childTime: number): number {
    return childTime - this.clockOffsetMs;
  }

  async stop(closeCommand?: C): Promise<void> {
    if (closeCommand && this.child.connected) await this.call(closeCommand).catch(() => undefined);
    if (this.child.connected) this.child.disconnect();
    await Promise.race([this.exited, sleep(5_000).then(() => void this.child.kill('SIGKILL'))]);
  }
}
