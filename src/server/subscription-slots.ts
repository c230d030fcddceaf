/** One subscription's hold on its key's cap; `release` frees it once, however often it is called. */
export interface SubscriptionSlot {
  readonly apiKeyId: string;
  release(): void;
}

/**
 * The per-key cap on concurrent subscriptions of one instance, shared by graphql-ws and SSE so
 * a key cannot double it by using both transports. A slot is taken synchronously when a
 * subscription is accepted and given back exactly once when it ends, so the count is exact
 * under bursts: no await between the check and the taking, and no count that lags behind the
 * protocol library's own bookkeeping.
 */
export class SubscriptionSlots {
  private readonly heldByKey = new Map<string, number>();

  constructor(readonly maxPerKey: number) {}

  /** Undefined when the key already holds `maxPerKey` slots. */
  tryTake(apiKeyId: string): SubscriptionSlot | undefined {
    const held = this.heldByKey.get(apiKeyId) ?? 0;
    if (held >= this.maxPerKey) return undefined;
    this.heldByKey.set(apiKeyId, held + 1);
    let isReleased = false;
    return {
      apiKeyId,
      release: () => {
        if (isReleased) return;
        isReleased = true;
        this.giveBack(apiKeyId);
      },
    };
  }

  heldBy(apiKeyId: string): number {
    return this.heldByKey.get(apiKeyId) ?? 0;
  }

  private giveBack(apiKeyId: string): void {
    const held = (this.heldByKey.get(apiKeyId) ?? 1) - 1;
    if (held === 0) this.heldByKey.delete(apiKeyId);
    else this.heldByKey.set(apiKeyId, held);
  }
}
