import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { markerPrefix, now, serveCommands, settledMemory } from './event-stream-ipc';

/**
 * Child process of `bench/event-stream.ts`: holds the graphql-ws subscribers, so that the
 * gateway's process heap holds only the server side of each subscription and the gateway's event
 * loop does not also run 1,000 clients. Besides answering commands it sends
 * `{ event: 'complete', tag }` once every subscriber of this process has received the event whose
 * conversation subject is `tag`. `close` closes every socket and leaves the process ready to
 * `connect` to the next server.
 */
export type SubscriberCommand =
  | { readonly cmd: 'clock' }
  | { readonly cmd: 'connect'; readonly url: string; readonly secrets: readonly string[]; readonly concurrency: number }
  | { readonly cmd: 'subscribe'; readonly query: string; readonly variables: Record<string, unknown> }
  | { readonly cmd: 'liveCount' }
  | { readonly cmd: 'memory' }
  | { readonly cmd: 'results'; readonly tags: readonly string[] }
  | { readonly cmd: 'close' };

export interface TagReceipts {
  /** Receive time per subscriber (this process's clock, ms since the epoch, sub-ms), NaN when missed. */
  readonly receivedAt: number[];
  /** The event's occurredAt as the subscriber saw it. */
  readonly occurredAt: string | undefined;
}

export interface SubscriberResults {
  readonly receipts: Record<string, TagReceipts>;
  readonly subscriptionErrors: number;
  readonly closedSockets: number;
  /** CPU time this process spent (user + system), ms, since `subscribe`. */
  readonly cpuMsSinceSubscribe: number;
  readonly messagesSinceSubscribe: number;
}

interface Subscriber {
  readonly client: Client;
  isLive: boolean;
}

/** Everything one `connect` … `close` holds; `close` starts a new one, so the process serves the next server. */
class Session {
  readonly subscribers: Subscriber[] = [];
  readonly receipts = new Map<string, { receivedAt: Float64Array; count: number; occurredAt: string | undefined }>();
  subscriptionErrors = 0;
  closedSockets = 0;
  isClosing = false;
  cpuAtSubscribe: NodeJS.CpuUsage | undefined;
  messageCount = 0;

  receive(index: number, subject: string, occurredAt: string | undefined): void {
    const receivedAt = now();
    this.messageCount++;
    const subscriber = this.subscribers[index];
    if (subject.startsWith(markerPrefix)) subscriber.isLive = true;
    let receipt = this.receipts.get(subject);
    if (!receipt) {
      receipt = { receivedAt: new Float64Array(this.subscribers.length).fill(Number.NaN), count: 0, occurredAt };
      this.receipts.set(subject, receipt);
    }
    if (!Number.isNaN(receipt.receivedAt[index])) return;
    receipt.receivedAt[index] = receivedAt;
    if (++receipt.count === this.subscribers.length) process.send!({ event: 'complete', tag: subject });
  }

  async connect(url: string, secrets: readonly string[], concurrency: number): Promise<{ ms: number }> {
    const startedAt = performance.now();
    const open = (secret: string) =>
      new Promise<void>((resolve, reject) => {
        const client = createClient({
          url,
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${secret}` },
          lazy: false,
          retryAttempts: 0,
          on: {
            connected: () => resolve(),
            closed: (event) => {
              if (!this.isClosing) this.closedSockets++;
              reject(new Error(`socket closed before connection_ack: ${(event as { code?: number }).code}`));
            },
            error: (error) => reject(error instanceof Error ? error : new Error(String(error))),
          },
        });
        this.subscribers.push({ client, isLive: false });
      });
    for (let next = 0; next < secrets.length; next += concurrency) await Promise.all(secrets.slice(next, next + concurrency).map(open));
    return { ms: performance.now() - startedAt };
  }

  subscribe(query: string, variables: Record<string, unknown>): { count: number } {
    this.cpuAtSubscribe = process.cpuUsage();
    this.messageCount = 0;
    this.subscribers.forEach((subscriber, index) => {
      subscriber.client.subscribe<{ events: { occurredAt: string; data: { conversation?: { subject?: string } } } }>(
        { query, variables },
        {
          next: (result) => {
            if (result.errors) this.subscriptionErrors++;
            const event = result.data?.events;
            const subject = event?.data.conversation?.subject;
            if (subject !== undefined) this.receive(index, subject, event!.occurredAt);
          },
          error: () => void this.subscriptionErrors++,
          complete: () => {
            if (!this.isClosing) this.subscriptionErrors++;
          },
        },
      );
    });
    return { count: this.subscribers.length };
  }

  results(tags: readonly string[]): SubscriberResults {
    const cpu = process.cpuUsage(this.cpuAtSubscribe);
    return {
      receipts: Object.fromEntries(
        tags.map((tag) => {
          const receipt = this.receipts.get(tag);
          return [tag, { receivedAt: receipt ? Array.from(receipt.receivedAt) : this.subscribers.map(() => Number.NaN), occurredAt: receipt?.occurredAt }];
        }),
      ),
      subscriptionErrors: this.subscriptionErrors,
      closedSockets: this.closedSockets,
      cpuMsSinceSubscribe: (cpu.user + cpu.system) / 1000,
      messagesSinceSubscribe: this.messageCount,
    };
  }

  async close(): Promise<{ ok: true }> {
    this.isClosing = true;
    await Promise.allSettled(this.subscribers.map((subscriber) => subscriber.client.dispose()));
    return { ok: true };
  }
}

let session = new Session();

serveCommands<SubscriberCommand>(async (command) => {
  switch (command.cmd) {
    case 'clock':
      return now();
    case 'connect':
      return session.connect(command.url, command.secrets, command.concurrency);
    case 'subscribe':
      return session.subscribe(command.query, command.variables);
    case 'liveCount':
      return session.subscribers.filter((subscriber) => subscriber.isLive).length;
    case 'memory':
      return settledMemory();
    case 'results':
      return session.results(command.tags);
    case 'close': {
      const closing = session;
      session = new Session();
      return closing.close();
    }
  }
});
