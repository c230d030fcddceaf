import { setImmediate as nextTurn } from 'node:timers/promises';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../../platform/observability/logger';
import { NotificationListener } from '../../../platform/database/notification-listener';
import { readEventLog } from '../event-log';
import type { EventEnvelope } from '../event-recorder';
import { EventAnnouncer, eventsChannel } from './event-announcer';

/** Called synchronously with each new event of its workspace, in sequence order. */
export type EventListener = (event: EventEnvelope) => void;

const fallbackPollMs = 2_000;
const readBatchSize = 500;

interface WorkspaceFeed {
  /** Highest sequence already handed to listeners. */
  cursor: number;
  readonly listeners: Set<EventListener>;
  /** Reads for one workspace run one after another, so no event is handed out twice. */
  reading: Promise<void>;
}

/**
 * One per process: a LISTEN connection that hears "new events in workspace W" from every
 * instance, then reads them from the log by sequence and hands them to local listeners in
 * order. The log, not the notification, is the source: notifications only say when to look.
 * Each event goes to every listener before the next one does, and the event loop gets a turn
 * between events, so a burst to thousands of subscribers does not hold up everything else.
 */
export class EventHub {
  readonly announcer: EventAnnouncer;
  private readonly feeds = new Map<string, WorkspaceFeed>();
  private readonly listener: NotificationListener;
  private poller: NodeJS.Timeout | undefined;

  constructor(
    private readonly orm: MikroORM,
    databaseUrl: string,
    private readonly logger: Logger,
  ) {
    this.announcer = new EventAnnouncer((workspaceIds) => this.notify(workspaceIds));
    orm.em.getEventManager().registerSubscriber(this.announcer);
    this.listener = new NotificationListener(databaseUrl, eventsChannel, {
      onNotification: (payload) => {
        for (const workspaceId of payload.split(',')) if (workspaceId) this.read(workspaceId);
      },
      // After PostgreSQL comes back, catch up on what happened meanwhile.
      onListening: () => this.readAll(),
      onLost: () => {},
    }, logger);
  }

  async start(): Promise<void> {
    await this.listener.start();
    this.poller = setInterval(() => this.readAll(), fallbackPollMs);
    this.poller.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.poller);
    this.announcer.stop();
    await this.listener.stop();
    await Promise.allSettled([...this.feeds.values()].map((feed) => feed.reading));
  }

  /**
   * Starts handing the workspace's new events to `listener`. Resolves with the sequence it
   * starts after: events up to it are in the log for the caller to replay.
   */
  async subscribe(workspaceId: string, listener: EventListener): Promise<{ startsAfter: number; unsubscribe: () => void }> {
    let feed = this.feeds.get(workspaceId);
    if (!feed) {
      const [{ max }] = await this.orm.em.fork().execute<{ max: string | null }[]>('select max(sequence) as max from events where workspace_id = ?', [workspaceId]);
      feed = this.feeds.get(workspaceId) ?? { cursor: Number(max ?? 0), listeners: new Set(), reading: Promise.resolve() };
      this.feeds.set(workspaceId, feed);
    }
    await feed.reading;
    feed.listeners.add(listener);
    const subscribed = feed;
    return {
      startsAfter: feed.cursor,
      unsubscribe: () => {
        subscribed.listeners.delete(listener);
        if (subscribed.listeners.size === 0 && this.feeds.get(workspaceId) === subscribed) this.feeds.delete(workspaceId);
      },
    };
  }

  /** Events of a workspace with `after < sequence <= upTo`, in sequence order. */
  readLog(workspaceId: string, range: { after: number; upTo?: number; limit: number }): Promise<EventEnvelope[]> {
    return readEventLog(this.orm.em, workspaceId, range);
  }

  get subscribedWorkspaceCount(): number {
    return this.feeds.size;
  }

  private async notify(workspaceIds: string[]): Promise<void> {
    if (workspaceIds.length === 0) return;
    await this.orm.em.fork().execute('select pg_notify(?, ?)', [eventsChannel, workspaceIds.join(',')]);
  }

  private readAll(): void {
    for (const workspaceId of this.feeds.keys()) this.read(workspaceId);
  }

  private read(workspaceId: string): void {
    const feed = this.feeds.get(workspaceId);
    if (!feed) return;
    feed.reading = feed.reading.then(() => this.readNewEvents(feed, workspaceId)).catch((error) => this.logger.warn({ err: error, workspaceId }, 'event hub read failed; the next poll retries'));
  }

  private async readNewEvents(feed: WorkspaceFeed, workspaceId: string): Promise<void> {
    for (;;) {
      const events = await readEventLog(this.orm.em, workspaceId, { after: feed.cursor, limit: readBatchSize });
      if (events.length === 0) return;
      feed.cursor = events[events.length - 1].sequence;
      for (const [index, event] of events.entries()) {
        if (index > 0) await nextTurn();
        for (const listener of feed.listeners) this.hand(listener, event, workspaceId);
      }
      if (events.length < readBatchSize) return;
    }
  }

  /** One listener's failure must not keep the event from the others. */
  private hand(listener: EventListener, event: EventEnvelope, workspaceId: string): void {
    try {
      listener(event);
    } catch (error) {
      this.logger.error({ err: error, workspaceId, sequence: event.sequence }, 'event listener failed');
    }
  }
}
