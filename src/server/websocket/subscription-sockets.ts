import type { MikroORM } from '@mikro-orm/postgresql';
import type WebSocket from 'ws';

/** graphql-ws close code for a connection whose key is no longer valid. */
export const forbiddenCloseCode = 4403;
const revocationCheckMs = 3_000;

interface OpenSocket {
  readonly apiKeyId: string;
  readonly socket: WebSocket;
  subscriptionCount: number;
}

/**
 * Open subscription sockets by key: caps concurrent subscriptions per key and closes a revoked
 * or expired key's sockets within seconds (one query for all open keys, every few seconds).
 */
export class SubscriptionSockets {
  private readonly sockets = new Set<OpenSocket>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly orm: MikroORM,
    private readonly maxSubscriptionsPerKey: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.closeRevoked().catch(onError), revocationCheckMs);
    this.timer.unref();
  }

  add(apiKeyId: string, socket: WebSocket): OpenSocket {
    const entry = { apiKeyId, socket, subscriptionCount: 0 };
    this.sockets.add(entry);
    socket.once('close', () => this.sockets.delete(entry));
    return entry;
  }

  /** False when the key already holds its maximum of concurrent subscriptions. */
  tryStartSubscription(entry: OpenSocket): boolean {
    const held = [...this.sockets].filter((other) => other.apiKeyId === entry.apiKeyId).reduce((sum, other) => sum + other.subscriptionCount, 0);
    if (held >= this.maxSubscriptionsPerKey) return false;
    entry.subscriptionCount++;
    return true;
  }

  endSubscription(entry: OpenSocket): void {
    entry.subscriptionCount = Math.max(0, entry.subscriptionCount - 1);
  }

  get openSocketCount(): number {
    return this.sockets.size;
  }

  stop(): void {
    clearInterval(this.timer);
    for (const { socket } of this.sockets) socket.close(1001, 'Server shutting down');
  }

  private async closeRevoked(): Promise<void> {
    const keyIds = [...new Set([...this.sockets].map((entry) => entry.apiKeyId))];
    if (keyIds.length === 0) return;
    const dead = await this.orm.em.fork().execute<{ id: string }[]>(
      `select id from api_keys where id in (${keyIds.map(() => '?').join(', ')}) and (revoked_at is not null or expires_at <= now())`,
      keyIds,
    );
    const deadIds = new Set(dead.map((row) => row.id));
    for (const entry of this.sockets) if (deadIds.has(entry.apiKeyId)) entry.socket.close(forbiddenCloseCode, 'API key revoked or expired');
  }
}
