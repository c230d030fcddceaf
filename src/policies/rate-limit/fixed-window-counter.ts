/**
 * Counts requests per API key in fixed windows aligned to the epoch
 * (window start = floor(now / windowMs) * windowMs), so every gateway instance reports the
 * same resetAtMs for the same window.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface WindowHit {
  /** Hits in the current window, this one included. */
  count: number;
  /** Epoch milliseconds at which the current window ends and counting restarts from zero. */
  resetAtMs: number;
}

export interface FixedWindowCounter {
  /**
   * Records one hit for `key` in the current window of `windowSeconds` (a positive integer).
   * Windows of different lengths are counted apart, so one key can have a per-minute and a
   * per-hour limit. `key` is stored in clear: pass an identifier, never a secret.
   */
  hit(key: string, windowSeconds: number): Promise<WindowHit>;
  close(): Promise<void>;
}

function toWindowMs(windowSeconds: number): number {
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds <= 0) {
    throw new RangeError(`windowSeconds must be a positive integer, got ${windowSeconds}`);
  }
  return windowSeconds * 1000;
}

/** How often stale windows are swept; memory holds keys hit within the last window or sweep. */
const SWEEP_INTERVAL_MS = 10_000;

/** For a single gateway instance and tests; instances do not share counts. */
export class InMemoryFixedWindowCounter implements FixedWindowCounter {
  private readonly windows = new Map<string, WindowHit>();
  private nextSweepAtMs = 0;

  /** Windows currently held in memory, ended ones included until the next sweep. */
  get trackedWindowCount(): number {
    return this.windows.size;
  }

  async hit(key: string, windowSeconds: number): Promise<WindowHit> {
    const windowMs = toWindowMs(windowSeconds);
    const nowMs = Date.now();
    this.sweepEndedWindows(nowMs);
    const windowKey = `${windowSeconds}s:${key}`;
    const current = this.windows.get(windowKey);
    const next =
      current !== undefined && current.resetAtMs > nowMs
        ? { count: current.count + 1, resetAtMs: current.resetAtMs }
        : { count: 1, resetAtMs: Math.floor(nowMs / windowMs) * windowMs + windowMs };
    this.windows.set(windowKey, next);
    return { ...next };
  }

  async close(): Promise<void> {
    this.windows.clear();
  }

  // Sweeping on access rather than on a timer: no timer to clear, and no traffic means no growth.
  private sweepEndedWindows(nowMs: number): void {
    if (nowMs < this.nextSweepAtMs) return;
    for (const [windowKey, window] of this.windows) {
      if (window.resetAtMs <= nowMs) this.windows.delete(windowKey);
    }
    this.nextSweepAtMs = nowMs + SWEEP_INTERVAL_MS;
  }
}

/**
 * One script, so reading and bumping a window is atomic across instances. The clock is Redis's
 * TIME, not each instance's, so skewed gateway clocks still agree on where windows start. The
 * hash remembers which window it counts, so a key that outlives its window by a millisecond is
 * restarted rather than added to; PEXPIREAT at the window end keeps ended windows from piling up.
 */
const HIT_SCRIPT = `
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local windowMs = tonumber(ARGV[1])
local resetAtMs = nowMs - (nowMs % windowMs) + windowMs
if tonumber(redis.call('HGET', KEYS[1], 'resetAtMs')) ~= resetAtMs then
  redis.call('HSET', KEYS[1], 'resetAtMs', resetAtMs, 'count', 0)
  redis.call('PEXPIREAT', KEYS[1], resetAtMs)
end
return {redis.call('HINCRBY', KEYS[1], 'count', 1), resetAtMs}
`;
const HIT_SCRIPT_SHA1 = createHash('sha1').update(HIT_SCRIPT).digest('hex');

/** Shares counts between every gateway instance using the same Redis and key prefix. */
export class RedisFixedWindowCounter implements FixedWindowCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = 'gw:rl:',
  ) {}

  async hit(key: string, windowSeconds: number): Promise<WindowHit> {
    const windowMs = toWindowMs(windowSeconds);
    const redisKey = `${this.keyPrefix}${windowSeconds}s:${key}`;
    const [count, resetAtMs] = (await this.runHitScript(redisKey, windowMs)) as [number, number];
    return { count, resetAtMs };
  }

  /** The connection belongs to the caller, which may share it with other users. */
  async close(): Promise<void> {}

  // EVALSHA spares sending the script on every request; Redis forgets scripts on restart or
  // SCRIPT FLUSH, hence the fallback.
  private async runHitScript(redisKey: string, windowMs: number): Promise<unknown> {
    try {
      return await this.redis.evalsha(HIT_SCRIPT_SHA1, 1, redisKey, windowMs);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return this.redis.eval(HIT_SCRIPT, 1, redisKey, windowMs);
    }
  }
}
