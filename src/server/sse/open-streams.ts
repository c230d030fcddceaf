import type { MikroORM } from '@mikro-orm/postgresql';
import { unauthenticated, type GatewayError } from '../../platform/errors';
import type { SubscriptionSlot, SubscriptionSlots } from '../subscription-slots';

const revocationCheckMs = 3_000;

export interface OpenStream {
  readonly apiKeyId: string;
  /** Its hold on the key's subscription cap, shared with WebSocket subscriptions. */
  readonly slot: SubscriptionSlot;
  /** Set once the stream flows; ends it, first sending `farewell` as an error result when given. */
  end?: (farewell?: GatewayError) => void;
}

/**
 * Open event streams by key: takes each stream's slot of the key's subscription cap and ends a
 * revoked or expired key's streams within seconds (one query for all open keys, every few seconds).
 */
export class OpenStreams {
  private readonly streams = new Set<OpenStream>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly orm: MikroORM,
    private readonly slots: SubscriptionSlots,
    onError: (error: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.endRevoked().catch(onError), revocationCheckMs);
    this.timer.unref();
  }

  get openStreamCount(): number {
    return this.streams.size;
  }

  /** Undefined when the key already holds its maximum of concurrent subscriptions. */
  tryOpen(apiKeyId: string): OpenStream | undefined {
    const slot = this.slots.tryTake(apiKeyId);
    if (!slot) return undefined;
    const stream: OpenStream = { apiKeyId, slot };
    this.streams.add(stream);
    return stream;
  }

  release(stream: OpenStream): void {
    stream.slot.release();
    this.streams.delete(stream);
  }

  /** Ends every stream without a farewell: clients reconnect (elsewhere) and resume with `after`. */
  stop(): void {
    clearInterval(this.timer);
    for (const stream of this.streams) stream.end?.();
  }

  private async endRevoked(): Promise<void> {
    const keyIds = [...new Set([...this.streams].map((stream) => stream.apiKeyId))];
    if (keyIds.length === 0) return;
    const dead = await this.orm.em.fork().execute<{ id: string }[]>(
      `select id from api_keys where id in (${keyIds.map(() => '?').join(', ')}) and (revoked_at is not null or expires_at <= now())`,
      keyIds,
    );
    const deadIds = new Set(dead.map((row) => row.id));
    for (const stream of this.streams) if (deadIds.has(stream.apiKeyId)) stream.end?.(unauthenticated('This API key has been revoked or has expired'));
  }
}
