export interface RefusalPacerOptions {
  /** The longest pause before a repeated refusal is written (0: never pause). */
  readonly paceMs: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Past this many remembered keys, those whose Retry-After has passed are forgotten. */
const sweepAboveKeys = 10_000;

/**
 * Slows a client that ignores `Retry-After`, as express-slow-down does: the first 429 goes out
 * at once, but a key refused again before the time it was told to retry at gets its next 429s
 * after a pause (up to `paceMs`, never past that time). A refusal is cheap (about 0.13 ms of
 * CPU), yet a client looping on one connection sent 7,000 a second and took the event loop from
 * every other key; paced, each of its connections sends about one a second.
 *
 * No cap on paused refusals: HTTP/1.1 answers one request at a time per connection, so they are
 * bounded by the open sockets, and a pause costs a timer. Answering a surplus at once, or closing
 * its connection, would only hand the loop back to the client (a reconnecting loop costs us
 * twice what a refusal does).
 */
export class RefusalPacer {
  private readonly retryAtMsByKey = new Map<string, number>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RefusalPacerOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Resolves when this refusal may be written: at once, or after its pause. `retryAfterSeconds` is what the 429 says. */
  async pace(apiKeyId: string, retryAfterSeconds: number): Promise<void> {
    const nowMs = this.now();
    const toldRetryAtMs = this.retryAtMsByKey.get(apiKeyId);
    const retryAtMs = Math.max(toldRetryAtMs ?? 0, nowMs + retryAfterSeconds * 1000);
    this.remember(apiKeyId, retryAtMs);
    if (toldRetryAtMs === undefined || nowMs >= toldRetryAtMs || this.options.paceMs <= 0) return;
    await this.sleep(Math.min(this.options.paceMs, toldRetryAtMs - nowMs));
  }

  private remember(apiKeyId: string, retryAtMs: number): void {
    if (this.retryAtMsByKey.size >= sweepAboveKeys && !this.retryAtMsByKey.has(apiKeyId)) this.forgetPast();
    this.retryAtMsByKey.set(apiKeyId, retryAtMs);
  }

  private forgetPast(): void {
    const nowMs = this.now();
    for (const [apiKeyId, retryAtMs] of this.retryAtMsByKey) {
      if (nowMs >= retryAtMs) this.retryAtMsByKey.delete(apiKeyId);
    }
  }
}
