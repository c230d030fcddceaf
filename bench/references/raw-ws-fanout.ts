import type { AddressInfo } from 'node:net';
import { CloseCode, MessageType } from 'graphql-ws';
import { Client } from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { cpuMs, serveCommands, settledMemory } from '../event-stream-ipc';

/**
 * The ceiling for "one event to N subscribers": a plain `ws` server speaking just enough of
 * graphql-transport-ws for the graphql-ws clients of bench/event-stream-subscribers.ts
 * (connection_init → connection_ack, subscribe, next, complete, ping → pong), with no
 * authentication, GraphQL or per-workspace filtering (the bench has one workspace). It learns of
 * events as the gateway's event hub does: LISTEN on `gateway_events` (the gateway's announcer
 * notifies it), then the workspace's new rows from `events` by sequence. Each event is serialised
 * once; every subscription whose `types` variable admits it gets those bytes behind its own id.
 *
 * Child process of bench/event-stream.ts: `start` answers the WebSocket URL; `cpu` and `memory`
 * the process's CPU time (ms) and memory after gc, so the parent measures this server as it
 * measures the gateway.
 */
export type RawFanoutCommand =
  | { readonly cmd: 'start'; readonly databaseUrl: string }
  | { readonly cmd: 'cpu' }
  | { readonly cmd: 'memory' }
  | { readonly cmd: 'close' };

/** As the gateway: a client that stops reading is cut off once this much is queued for it. */
const maxBufferedBytes = 1_048_576;
const readBatchSize = 500;
const eventsChannel = 'gateway_events';

interface Subscription {
  readonly socket: WebSocket;
  /** `{"id":"…","type":"next","payload":` for this subscription, encoded once. */
  readonly frameHead: Buffer;
  readonly types: ReadonlySet<string> | null;
}

interface EventRow {
  readonly id: string;
  readonly type: string;
  readonly sequence: string;
  readonly occurred_at: Date;
  readonly data: unknown;
}

const subscriptions = new Set<Subscription>();
const cursorByWorkspace = new Map<string, number>();
const readingByWorkspace = new Map<string, Promise<void>>();
let server: WebSocketServer | undefined;
let listenClient: Client | undefined;
let readClient: Client | undefined;

function fanOut(event: EventRow): void {
  // The same field order as the gateway's answer to bench/event-stream.ts's subscription.
  const envelope = { id: event.id, type: event.type, sequence: Number(event.sequence), occurredAt: new Date(event.occurred_at).toISOString(), data: event.data };
  const payload = Buffer.from(`${JSON.stringify({ data: { events: envelope } })}}`);
  for (const subscription of subscriptions) {
    if (subscription.types && !subscription.types.has(event.type)) continue;
    if (subscription.socket.bufferedAmount > maxBufferedBytes) {
      subscription.socket.terminate();
      continue;
    }
    subscription.socket.send(Buffer.concat([subscription.frameHead, payload]), { binary: false });
  }
}

async function readNewEvents(workspaceId: string): Promise<void> {
  for (;;) {
    const after = cursorByWorkspace.get(workspaceId) ?? 0;
    const { rows } = await readClient!.query<EventRow>(
      'select id, type, sequence, occurred_at, data from events where workspace_id = $1 and sequence > $2 order by sequence limit $3',
      [workspaceId, after, readBatchSize],
    );
    if (rows.length === 0) return;
    cursorByWorkspace.set(workspaceId, Number(rows[rows.length - 1].sequence));
    for (const row of rows) fanOut(row);
    if (rows.length < readBatchSize) return;
  }
}

/** Reads of one workspace run one after another, so no event goes out twice. */
function read(workspaceId: string): void {
  const reading = (readingByWorkspace.get(workspaceId) ?? Promise.resolve())
    .then(() => readNewEvents(workspaceId))
    .catch((error: unknown) => void process.stderr.write(`raw-ws-fanout: read failed: ${String(error)}\n`));
  readingByWorkspace.set(workspaceId, reading);
}

function accept(socket: WebSocket): void {
  const own = new Map<string, Subscription>();
  let isAcknowledged = false;
  const reply = (message: object) => socket.send(JSON.stringify(message));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: { variables?: { types?: string[] } } };
    switch (message.type) {
      case MessageType.ConnectionInit:
        if (isAcknowledged) return socket.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
        isAcknowledged = true;
        return reply({ type: MessageType.ConnectionAck });
      case MessageType.Ping:
        return reply({ type: MessageType.Pong });
      case MessageType.Subscribe: {
        if (!isAcknowledged) return socket.close(CloseCode.Unauthorized, 'Unauthorized');
        const id = message.id!;
        if (own.has(id)) return socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
        const types = message.payload?.variables?.types;
        const subscription = { socket, frameHead: Buffer.from(`{"id":${JSON.stringify(id)},"type":"${MessageType.Next}","payload":`), types: types ? new Set(types) : null };
        own.set(id, subscription);
        subscriptions.add(subscription);
        return undefined;
      }
      case MessageType.Complete: {
        const subscription = own.get(message.id!);
        own.delete(message.id!);
        if (subscription) subscriptions.delete(subscription);
        return undefined;
      }
      default:
        return socket.close(CloseCode.BadRequest, `Unexpected message type ${message.type}`);
    }
  });
  socket.on('close', () => {
    for (const subscription of own.values()) subscriptions.delete(subscription);
  });
}

async function start(databaseUrl: string): Promise<{ url: string }> {
  readClient = new Client({ connectionString: databaseUrl });
  await readClient.connect();
  const { rows } = await readClient.query<{ workspace_id: string; max: string }>('select workspace_id, max(sequence) as max from events group by workspace_id');
  for (const row of rows) cursorByWorkspace.set(row.workspace_id, Number(row.max));
  listenClient = new Client({ connectionString: databaseUrl });
  listenClient.on('notification', (message) => {
    for (const workspaceId of (message.payload ?? '').split(',')) if (workspaceId) read(workspaceId);
  });
  await listenClient.connect();
  await listenClient.query(`listen ${eventsChannel}`);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', accept);
  server = wss;
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/graphql` };
}

async function close(): Promise<null> {
  for (const client of server?.clients ?? []) client.terminate();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  // No notification starts a read from here on; the reads under way finish before their connection goes.
  await listenClient?.end().catch(() => undefined);
  await Promise.allSettled([...readingByWorkspace.values()]);
  await readClient?.end().catch(() => undefined);
  return null;
}

serveCommands<RawFanoutCommand>(async (command) => {
  switch (command.cmd) {
    case 'start':
      return start(command.databaseUrl);
    case 'cpu':
      return cpuMs();
    case 'memory':
      return settledMemory();
    case 'close':
      return close();
  }
});
