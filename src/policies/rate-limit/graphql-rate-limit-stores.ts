/**
 * graphql-rate-limit stores over ioredis and over memory, both exact under races.
 *
 * graphql-rate-limit reads an identity's call timestamps, decides, then writes the list back: two
 * calls racing between the read and the write would both see the same count and both pass. So
 * these stores count a call as it is read: `getForIdentity` returns the calls before this one and
 * records this one in the same atomic step, and `setForIdentity` only forgets calls that left the
 * window. Racing calls see strictly increasing counts. A refused call counts too, which is
 * graphql-rate-limit's default (`uncountRejected` is not supported); `readOnly` limits are not
 * supported either.
 */
import { randomUUID } from 'node:crypto';
import type { Identity, Store } from 'graphql-rate-limit';
import type { Redis } from 'ioredis';

/** graphql-rate-limit's own default window, for callers that pass none. */
const DEFAULT_WINDOW_MS = 60_000;
/** How long a first call is kept before its limit's window is known (the following set says it). */
const MAX_WINDOW_MS = 3_600_000;

/**
 * Returns the calls recorded so far and adds this one, atomically. A sorted set of calls scored
 * by time; each member is unique, so calls in the same millisecond are all counted.
 */
const COUNT_CALL_SCRIPT = `
local before = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
local scores = {}
for i = 2, #before, 2 do scores[#scores + 1] = before[i] end
return scores
`;

/** Keeps each identity's calls as a sorted set that expires when its newest call leaves the window. */
export class IoRedisRateLimitStore implements Store {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = 'gw:grl:',
  ) {}

  async getForIdentity(identity: Identity): Promise<readonly number[]> {
    const scores = (await this.redis.eval(COUNT_CALL_SCRIPT, 1, this.keyFor(identity), Date.now(), randomUUID(), MAX_WINDOW_MS)) as string[];
    return scores.map(Number);
  }

  /** The calls are already recorded (getForIdentity): only those out of the window are dropped. */
  async setForIdentity(identity: Identity, _timestamps: readonly number[], windowMs = DEFAULT_WINDOW_MS): Promise<void> {
    const key = this.keyFor(identity);
    // Relative to this instance's clock, the clock the timestamps come from.
    await this.redis.multi().zremrangebyscore(key, '-inf', `(${Date.now() - windowMs}`).pexpire(key, windowMs).exec();
  }

  // Encoding keeps the parts apart: identities "a:b" + "c" and "a" + "b:c" get different keys.
  private keyFor(identity: Identity): string {
    const context = encodeURIComponent(identity.contextIdentity);
    return `${this.keyPrefix}${context}:${encodeURIComponent(identity.fieldIdentity)}`;
  }
}

/** How often identities with no call left in their window are dropped. */
const SWEEP_INTERVAL_MS = 10_000;

/** The same counting for one gateway instance, without Redis. */
export class InMemoryRateLimitStore implements Store {
  private readonly calls = new Map<string, { timestamps: number[]; windowMs: number }>();
  private nextSweepAtMs = 0;

  getForIdentity(identity: Identity): readonly number[] {
    const nowMs = Date.now();
    this.sweep(nowMs);
    const key = `${identity.contextIdentity}\u0000${identity.fieldIdentity}`;
    const entry = this.calls.get(key) ?? { timestamps: [], windowMs: MAX_WINDOW_MS };
    const before = [...entry.timestamps];
    entry.timestamps.push(nowMs);
    this.calls.set(key, entry);
    return before;
  }

  setForIdentity(identity: Identity, _timestamps: readonly number[], windowMs = DEFAULT_WINDOW_MS): void {
    const entry = this.calls.get(`${identity.contextIdentity}\u0000${identity.fieldIdentity}`);
    if (!entry) return;
    const oldestKept = Date.now() - windowMs;
    entry.timestamps = entry.timestamps.filter((timestamp) => timestamp >= oldestKept);
    entry.windowMs = windowMs;
  }

  private sweep(nowMs: number): void {
    if (nowMs < this.nextSweepAtMs) return;
    for (const [key, entry] of this.calls) if ((entry.timestamps.at(-1) ?? 0) + entry.windowMs <= nowMs) this.calls.delete(key);
    this.nextSweepAtMs = nowMs + SWEEP_INTERVAL_MS;
  }
}
