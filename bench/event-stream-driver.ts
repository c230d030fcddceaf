import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { askGraphQL, createHttpClient, type HttpClient } from './http-client';
import { now, serveCommands } from './event-stream-ipc';

/**
 * Child process of `bench/event-stream.ts`: sends the mutations and receives the webhooks, so
 * that the times it takes (response returned, webhook received) are not delayed by the gateway's
 * event loop being busy fanning an event out to 1,000 subscribers.
 */
export type DriverCommand =
  | { readonly cmd: 'clock' }
  | { readonly cmd: 'init'; readonly graphqlUrl: string; readonly secret: string; readonly parallelClients: number }
  | { readonly cmd: 'create'; readonly subject: string }
  | { readonly cmd: 'createAtRate'; readonly subjects: readonly string[]; readonly ratePerSecond: number }
  | { readonly cmd: 'batches'; readonly label: string; readonly conversationIds: readonly string[] }
  | { readonly cmd: 'receiverStart' }
  | { readonly cmd: 'receiverWait'; readonly distinctCountByLabel: Readonly<Record<string, number>>; readonly timeoutMs: number }
  | { readonly cmd: 'receiverStop' }
  | { readonly cmd: 'close' };

export interface Timed {
  readonly sentAt: number;
  readonly answeredAt: number;
}

export interface ReceivedDelivery {
  /** The endpoint's label: the path segment after /hooks/. */
  readonly label: string;
  readonly receivedAt: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

export interface ReceiverReport {
  readonly isComplete: boolean;
  /** Every POST to the awaited labels, answered or not. */
  readonly received: ReceivedDelivery[];
  /** Per awaited label: the peak of POSTs being handled at once, and of connections open at once (the gateway opens one per attempt). */
  readonly maxConcurrentRequestsByLabel: Record<string, number>;
  readonly maxOpenConnectionsByLabel: Record<string, number>;
}

const createMutation = /* GraphQL */ `mutation Create($subject: String!) { conversationCreate(input: { subject: $subject, channel: API }) { conversation { id } } }`;
const batchMutation = /* GraphQL */ `mutation Batch($input: ConversationsBatchUpdateInput!) { conversationsBatchUpdate(input: $input) { appliedCount failedCount } }`;

let graphqlUrl = '';
let secret = '';
let clients: HttpClient[] = [];

function ask(client: HttpClient, query: string, variables: Record<string, unknown>): Promise<Record<string, any>> {
  return askGraphQL(client, graphqlUrl, secret, query, variables);
}

async function create(subject: string): Promise<Timed & { id: string }> {
  const sentAt = now();
  const data = await ask(clients[0], createMutation, { subject });
  return { sentAt, answeredAt: now(), id: data.conversationCreate.conversation.id };
}

/**
 * Open loop: the i-th creation is sent at i / rate seconds whatever the earlier ones' answers,
 * over the parallel clients in turn, so a slow answer does not hold back the next event.
 */
async function createAtRate(subjects: readonly string[], ratePerSecond: number): Promise<(Timed & { subject: string })[]> {
  const startedAt = now();
  return Promise.all(
    subjects.map(async (subject, index) => {
      await new Promise((resolve) => setTimeout(resolve, startedAt + (index * 1000) / ratePerSecond - now()));
      const sentAt = now();
      await ask(clients[index % clients.length], createMutation, { subject });
      return { subject, sentAt, answeredAt: now() };
    }),
  );
}

/** One conversationsBatchUpdate per client, all at once, each adding a tag to every conversation. */
async function batches(label: string, conversationIds: readonly string[]): Promise<Timed> {
  const sentAt = now();
  const answeredAt = await Promise.all(
    clients.map(async (client, index) => {
      const operations = conversationIds.map((id) => ({ id, tagsAdd: [`${label}-${index}`] }));
      const result = (await ask(client, batchMutation, { input: { operations } })).conversationsBatchUpdate;
      if (result.appliedCount !== conversationIds.length) throw new Error(`batch ${label}-${index}: ${JSON.stringify(result)}`);
      return now();
    }),
  );
  return { sentAt, answeredAt: Math.max(...answeredAt) };
}

interface Receiver {
  server: Server | undefined;
  readonly received: ReceivedDelivery[];
  readonly idsByLabel: Map<string, Set<string>>;
  readonly maxConcurrentByLabel: Map<string, number>;
  readonly maxConnectionsByLabel: Map<string, number>;
  onReceived: () => void;
}

let receiver: Receiver | undefined;

/** How many of something per label now, and the most there were at once. */
class PeakCounter {
  private readonly current = new Map<string, number>();

