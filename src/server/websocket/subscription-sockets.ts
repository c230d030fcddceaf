import type { MikroORM } from '@mikro-orm/postgresql';
import type WebSocket from 'ws';

/** graphql-ws close code for a connection whose key is no longer valid. */
export const forbiddenCloseCode = 4403;
const revocationCheckMs = 3_000;

interface OpenSocket {
  readonly apiKeyId: string;
  readonly socket: WebSocket;
  /**
   * graphql-ws's own table of the socket's operations. It drops an id as soon as the client's
   * `complete` arrives, so a client that unsubscribes and at once resubscribes is not refused
   * while the old stream is still winding down.
   */
  readonly operations: Readonly<Record<string, unknown>>;
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

  add(apiKeyId: string, socket: WebSocket, operations: Readonly<Record<string, unknown>>): OpenSocket {
    const entry = { apiKeyId, socket, operations };
    this.sockets.add(entry);
    socket.once('close', () => this.sockets.delete(entry));
    return entry;
  }

  /** True when the key's operations, the one being started included, exceed its cap. */
  isOverCap(entry: OpenSocket): boolean {
    let held = 0;
    for (const other of this.sockets) if (other.apiKeyId === entry.apiKeyId) held += Object.keys(other.operations).length;
    return held > this.maxSubscriptionsPerKey;
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
