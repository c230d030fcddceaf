import type { MikroORM } from '@mikro-orm/postgresql';
import type WebSocket from 'ws';
import type { Principal } from '../../policies/auth/principal';
import { findEndedCredentials, type CredentialHolder } from '../ended-credentials';
import type { SubscriptionSlot, SubscriptionSlots } from '../subscription-slots';

/** graphql-ws close code for a connection whose key is no longer valid. */
export const forbiddenCloseCode = 4403;
const revocationCheckMs = 3_000;

/** The operation a slot belongs to: graphql-ws hands every hook of one subscribe message the same payload object. */
type Operation = object;

export interface OpenSocket extends CredentialHolder {
  /** What the subscription cap counts against (Principal.credentialId). */
  readonly credentialId: string;
  readonly socket: WebSocket;
  /**
   * The slots of the socket's accepted operations, by operation rather than by id: a client
   * may complete id "1" and reuse it at once, while the old operation still winds down.
   */
  readonly slots: Map<Operation, SubscriptionSlot>;
}

/**
 * Open subscription sockets: holds each accepted subscription's slot of its credential's cap
 * (given back when it ends, or when its socket closes) and closes the sockets of a revoked or
 * expired key or client token within seconds (see findEndedCredentials).
 */
export class SubscriptionSockets {
  private readonly sockets = new Set<OpenSocket>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly orm: MikroORM,
    private readonly subscriptionSlots: SubscriptionSlots,
    private readonly onError: (error: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.closeRevoked().catch(onError), revocationCheckMs);
    this.timer.unref();
  }

  add(principal: Principal, socket: WebSocket): OpenSocket {
    const { apiKeyId, credentialId, expiresAt } = principal;
    const entry: OpenSocket = { apiKeyId, credentialId, expiresAt, socket, slots: new Map() };
    this.sockets.add(entry);
    socket.once('close', () => {
      this.sockets.delete(entry);
      for (const slot of entry.slots.values()) slot.release();
      entry.slots.clear();
    });
    return entry;
  }

  /**
   * Takes a slot for `operation`, synchronously, so that a burst of subscribes counts exactly.
   * False when the key holds its maximum, or when the socket closed while the operation was
   * being checked (its slots are already given back).
   */
  tryTakeSlot(entry: OpenSocket, operation: Operation): boolean {
    if (!this.sockets.has(entry)) return false;
    const slot = this.subscriptionSlots.tryTake(entry.credentialId);
    if (!slot) return false;
    entry.slots.set(operation, slot);
    return true;
  }

  /** Gives back the operation's slot; safe to call from every way an operation ends. */
  releaseSlot(entry: OpenSocket, operation: Operation): void {
    entry.slots.get(operation)?.release();
    entry.slots.delete(operation);
  }

  get openSocketCount(): number {
    return this.sockets.size;
  }

  stop(): void {
    clearInterval(this.timer);
    for (const { socket } of this.sockets) socket.close(1001, 'Server shutting down');
  }

  private async closeRevoked(): Promise<void> {
    for (const entry of await findEndedCredentials(this.orm, this.sockets)) entry.socket.close(forbiddenCloseCode, 'API key or client token revoked or expired');
  }
}
