import { Client } from 'pg';
import { newId } from '../../src/platform/ids';

export interface SeededWorkspace {
  readonly workspaceId: string;
  readonly agentIds: string[];
  readonly teamId: string;
}

async function withClient<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Agents and a team in a workspace (the API lists them; the platform, not the API, creates them). */
export function seedAgents(databaseUrl: string, workspaceSlug = 'default', count = 3): Promise<SeededWorkspace> {
  return withClient(databaseUrl, async (client) => {
    const workspaceId = (await client.query('select id from workspaces where slug = $1', [workspaceSlug])).rows[0].id as string;
    const teamId = newId('team');
    await client.query('insert into teams (id, workspace_id, name) values ($1, $2, $3)', [teamId, workspaceId, 'Tier 1']);
    const agentIds = Array.from({ length: count }, () => newId('agt'));
    for (const [index, id] of agentIds.entries()) {
      await client.query('insert into agents (id, workspace_id, team_id, name, email) values ($1, $2, $3, $4, $5)', [id, workspaceId, teamId, `Agent ${index}`, `agent${index}@example.com`]);
    }
    return { workspaceId, agentIds, teamId };
  });
}

/** `count` conversations, each with its own customer, an assignee, tags and `messagesEach` messages. */
export function seedConversations(databaseUrl: string, seeded: SeededWorkspace, count: number, messagesEach = 2): Promise<string[]> {
  return withClient(databaseUrl, async (client) => {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const customerId = newId('cus');
      const conversationId = newId('conv');
      ids.push(conversationId);
      await client.query('insert into customers (id, workspace_id, name, email) values ($1, $2, $3, $4)', [customerId, seeded.workspaceId, `Customer ${index}`, `c${index}-${customerId}@example.com`]);
      await client.query(
        `insert into conversations (id, workspace_id, customer_id, subject, status, priority, channel, assignee_id, team_id, tags, created_at, updated_at, last_activity_at)
         values ($1, $2, $3, $4, 'open', 'normal', 'email', $5, $6, $7, now() - ($8 || ' minutes')::interval, now(), now())`,
        [conversationId, seeded.workspaceId, customerId, `Seeded ${index}`, seeded.agentIds[index % seeded.agentIds.length], seeded.teamId, ['seeded', `batch-${index % 3}`], String(index)],
      );
      for (let message = 0; message < messagesEach; message++) {
        await client.query(
          `insert into messages (id, workspace_id, conversation_id, author_type, body, created_at) values ($1, $2, $3, $4, $5, now() - ($6 || ' seconds')::interval)`,
          [newId('msg'), seeded.workspaceId, conversationId, message % 2 === 0 ? 'customer' : 'agent', `Message ${message} of ${index}`, String(messagesEach - message)],
        );
      }
    }
    return ids;
  });
}

/** `notesEach` internal notes on each conversation and on each conversation's customer. */
export function seedNotes(databaseUrl: string, seeded: SeededWorkspace, conversationIds: readonly string[], notesEach = 2): Promise<void> {
  return withClient(databaseUrl, async (client) => {
    for (const [table, parentColumn, parentIds] of [
      ['conversation_notes', 'conversation_id', conversationIds],
      ['customer_notes', 'customer_id', (await client.query('select customer_id from conversations where id = any($1)', [conversationIds])).rows.map((row) => row.customer_id)],
    ] as const) {
      await client.query(
        `insert into ${table} (id, workspace_id, ${parentColumn}, author, body, created_at)
         select $3 || replace(gen_random_uuid()::text, '-', ''), $1, parent.id, 'seed', 'Note ' || n, now() - (n || ' seconds')::interval
         from unnest($2::text[]) as parent(id), generate_series(1, $4) as n`,
        [seeded.workspaceId, parentIds, table === 'conversation_notes' ? 'note_' : 'cnote_', notesEach],
      );
    }
  });
}

/**
 * `endpointCount` webhook endpoints, each with `deliveriesEach` finished deliveries of as many
 * events, each delivery with two attempts. Nothing is left for the dispatcher to send.
 */
