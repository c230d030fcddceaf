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
  | { readonly cmd: 'batches'; readonly label: string; readonly conversationIds: readonly string[] }
  | { readonly cmd: 'receiverStart' }
  | { readonly cmd: 'receiverWait'; readonly distinctCount: number; readonly timeoutMs: number }
  | { readonly cmd: 'receiverStop' }
  | { readonly cmd: 'close' };

export interface Timed {
  readonly sentAt: number;
  readonly answeredAt: number;
}

export interface ReceivedDelivery {
  readonly receivedAt: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

export interface ReceiverReport {
  readonly isComplete: boolean;
  readonly received: ReceivedDelivery[];
  /** The dispatcher opens one connection per attempt, so this is its peak of parallel POSTs. */
  readonly maxOpenConnections: number;
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

let receiver: { server: Server; received: ReceivedDelivery[]; ids: Set<string>; maxOpen: number; onReceived: () => void } | undefined;

/** Answers 200 as soon as the body is read. */
async function receiverStart(): Promise<{ url: string }> {
  const state = { received: [] as ReceivedDelivery[], ids: new Set<string>(), maxOpen: 0, onReceived: () => {}, server: undefined as unknown as Server };
  let open = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = request.headers as Record<string, string>;
      state.received.push({ receivedAt: now(), body: Buffer.concat(chunks).toString('utf8'), headers });
      state.ids.add(headers['webhook-id']);
      response.writeHead(200).end();
      state.onReceived();
    });
  });
  server.on('connection', (socket) => {
    state.maxOpen = Math.max(state.maxOpen, ++open);
    socket.once('close', () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The handlers above read `state`, so the receiver is that same object, not a copy.
  state.server = server;
  receiver = state;
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
}

/** Waits until `distinctCount` event ids arrived (or the timeout), then reports everything received. */
async function receiverWait(distinctCount: number, timeoutMs: number): Promise<ReceiverReport> {
  const state = receiver!;
  const isComplete =
    state.ids.size >= distinctCount ||
    (await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      state.onReceived = () => {
        if (state.ids.size < distinctCount) return;
        clearTimeout(timer);
        resolve(true);
      };
    }));
  state.onReceived = () => {};
  return { isComplete, received: state.received, maxOpenConnections: state.maxOpen };
}

async function receiverStop(): Promise<void> {
  if (!receiver) return;
  const { server } = receiver;
  receiver = undefined;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
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
    case 'batches':
      return batches(command.label, command.conversationIds);
    case 'receiverStart':
      return receiverStart();
    case 'receiverWait':
      return receiverWait(command.distinctCount, command.timeoutMs);
    case 'receiverStop':
      return receiverStop();
    case 'close':
      await receiverStop();
      for (const client of clients) client.close();
      return null;
  }
});
