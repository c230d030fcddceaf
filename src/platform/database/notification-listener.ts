import { Client } from 'pg';
import type { Logger } from '../observability/logger';

export interface NotificationHandlers {
  readonly onNotification: (payload: string) => void;
  /** LISTEN is in place: from now on no notification on the channel is missed. */
  readonly onListening: () => void;
  /** The connection is gone: notifications may be missed until onListening is called again. */
  readonly onLost: () => void;
}

const reconnectDelayMs = 1_000;

/**
 * One LISTEN connection on one channel, reconnecting after PostgreSQL restarts. PostgreSQL delivers
 * every notification committed while a session listens, so a caller that trusts what it heard only
 * between onListening and onLost misses nothing.
 */
export class NotificationListener {
  private client: Client | undefined;
  private isStopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly handlers: NotificationHandlers,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('error', (error) => this.logger.warn({ err: error, channel: this.channel }, 'LISTEN connection lost'));
    client.on('end', () => {
      this.handlers.onLost();
      // A connection that never listened is retried by whoever awaited start().
      if (this.client === client && !this.isStopped) setTimeout(() => void this.reconnect(), reconnectDelayMs).unref();
    });
    client.on('notification', (message) => this.handlers.onNotification(message.payload ?? ''));
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.handlers.onListening();
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    await this.client?.end().catch(() => undefined);
  }

  private async reconnect(): Promise<void> {
    if (this.isStopped) return;
    try {
      await this.start();
      this.logger.info({ channel: this.channel }, 'listening again');
    } catch {
      if (!this.isStopped) setTimeout(() => void this.reconnect(), reconnectDelayMs).unref();
    }
  }
}