export function seedWebhookDeliveries(databaseUrl: string, workspaceId: string, endpointCount: number, deliveriesEach: number): Promise<string[]> {
  return withClient(databaseUrl, async (client) => {
    const [{ event_sequence: lastSequence }] = (
      await client.query('update workspaces set event_sequence = event_sequence + $2 where id = $1 returning event_sequence', [workspaceId, deliveriesEach])
    ).rows;
    const endpointIds = Array.from({ length: endpointCount }, () => newId('we'));
    // Endpoints first, already past the new events, so the fan-out never queues deliveries of them.
    await client.query(
      `insert into webhook_endpoints (id, workspace_id, url, secret_ciphertext, enqueued_through_sequence, created_by, created_at)
       select endpoint.id, $1, 'https://hooks.example.com/' || endpoint.id, 'unused', $3, 'seed', now() - (position || ' seconds')::interval
       from unnest($2::text[]) with ordinality as endpoint(id, position)`,
      [workspaceId, endpointIds, lastSequence],
    );
    const eventIdPrefix = newId('evt');
    await client.query(
      `insert into events (id, workspace_id, sequence, type, occurred_at, data)
       select $4 || '_' || n, $1, $2::bigint - $3::int + n, 'conversation.created', now(), '{}' from generate_series(1, $3::int) as n`,
      [workspaceId, lastSequence, deliveriesEach, eventIdPrefix],
    );
    await client.query(
      `insert into webhook_deliveries (id, workspace_id, endpoint_id, event_id, event_sequence, event_type, status, attempt_count, next_attempt_at, created_at)
       select new_public_id('del'), $1, endpoint.id, $5 || '_' || n, $2::bigint - $3::int + n, 'conversation.created',
              'succeeded', 2, null, now() - (n || ' seconds')::interval
       from unnest($4::text[]) as endpoint(id), generate_series(1, $3::int) as n`,
      [workspaceId, lastSequence, deliveriesEach, endpointIds, eventIdPrefix],
    );
    await client.query(
      `insert into webhook_attempts (id, workspace_id, delivery_id, endpoint_id, attempt_number, started_at, duration_ms, status_code, outcome)
       select new_public_id('att'), $1, delivery.id, delivery.endpoint_id, attempt, now(), 5, case attempt when 1 then 500 else 200 end,
              case attempt when 1 then 'server_error' else 'succeeded' end
       from webhook_deliveries delivery, generate_series(1, 2) as attempt where delivery.endpoint_id = any($2)`,
      [workspaceId, endpointIds],
    );
    return endpointIds;
  });
}

/**
 * Runs `work` on `client` with triggers off (foreign keys and the analytics triggers too), for
 * seeding rows in bulk: the analytics triggers take most of a minute over tens of thousands of
 * rows in one statement. For tests of lists and exports, not of figures.
 */
export async function withoutTriggers<T>(client: Client, work: () => Promise<T>): Promise<T> {
  await client.query('set session_replication_role = replica');
  try {
    return await work();
  } finally {
    await client.query('set session_replication_role = origin');
  }
}

/**
 * `count` conversations `conv_<n padded to 20>` with subjects `<subject> n`, one a second (or
 * minute) after 2026-11-01, in one statement and without triggers (`withoutTriggers`).
 */
export async function insertBareConversations(client: Client, workspaceId: string, count: number, subject: string, spacing: '1 second' | '1 minute' = '1 second'): Promise<void> {
  await withoutTriggers(client, () =>
    client.query(
      `insert into conversations (id, workspace_id, subject, status, priority, channel, created_at, updated_at, last_activity_at)
       select 'conv_' || lpad(n::text, 20, '0'), $1, $3 || ' ' || n, 'open', 'normal', 'email', timestamp '2026-11-01' + n * $4::interval, now(), now()
       from generate_series(1, $2) n`,
      [workspaceId, count, subject, spacing],
    ),
  );
}
