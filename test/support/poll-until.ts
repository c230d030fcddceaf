import { setTimeout as delay } from 'node:timers/promises';

export interface PollOptions {
  /** Gives up after this long; the error names `description`. */
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** What was awaited, for the failure message, e.g. "/readyz to answer 200". */
  readonly description: string;
}

/**
 * Calls `probe` until it returns something other than undefined/false and returns that value.
 * For conditions no event announces (a port opening, a pool reconnecting); bounded, never open-ended.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined | false>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${options.timeoutMs} ms waiting for ${options.description}${cause}`);
    }
    await delay(options.intervalMs ?? 100);
  }
}
