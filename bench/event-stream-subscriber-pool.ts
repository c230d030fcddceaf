import { BenchChild } from './event-stream-ipc';
import type { SubscriberCommand } from './event-stream-subscribers';

/** Resolves per tag once every subscriber process reported that all its subscribers have it. */
export class TagCompletion {
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Map<string, () => void>();

  constructor(private readonly processCount: number) {}

  complete(tag: string): void {
    const count = (this.counts.get(tag) ?? 0) + 1;
    this.counts.set(tag, count);
    if (count === this.processCount) this.waiters.get(tag)?.();
  }

  /** True once every subscriber has the tag, false after `timeoutMs`. */
  waitFor(tag: string, timeoutMs: number): Promise<boolean> {
    if (this.counts.get(tag) === this.processCount) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(tag);
        resolve(false);
      }, timeoutMs);
      this.waiters.set(tag, () => {
        clearTimeout(timer);
        this.waiters.delete(tag);
        resolve(true);
      });
    });
  }
}

/** The graphql-ws subscriber processes (bench/event-stream-subscribers.ts), reused from one server to the next. */
export class SubscriberPool {
  readonly processes: BenchChild<SubscriberCommand>[];
  private completion = new TagCompletion(1);

  constructor(processCount: number) {
    this.processes = Array.from({ length: processCount }, () => new BenchChild<SubscriberCommand>('event-stream-subscribers.ts', (message) => this.completion.complete(message.tag as string)));
  }

  calibrateClocks(): Promise<{ offsetMs: number; roundTripMs: number }[]> {
    return Promise.all(this.processes.map((child) => child.calibrateClock()));
  }

  /** The first `processCount` processes, their completions counted afresh. */
  take(processCount: number): { processes: BenchChild<SubscriberCommand>[]; completion: TagCompletion } {
    if (processCount > this.processes.length) throw new Error(`${processCount} subscriber processes wanted, ${this.processes.length} started`);
    this.completion = new TagCompletion(processCount);
    return { processes: this.processes.slice(0, processCount), completion: this.completion };
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((child) => child.stop({ cmd: 'close' })));
  }
}
