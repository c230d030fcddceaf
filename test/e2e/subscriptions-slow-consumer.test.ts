import { once } from 'node:events';
import type { Socket } from 'node:net';
import { Client } from 'pg';
import WebSocket from 'ws';
import { eventsChannel } from '../../src/modules/events/hub/event-announcer';
import { pollUntil } from '../support/poll-until';
import { startGateway, type TestGateway } from '../support/start-gateway';

const flooding = { eventCount: 5_000, paddingBytes: 4_096 };

/** Writes `count` padded events straight into the log, as a burst of activity would, and wakes the hubs. */
async function floodEventLog(databaseUrl: string, count: number): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query(`update workspaces set event_sequence = event_sequence + $1 where slug = 'default' returning id, event_sequence`, [count]);
    const { id: workspaceId, event_sequence: last } = rows[0];
    await client.query(
      `insert into events (id, workspace_id, sequence, type, data)
       select 'evt_flood' || n, $1, $2::bigint - $3 + n, 'conversation.created', jsonb_build_object('conversation', jsonb_build_object('subject', repeat('x', $4)))
       from generate_series(1, $3) as n`,
      [workspaceId, last, count, flooding.paddingBytes],
    );
    await client.query('commit');
    await client.query('select pg_notify($1, $2)', [eventsChannel, workspaceId]);
  } finally {
    await client.end();
  }
}

async function openConnectionsOf(gateway: TestGateway): Promise<number> {
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  return Number(/gateway_subscription_connections\{transport="websocket"\} (\d+)/.exec(metrics)?.[1]);
}

describe('SUB-SLOW: a subscriber that stops reading is cut off', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.stop());

  it('SUB-11 its socket is closed once its backlog passes the bound, and the server lets go of it', async () => {
    const socket = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${gateway.adminSecret}` } }));
    const [ack] = await once(socket, 'message');
    expect(JSON.parse(String(ack)).type).toBe('connection_ack');
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { events { id data } }' } }));
    await pollUntil(async () => (await openConnectionsOf(gateway)) === 1, { timeoutMs: 5_000, description: 'the subscription socket counted' });

    // The client stops reading: its TCP window fills, then the gateway's send buffer.
    (socket as unknown as { _socket: Socket })._socket.pause();
    await floodEventLog(gateway.databaseUrl, flooding.eventCount);

    await pollUntil(async () => (await openConnectionsOf(gateway)) === 0, { timeoutMs: 20_000, description: 'the slow subscriber cut off' });
    socket.terminate();
  });
});
