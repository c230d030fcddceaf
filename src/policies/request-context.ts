import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../platform/observability/logger';
import type { Principal } from './auth/principal';

/** What every resolver receives, whether the operation came over HTTP, WebSocket or SSE. */
export interface RequestContext {
  readonly requestId: string;
  readonly principal: Principal;
  /** A fork for this request only: its identity map never leaks between requests. */
  readonly em: EntityManager;
  readonly logger: Logger;
}
