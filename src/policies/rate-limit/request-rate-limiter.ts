import { rateLimited, type GatewayError } from '../../platform/errors';
import type { FixedWindowCounter } from './fixed-window-counter';
import type { RateLimitSpec } from './rate-limit-spec';

export interface RateLimitDecision {
  readonly isAllowed: boolean;
  /** `Retry-After` when refused. (`RateLimit-*` headers speak in cost points: see CostGate.) */
  readonly headers: Record<string, string>;
  readonly refusal?: GatewayError;
}

/**
 * The per-key request count (the key's `rateLimit`, 600 a minute by default), checked once per
 * request before execution, apart from the cost budget: it bounds even requests that cost nothing. When the counter
 * store fails (Redis down), the request is let through and the failure reported: a limiter
 * outage must not become an API outage.
 */
export class RequestRateLimiter {
  constructor(
    private readonly counter: FixedWindowCounter,
    private readonly onCounterError: (error: unknown) => void,
  ) {}

  async consume(apiKeyId: string, limit: RateLimitSpec, nowMs = Date.now()): Promise<RateLimitDecision> {
    let hit;
    try {
      hit = await this.counter.hit(apiKeyId, limit.windowSeconds);
    } catch (error) {
      this.onCounterError(error);
      return { isAllowed: true, headers: {} };
    }
    if (hit.count <= limit.requests) return { isAllowed: true, headers: {} };
    const resetSeconds = Math.max(1, Math.ceil((hit.resetAtMs - nowMs) / 1000));
    return { isAllowed: false, headers: { 'Retry-After': String(resetSeconds) }, refusal: rateLimited(resetSeconds, 'requests') };
  }
}
