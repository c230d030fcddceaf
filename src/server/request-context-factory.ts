import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Principal } from '../policies/auth/principal';
import type { FieldRateLimiter } from '../policies/rate-limit/field-rate-limit';
import type { RequestContext } from '../policies/request-context';
import type { AdmittedOperation } from '../policies/cost/cost-gate';
import type { Logger } from '../platform/observability/logger';
import { RequestLoaders } from '../platform/request-loaders';
import { clientClosedRequest } from '../platform/errors';

export interface ContextDependencies {
  readonly orm: MikroORM;
  readonly logger: Logger;
  readonly fieldRateLimiter: FieldRateLimiter;
  /** Extra members only some transports serve (the event streams of subscriptions). */
  readonly extras?: Record<string, unknown>;
}

/**
 * One request context, built the same way for HTTP, WebSocket and SSE operations. Once
 * `clientGone` aborts, the context refuses its EntityManager and loaders: fields that would
 * start database work fail instead, so an abandoned request sends no further statement.
 */
export function createRequestContext(deps: ContextDependencies, principal: Principal, requestId: string, em?: EntityManager, clientGone?: AbortSignal): RequestContext {
  return Object.assign(new LazyRequestContext(deps, principal, requestId, em, clientGone), deps.extras);
}

/**
 * The fork, the loaders and the child logger are made on first use: an idle subscription holds
 * none of them. A class, not an object literal with getters, which V8 would keep as a dictionary.
 */
class LazyRequestContext implements RequestContext {
  readonly fieldRateLimiter: FieldRateLimiter;
  readonly replayedOperations: string[] = [];
  admission: AdmittedOperation | undefined;
  private requestLoaders: RequestLoaders | undefined;
  private childLogger: Logger | undefined;

  constructor(
    private readonly deps: ContextDependencies,
    readonly principal: Principal,
    readonly requestId: string,
    private fork: EntityManager | undefined,
    private readonly clientGone: AbortSignal | undefined,
  ) {
    this.fieldRateLimiter = deps.fieldRateLimiter;
  }

  get em(): EntityManager {
    if (this.clientGone?.aborted) throw clientClosedRequest();
    return (this.fork ??= this.deps.orm.em.fork({ useContext: true }));
  }

  get loaders(): RequestLoaders {
    if (this.clientGone?.aborted) throw clientClosedRequest();
    return (this.requestLoaders ??= new RequestLoaders(this.em));
  }

  get logger(): Logger {
    return (this.childLogger ??= this.deps.logger.child({ requestId: this.requestId, apiKeyId: this.principal.apiKeyId }));
  }
}
