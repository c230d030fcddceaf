import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { now, serveCommands, settledMemory } from './event-stream-ipc';

/**
 * Child process of `bench/event-stream.ts`: holds the graphql-ws subscribers, so that the
 * gateway's process heap holds only the server side of each subscription and the gateway's event
 * loop does not also run 1,000 clients. Besides answering commands it sends
 * `{ event: 'complete', tag }` once every subscriber of this process has received the event whose
 * conversation subject is `tag`.
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

/** Marker events (subject prefix) only show that a subscription is live. */
export const markerPrefix = 'marker ';

interface Subscriber {
  readonly client: Client;
  isLive: boolean;
}

const subscribers: Subscriber[] = [];
const receipts = new Map<string, { receivedAt: Float64Array; count: number; occurredAt: string | undefined }>();
let subscriptionErrors = 0;
let closedSockets = 0;
let isClosing = false;
let cpuAtSubscribe: NodeJS.CpuUsage | undefined;
let messageCount = 0;

function receive(index: number, subject: string, occurredAt: string | undefined): void {
  const receivedAt = now();
  messageCount++;
  const subscriber = subscribers[index];
  if (subject.startsWith(markerPrefix)) subscriber.isLive = true;
  let receipt = receipts.get(subject);
  if (!receipt) {
    receipt = { receivedAt: new Float64Array(subscribers.length).fill(Number.NaN), count: 0, occurredAt };
    receipts.set(subject, receipt);
  }
  if (!Number.isNaN(receipt.receivedAt[index])) return;
  receipt.receivedAt[index] = receivedAt;
  if (++receipt.count === subscribers.length) process.send!({ event: 'complete', tag: subject });
}

async function connect(url: string, secrets: readonly string[], concurrency: number): Promise<{ ms: number }> {
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
            if (!isClosing) closedSockets++;
            reject(new Error(`socket closed before connection_ack: ${(event as { code?: number }).code}`));
          },
          error: (error) => reject(error instanceof Error ? error : new Error(String(error))),
        },
      });
      subscribers.push({ client, isLive: false });
    });
  for (let next = 0; next < secrets.length; next += concurrency) await Promise.all(secrets.slice(next, next + concurrency).map(open));
  return { ms: performance.now() - startedAt };
}

function subscribe(query: string, variables: Record<string, unknown>): { count: number } {
  cpuAtSubscribe = process.cpuUsage();
  messageCount = 0;
  subscribers.forEach((subscriber, index) => {
    subscriber.client.subscribe<{ events: { occurredAt: string; data: { conversation?: { subject?: string } } } }>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) subscriptionErrors++;
          const event = result.data?.events;
          const subject = event?.data.conversation?.subject;
          if (subject !== undefined) receive(index, subject, event!.occurredAt);
        },
        error: () => void subscriptionErrors++,
        complete: () => {
          if (!isClosing) subscriptionErrors++;
        },
      },
    );
  });
  return { count: subscribers.length };
}

function results(tags: readonly string[]): SubscriberResults {
  const cpu = process.cpuUsage(cpuAtSubscribe);
  return {
    receipts: Object.fromEntries(
      tags.map((tag) => {
        const receipt = receipts.get(tag);
        return [tag, { receivedAt: receipt ? Array.from(receipt.receivedAt) : subscribers.map(() => Number.NaN), occurredAt: receipt?.occurredAt }];
      }),
    ),
    subscriptionErrors,
    closedSockets,
    cpuMsSinceSubscribe: (cpu.user + cpu.system) / 1000,
    messagesSinceSubscribe: messageCount,
  };
}

async function close(): Promise<{ ok: true }> {
  isClosing = true;
  await Promise.allSettled(subscribers.map((subscriber) => subscriber.client.dispose()));
  return { ok: true };
}

serveCommands<SubscriberCommand>(async (command) => {
  switch (command.cmd) {
    case 'clock':
      return now();
    case 'connect':
      return connect(command.url, command.secrets, command.concurrency);
    case 'subscribe':
      return subscribe(command.query, command.variables);
    case 'liveCount':
      return subscribers.filter((subscriber) => subscriber.isLive).length;
    case 'memory':
      return settledMemory();
    case 'results':
      return results(command.tags);
    case 'close':
      return close();
  }
});
