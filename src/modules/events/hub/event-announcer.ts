import type { EntityManager, EventSubscriber } from '@mikro-orm/core';

export const eventsChannel = 'gateway_events';
const coalesceMs = 10;
/** A transaction that recorded an event is announced at any commit within this window. */
const announceWindowMs = 30_000;

/**
 * Wakes every instance's event hub after events commit: NOTIFY on its own connection, outside
 * the write transaction (a NOTIFY inside it serialises every commit on PostgreSQL's
 * notification queue) and coalesced to at most one per workspace every few milliseconds.
 * A missed or early announcement only delays delivery until the hub's fallback poll.
 */
export class EventAnnouncer implements EventSubscriber {
  private readonly recentlyRecorded = new Map<string, number>();
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly notify: (workspaceIds: string[]) => Promise<void>) {}

  noteRecorded(workspaceId: string): void {
    this.recentlyRecorded.set(workspaceId, Date.now());
  }

  afterTransactionCommit(): void {
    if (this.recentlyRecorded.size === 0 || this.pending) return;
    this.pending = setTimeout(() => void this.announce(), coalesceMs);
  }

  stop(): void {
    clearTimeout(this.pending);
  }

  private async announce(): Promise<void> {
    this.pending = undefined;
    const cutoff = Date.now() - announceWindowMs;
    for (const [workspaceId, recordedAt] of this.recentlyRecorded) if (recordedAt < cutoff) this.recentlyRecorded.delete(workspaceId);
    await this.notify([...this.recentlyRecorded.keys()]).catch(() => undefined);
  }
}

/** The announcer registered on this EntityManager's ORM, if any (CLI processes have none). */
export function announcerOf(em: EntityManager): EventAnnouncer | undefined {
  for (const subscriber of em.getEventManager().getSubscribers()) if (subscriber instanceof EventAnnouncer) return subscriber;
  return undefined;
}
