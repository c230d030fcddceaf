/**
 * Cost budgets as leaky buckets, Shopify's model: a bucket holds up to `maximumAvailable`
 * points and refills at `restoreRate` points a second; an operation takes its requested cost
 * before it runs and gets back what it did not use after.
 */

/** A bucket's size and refill rate. */
export interface CostBudgetSpec {
  readonly maximumAvailable: number;
  /** Points restored per second. */
  readonly restoreRate: number;
}

/** The bucket as `extensions.cost.throttleStatus` reports it. */
export interface ThrottleStatus extends CostBudgetSpec {
  /** Points available now, after this operation; may be fractional while refilling. */
  readonly currentlyAvailable: number;
}

export interface Bucket {
  /** Identifies the bucket in the store, e.g. `key:key_…`; never a secret. */
  readonly id: string;
  readonly spec: CostBudgetSpec;
}

export interface TakeResult {
  readonly isAllowed: boolean;
  /** Per bucket, in the order given: after the take when allowed, as found when not. */
  readonly statuses: readonly ThrottleStatus[];
  /** When refused: seconds until every bucket holds the cost again. */
  readonly retryAfterSeconds: number;
}

export interface CostBudgetStore {
  /** Takes `cost` from every bucket, or from none when one of them lacks it: atomic across instances. */
  take(buckets: readonly Bucket[], cost: number): Promise<TakeResult>;
  /** Gives `points` back to every bucket (or takes them, when negative), up to each maximum. */
  adjust(buckets: readonly Bucket[], points: number): Promise<readonly ThrottleStatus[]>;
  close(): Promise<void>;
}

/** A bucket never goes further into debt than this many maximums (an operation that cost more than it requested). */
const maxDebtInMaximums = 1;

/** One bucket's state and arithmetic, shared by the stores so they cannot disagree. */
export function refill(available: number, elapsedMs: number, spec: CostBudgetSpec): number {
  return Math.min(spec.maximumAvailable, available + (Math.max(0, elapsedMs) * spec.restoreRate) / 1000);
}

export function secondsUntil(available: number, needed: number, spec: CostBudgetSpec): number {
  return needed <= available ? 0 : Math.ceil((needed - available) / spec.restoreRate);
}

export function adjusted(available: number, points: number, spec: CostBudgetSpec): number {
  return Math.max(-maxDebtInMaximums * spec.maximumAvailable, Math.min(spec.maximumAvailable, available + points));
}

/** How often full buckets are dropped; memory holds only buckets still refilling. */
const sweepIntervalMs = 10_000;

interface BucketState {
  readonly available: number;
  readonly updatedAtMs: number;
  /** From then on the bucket is full, so forgetting it changes nothing. */
  readonly fullAtMs: number;
}

/** For one gateway instance: its buckets are not shared with others. */
export class InMemoryCostBudgetStore implements CostBudgetStore {
  private readonly buckets = new Map<string, BucketState>();
  private nextSweepAtMs = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async take(buckets: readonly Bucket[], cost: number): Promise<TakeResult> {
    const nowMs = this.now();
    this.sweep(nowMs);
    const available = buckets.map((bucket) => this.availableIn(bucket, nowMs));
    const retryAfterSeconds = Math.max(0, ...buckets.map((bucket, index) => secondsUntil(available[index], cost, bucket.spec)));
    const isAllowed = retryAfterSeconds === 0;
    const after = isAllowed ? available.map((points) => points - cost) : available;
    if (isAllowed) buckets.forEach((bucket, index) => this.store(bucket, after[index], nowMs));
    return { isAllowed, retryAfterSeconds, statuses: buckets.map((bucket, index) => ({ ...bucket.spec, currentlyAvailable: after[index] })) };
  }

  async adjust(buckets: readonly Bucket[], points: number): Promise<readonly ThrottleStatus[]> {
    const nowMs = this.now();
    return buckets.map((bucket) => {
      const available = adjusted(this.availableIn(bucket, nowMs), points, bucket.spec);
      this.store(bucket, available, nowMs);
      return { ...bucket.spec, currentlyAvailable: available };
    });
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }

  /** Buckets currently held in memory. */
  get size(): number {
    return this.buckets.size;
  }

  private availableIn(bucket: Bucket, nowMs: number): number {
    const state = this.buckets.get(bucket.id);
    return state ? refill(state.available, nowMs - state.updatedAtMs, bucket.spec) : bucket.spec.maximumAvailable;
  }

  private store(bucket: Bucket, available: number, nowMs: number): void {
    const fullAtMs = nowMs + ((bucket.spec.maximumAvailable - available) * 1000) / bucket.spec.restoreRate;
    this.buckets.set(bucket.id, { available, updatedAtMs: nowMs, fullAtMs });
  }

  // On access rather than on a timer: no timer to clear, and no traffic means no growth.
  private sweep(nowMs: number): void {
    if (nowMs < this.nextSweepAtMs) return;
    for (const [id, state] of this.buckets) if (state.fullAtMs <= nowMs) this.buckets.delete(id);
    this.nextSweepAtMs = nowMs + sweepIntervalMs;
  }
}
