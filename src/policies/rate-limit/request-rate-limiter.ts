import { rateLimited, type GatewayError } from '../../platform/errors';
import type { FixedWindowCounter } from './fixed-window-counter';
import type { RateLimitSpec } from './rate-limit-spec';

export interface RateLimitDecision {
  readonly isAllowed: boolean;
  /** `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (and `Retry-After` when refused). */
  readonly headers: Record<string, string>;
  readonly refusal?: GatewayError;
}

/**
 * The per-key request budget, checked once per request before execution. When the counter
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
    const resetSeconds = Math.max(1, Math.ceil((hit.resetAtMs - nowMs) / 1000));
    const headers: Record<string, string> = {
      'RateLimit-Limit': String(limit.requests),
      'RateLimit-Remaining': String(Math.max(0, limit.requests - hit.count)),
      'RateLimit-Reset': String(resetSeconds),
    };
    if (hit.count <= limit.requests) return { isAllowed: true, headers };
    return { isAllowed: false, headers: { ...headers, 'Retry-After': String(resetSeconds) }, refusal: rateLimited(resetSeconds) };
  }
}
