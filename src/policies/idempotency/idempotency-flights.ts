import { setTimeout as delay } from 'node:timers/promises';

/**
 * The idempotency keys this instance is working on, one flight per key: the request that
 * claims (or watches) a key runs the flight, and its duplicates in this instance wait for it
 * here, in memory, holding no database connection. `waitingCount` is exported as a metric.
 */
export class IdempotencyFlights {
  private readonly flights = new Map<string, Promise<void>>();
  private waiting = 0;

  /** Requests waiting for another one with their key, or for its next check, without a connection. */
  get waitingCount(): number {
    return this.waiting;
  }

  isFlying(key: string): boolean {
    return this.flights.has(key);
  }

  /** Runs `work` as the key's flight; call only when `isFlying(key)` was false in the same tick. */
  async fly<T>(key: string, work: () => Promise<T>): Promise<T> {
    let land!: () => void;
    this.flights.set(key, new Promise<void>((resolve) => (land = resolve)));
    try {
      return await work();
    } finally {
      this.flights.delete(key);
      land();
    }
  }

  /** Waits until the key's flight lands; false when `deadline` (epoch ms) comes first. */
  async waitForFlight(key: string, deadline: number): Promise<boolean> {
    const flight = this.flights.get(key);
    if (!flight) return true;
    const timeout = new AbortController();
    this.waiting++;
    try {
      const landed = await Promise.race([flight.then(() => true), delay(Math.max(0, deadline - Date.now()), false, { signal: timeout.signal })]);
      return landed;
    } finally {
      this.waiting--;
      timeout.abort();
    }
  }

  /** A pause between checks on a key another instance holds. */
  async pause(ms: number): Promise<void> {
    this.waiting++;
    try {
      await delay(ms);
    } finally {
      this.waiting--;
    }
  }
}
