import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../platform/observability/logger';
import type { RequestLoaders } from '../platform/request-loaders';
import type { Principal } from './auth/principal';
import type { AdmittedOperation } from './cost/cost-gate';
import type { FieldRateLimiter } from './rate-limit/field-rate-limit';

/** What every resolver receives, whether the operation came over HTTP, WebSocket or SSE. */
export interface RequestContext {
  readonly requestId: string;
  readonly principal: Principal;
  /**
   * A fork for this request only: its identity map never leaks between requests. It follows
   * the transaction context, so work inside an idempotent mutation joins that transaction.
   */
  readonly em: EntityManager;
  readonly logger: Logger;
  readonly fieldRateLimiter: FieldRateLimiter;
  readonly loaders: RequestLoaders;
  /** Mutations answered from an idempotency record rather than executed. */
  readonly replayedOperations: string[];
  /**
   * Drops the connection under a subscription whose client cannot keep up. Set by transports
   * whose writes wait for the client (WebSocket); elsewhere a stall never blocks the stream.
   */
  readonly cutOff?: () => void;
  /** Set once the cost gate has admitted the operation (HTTP): its requested and actual cost. */
  admission?: AdmittedOperation;
}
