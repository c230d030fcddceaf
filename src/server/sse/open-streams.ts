import type { MikroORM } from '@mikro-orm/postgresql';
import { unauthenticated, type GatewayError } from '../../platform/errors';
import type { Principal } from '../../policies/auth/principal';
import { findEndedCredentials, type CredentialHolder } from '../ended-credentials';
import type { SubscriptionSlot, SubscriptionSlots } from '../subscription-slots';

const revocationCheckMs = 3_000;

export interface OpenStream extends CredentialHolder {
  /** Its hold on the key's subscription cap, shared with WebSocket subscriptions. */
  readonly slot: SubscriptionSlot;
  /** Set once the stream flows; ends it, first sending `farewell` as an error result when given. */
  end?: (farewell?: GatewayError) => void;
}

/**
 * Open event streams by credential: takes each stream's slot of its subscription cap and ends
 * the streams of a revoked or expired key or client token within seconds (see findEndedCredentials).
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

  /** Undefined when the credential already holds its maximum of concurrent subscriptions. */
  tryOpen(principal: Principal): OpenStream | undefined {
    const slot = this.slots.tryTake(principal.credentialId);
    if (!slot) return undefined;
    const stream: OpenStream = { apiKeyId: principal.apiKeyId, expiresAt: principal.expiresAt, slot };
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
    for (const stream of await findEndedCredentials(this.orm, this.streams)) stream.end?.(unauthenticated('This API key or client token has been revoked or has expired'));
  }
}