  constructor(private readonly peaks: Map<string, number>) {}

  add(label: string): void {
    const count = (this.current.get(label) ?? 0) + 1;
    this.current.set(label, count);
    this.peaks.set(label, Math.max(this.peaks.get(label) ?? 0, count));
  }

  remove(label: string): void {
    this.current.set(label, (this.current.get(label) ?? 1) - 1);
  }
}

/**
 * One server for every endpoint of a run; `/hooks/<label>` names the endpoint and the query says
 * how it answers: `200` at once by default, after `?delayMs=N`, with `?status=N`, or never
 * (`?hang`, until the receiver stops).
 */
async function receiverStart(): Promise<{ origin: string }> {
  const state: Receiver = { server: undefined, received: [], idsByLabel: new Map(), maxConcurrentByLabel: new Map(), maxConnectionsByLabel: new Map(), onReceived: () => {} };
  const concurrent = new PeakCounter(state.maxConcurrentByLabel);
  const connections = new PeakCounter(state.maxConnectionsByLabel);
  const labelledSockets = new WeakSet<object>();
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://receiver');
    const label = url.pathname.replace(/^\/hooks\//, '');
    concurrent.add(label);
    response.once('close', () => concurrent.remove(label));
    // Each dispatcher's connections carry one endpoint's POSTs, so a connection counts for the label of its first.
    if (!labelledSockets.has(request.socket)) {
      labelledSockets.add(request.socket);
      connections.add(label);
      request.socket.once('close', () => connections.remove(label));
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = request.headers as Record<string, string>;
      state.received.push({ label, receivedAt: now(), body: Buffer.concat(chunks).toString('utf8'), headers });
      const status = Number(url.searchParams.get('status') ?? 200);
      if (status >= 200 && status < 300) {
        const ids = state.idsByLabel.get(label) ?? new Set<string>();
        state.idsByLabel.set(label, ids.add(headers['webhook-id']));
      }
      state.onReceived();
      if (url.searchParams.has('hang')) return;
      const answer = () => response.writeHead(status).end();
      const delayMs = Number(url.searchParams.get('delayMs') ?? 0);
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The handlers above read `state`, so the receiver is that same object, not a copy.
  state.server = server;
  receiver = state;
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Waits until each label has received its count of distinct event ids with a 2xx (or the timeout), then reports those labels. */
async function receiverWait(distinctCountByLabel: Readonly<Record<string, number>>, timeoutMs: number): Promise<ReceiverReport> {
  const state = receiver!;
  const labels = Object.keys(distinctCountByLabel);
  const isDone = () => labels.every((label) => (state.idsByLabel.get(label)?.size ?? 0) >= distinctCountByLabel[label]);
  const isComplete =
    isDone() ||
    (await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      state.onReceived = () => {
        if (!isDone()) return;
        clearTimeout(timer);
        resolve(true);
      };
    }));
  state.onReceived = () => {};
  return {
    isComplete,
    received: state.received.filter((delivery) => labels.includes(delivery.label)),
    maxConcurrentRequestsByLabel: Object.fromEntries(labels.map((label) => [label, state.maxConcurrentByLabel.get(label) ?? 0])),
    maxOpenConnectionsByLabel: Object.fromEntries(labels.map((label) => [label, state.maxConnectionsByLabel.get(label) ?? 0])),
  };
}

async function receiverStop(): Promise<void> {
  if (!receiver) return;
  const { server } = receiver;
  receiver = undefined;
  server!.closeAllConnections();
  await new Promise<void>((resolve) => server!.close(() => resolve()));
}

serveCommands<DriverCommand>(async (command) => {
  switch (command.cmd) {
    case 'clock':
      return now();
    case 'init':
      graphqlUrl = command.graphqlUrl;
      secret = command.secret;
      // A batch of 100 updates waits for the batches ahead of it on the workspace lock: seconds, by design.
      clients = Array.from({ length: command.parallelClients }, () => createHttpClient(60_000));
      return null;
    case 'create':
      return create(command.subject);
    case 'createAtRate':
      return createAtRate(command.subjects, command.ratePerSecond);
    case 'batches':
      return batches(command.label, command.conversationIds);
    case 'receiverStart':
      return receiverStart();
    case 'receiverWait':
      return receiverWait(command.distinctCountByLabel, command.timeoutMs);
    case 'receiverStop':
      return receiverStop();
    case 'close':
      await receiverStop();
      for (const client of clients) client.close();
      return null;
  }
});
