/**
 * A graphql-rate-limit store over ioredis. The package's own RedisStore speaks the callback API
 * of the old `redis` client, which ioredis does not offer.
 */
import type { Identity, Store } from 'graphql-rate-limit';
import type { Redis } from 'ioredis';

/** graphql-rate-limit's own default window, for callers that pass none. */
const DEFAULT_WINDOW_MS = 60_000;

function newestOf(timestamps: readonly number[]): number {
  // A loop, not Math.max(...timestamps): spreading a long list can overflow the call stack.
  let newest = -Infinity;
  for (const timestamp of timestamps) newest = Math.max(newest, timestamp);
  return newest;
}

/**
 * Keeps each identity's call timestamps as a JSON list under one key that expires when its newest
 * timestamp leaves the window, so idle identities leave nothing behind.
 *
 * graphql-rate-limit reads the list, then writes it back: calls of one identity that race on
 * several instances can each see the same count and all pass. Where a limit must be exact, count
 * with RedisFixedWindowCounter instead.
 */
export class IoRedisRateLimitStore implements Store {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = 'gw:grl:',
  ) {}

  async setForIdentity(
    identity: Identity,
    timestamps: readonly number[],
    windowMs = DEFAULT_WINDOW_MS,
  ): Promise<void> {
    const key = this.keyFor(identity);
    // Relative expiry computed on this instance's clock, the clock the timestamps come from, so
    // skew between the gateway and Redis cannot end a window early.
    const timeToLiveMs = Math.ceil(newestOf(timestamps) + windowMs - Date.now());
    if (timeToLiveMs > 0) {
      await this.redis.set(key, JSON.stringify(timestamps), 'PX', timeToLiveMs);
    } else {
      await this.redis.del(key);
    }
  }

  async getForIdentity(identity: Identity): Promise<readonly number[]> {
    const key = this.keyFor(identity);
    const stored = await this.redis.get(key);
    if (stored === null) return [];
    const timestamps: unknown = JSON.parse(stored);
    if (!Array.isArray(timestamps) || !timestamps.every((entry) => Number.isFinite(entry))) {
      throw new Error(`rate limit record ${key} does not hold a list of timestamps`);
    }
    return timestamps as number[];
  }

  // Encoding keeps the parts apart: identities "a:b" + "c" and "a" + "b:c" get different keys.
  private keyFor(identity: Identity): string {
    const context = encodeURIComponent(identity.contextIdentity);
    return `${this.keyPrefix}${context}:${encodeURIComponent(identity.fieldIdentity)}`;
  }
}
