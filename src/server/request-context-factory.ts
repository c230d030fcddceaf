import type { MikroORM } from '@mikro-orm/postgresql';
import type { Principal } from '../policies/auth/principal';
import type { FieldRateLimiter } from '../policies/rate-limit/field-rate-limit';
import type { RequestContext } from '../policies/request-context';
import type { Logger } from '../platform/observability/logger';
import { RequestLoaders } from '../platform/request-loaders';

export interface ContextDependencies {
  readonly orm: MikroORM;
  readonly logger: Logger;
  readonly fieldRateLimiter: FieldRateLimiter;
  /** Extra members only some transports serve (the event streams of subscriptions). */
  readonly extras?: Record<string, unknown>;
}

/** One request context, built the same way for HTTP, WebSocket and SSE operations. */
export function createRequestContext(deps: ContextDependencies, principal: Principal, requestId: string, em = deps.orm.em.fork({ useContext: true })): RequestContext {
  return {
    requestId,
    principal,
    em,
    logger: deps.logger.child({ requestId, apiKeyId: principal.apiKeyId }),
    fieldRateLimiter: deps.fieldRateLimiter,
    loaders: new RequestLoaders(em),
    replayedOperations: [],
    ...deps.extras,
  };
}
