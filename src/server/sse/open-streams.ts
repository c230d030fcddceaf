import type { MikroORM } from '@mikro-orm/postgresql';
import { unauthenticated, type GatewayError } from '../../platform/errors';

const revocationCheckMs = 3_000;

export interface OpenStream {
  readonly apiKeyId: string;
  /** Set once the stream flows; ends it, first sending `farewell` as an error result when given. */
  end?: (farewell?: GatewayError) => void;
}

/**
 * Open event streams by key: caps concurrent streams per key and ends a revoked or expired
 * key's streams within seconds (one query for all open keys, every few seconds).
 */
export class OpenStreams {
  private readonly streams = new Set<OpenStream>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly orm: MikroORM,
    private readonly maxStreamsPerKey: number,
    onError: (error: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.endRevoked().catch(onError), revocationCheckMs);
    this.timer.unref();
  }

  /** Undefined when the key already holds its maximum of concurrent streams. */
  get openStreamCount(): number {
    return this.streams.size;
  }

  tryOpen(apiKeyId: string): OpenStream | undefined {
    const held = [...this.streams].filter((stream) => stream.apiKeyId === apiKeyId).length;
    if (held >= this.maxStreamsPerKey) return undefined;
    const stream: OpenStream = { apiKeyId };
    this.streams.add(stream);
    return stream;
  }

  release(stream: OpenStream): void {
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
