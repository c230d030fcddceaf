import { getGraphQLRateLimiter } from 'graphql-rate-limit';
import type { Redis } from 'ioredis';
import { UseMiddleware, type ResolverData } from 'type-graphql';
import { rateLimited } from '../../platform/errors';
import type { RequestContext } from '../request-context';
import { InMemoryRateLimitStore, IoRedisRateLimitStore } from './graphql-rate-limit-stores';

export type FieldRateLimiter = ReturnType<typeof getGraphQLRateLimiter>;

/**
 * graphql-rate-limit for limits on single fields (credential minting and the like), counted per
 * API key; shared through Redis when there is one. The per-request budget is RequestRateLimiter.
 */
export function createFieldRateLimiter(redis: Redis | undefined): FieldRateLimiter {
  return getGraphQLRateLimiter({
    identifyContext: (context: RequestContext) => context.principal.credentialId,
    store: redis ? new IoRedisRateLimitStore(redis) : new InMemoryRateLimitStore(),
  });
}

/** At most `max` calls of this field per key per `windowSeconds`; beyond it RATE_LIMITED. */
export function FieldRateLimit(max: number, windowSeconds: number): MethodDecorator {
  return UseMiddleware(async ({ root, args, context, info }: ResolverData<RequestContext>, next) => {
    const refusal = await context.fieldRateLimiter({ parent: root, args, context, info }, { max, window: `${windowSeconds}s` });
    if (refusal) throw rateLimited(windowSeconds, 'field');
    return next();
  });
}
