import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Bucket, CostBudgetStore, TakeResult, ThrottleStatus } from './cost-budget';

/**
 * One script for every bucket of an operation, so that taking from the key's and the
 * workspace's bucket is all-or-nothing across instances. The clock is Redis's TIME, so skewed
 * gateway clocks still agree on how far a bucket has refilled. Each bucket is a hash of its
 * points and the time they were counted, expiring once it would be full again. The arithmetic
 * mirrors cost-budget.ts (refill, secondsUntil, adjusted); numbers travel as strings because
 * Redis truncates Lua numbers to integers.
 *
 * ARGV: mode (`take` or `adjust`), points, then per key its maximum and restore rate.
 * Returns: allowed (1/0), seconds to wait, then each bucket's points.
 */
const BUDGET_SCRIPT = `
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local mode = ARGV[1]
local points = tonumber(ARGV[2])
local available = {}
local waitSeconds = 0
for i = 1, #KEYS do
  local maximum = tonumber(ARGV[1 + i * 2])
  local rate = tonumber(ARGV[2 + i * 2])
  local state = redis.call('HMGET', KEYS[i], 'points', 'atMs')
  local current = maximum
  if state[1] then
    current = math.min(maximum, tonumber(state[1]) + math.max(0, nowMs - tonumber(state[2])) * rate / 1000)
  end
  available[i] = current
  if mode == 'take' and current < points then
    waitSeconds = math.max(waitSeconds, math.ceil((points - current) / rate))
  end
end
local allowed = waitSeconds == 0
local result = { allowed and 1 or 0, waitSeconds }
for i = 1, #KEYS do
  local maximum = tonumber(ARGV[1 + i * 2])
  local rate = tonumber(ARGV[2 + i * 2])
  local current = available[i]
  if allowed then
    if mode == 'take' then
      current = current - points
    else
      current = math.max(-maximum, math.min(maximum, current + points))
    end
    redis.call('HSET', KEYS[i], 'points', tostring(current), 'atMs', nowMs)
    redis.call('PEXPIRE', KEYS[i], math.ceil((maximum - current) * 1000 / rate) + 1000)
  end
  result[#result + 1] = tostring(current)
end
return result
`;
const BUDGET_SCRIPT_SHA1 = createHash('sha1').update(BUDGET_SCRIPT).digest('hex');

/** Shares buckets between every gateway instance using the same Redis and key prefix. */
export class RedisCostBudgetStore implements CostBudgetStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = 'gw:cost:',
  ) {}

  async take(buckets: readonly Bucket[], cost: number): Promise<TakeResult> {
    const [allowed, waitSeconds, ...points] = await this.run('take', buckets, cost);
    return { isAllowed: Number(allowed) === 1, retryAfterSeconds: Number(waitSeconds), statuses: statusesOf(buckets, points) };
  }

  async adjust(buckets: readonly Bucket[], points: number): Promise<readonly ThrottleStatus[]> {
    const [, , ...available] = await this.run('adjust', buckets, points);
    return statusesOf(buckets, available);
  }

  /** The connection belongs to the caller, which may share it with other users. */
  async close(): Promise<void> {}

  // EVALSHA spares sending the script each time; Redis forgets scripts on restart or SCRIPT FLUSH.
  private async run(mode: 'take' | 'adjust', buckets: readonly Bucket[], points: number): Promise<string[]> {
    const keys = buckets.map((bucket) => `${this.keyPrefix}${bucket.id}`);
    const argv = [mode, String(points), ...buckets.flatMap((bucket) => [String(bucket.spec.maximumAvailable), String(bucket.spec.restoreRate)])];
    try {
      return (await this.redis.evalsha(BUDGET_SCRIPT_SHA1, keys.length, ...keys, ...argv)) as string[];
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return (await this.redis.eval(BUDGET_SCRIPT, keys.length, ...keys, ...argv)) as string[];
    }
  }
}

function statusesOf(buckets: readonly Bucket[], points: readonly string[]): ThrottleStatus[] {
  return buckets.map((bucket, index) => ({ ...bucket.spec, currentlyAvailable: Number(points[index]) }));
}
