import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type PoolClient } from 'pg';
import { newId } from '../../src/platform/ids';

/**
 * The raw-SQL ceiling: a plain `node:http` + `pg` server answering each HTTP workload with the
 * same JSON as the gateway and the SQL the gateway needs, without authentication, GraphQL or an
 * ORM. Run as its own process: `ts-node bench/references/raw-http-server.ts` with DATABASE_URL;
 * it prints `{"port": N}` once listening.
 *
 *   GET  /conversations?first=N   a page with customer and last message (3 statements)
 *   GET  /conversation?id=ID      one conversation with customer and its first 50 messages (2 statements)
 *   POST /conversations           create, idempotent by `idempotencyKey` (begin, claim, insert, record, commit)
 */
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const upper = (value: unknown) => String(value).toUpperCase();

async function conversationsPage(workspaceId: string, first: number) {
  // One row more than asked, as a keyset page reads to know whether another follows.
  const { rows: page } = await pool.query(
    'select id, subject, status, tags, customer_id from conversations where workspace_id = $1 order by created_at desc, id desc limit $2',
    [workspaceId, first + 1],
  );
  const conversations = page.slice(0, first);
  const customerIds = [...new Set(conversations.map((row) => row.customer_id).filter(Boolean))];
  const [customers, lastMessages] = await Promise.all([
    pool.query('select id, name, email from customers where id = any($1::text[])', [customerIds]),
    pool.query(
      `select distinct on (conversation_id) conversation_id, body from messages
       where conversation_id = any($1::text[]) order by conversation_id, created_at desc, id desc`,
      [conversations.map((row) => row.id)],
    ),
  ]);
  const customerById = new Map(customers.rows.map((row) => [row.id, { name: row.name, email: row.email }]));
  const lastMessageByConversation = new Map(lastMessages.rows.map((row) => [row.conversation_id, { body: row.body }]));
  const nodes = conversations.map((row) => ({
    id: row.id,
    subject: row.subject,
    status: upper(row.status),
    customer: (row.customer_id && customerById.get(row.customer_id)) ?? null,
    lastMessage: lastMessageByConversation.get(row.id) ?? null,
    tags: row.tags,
  }));
  return { conversations: { nodes } };
}

async function conversationById(workspaceId: string, id: string) {
  const [conversation, messages] = await Promise.all([
    pool.query(
      `select c.id, c.subject, c.status, cu.name, cu.email, cu.id as customer_id
       from conversations c left join customers cu on cu.id = c.customer_id where c.workspace_id = $1 and c.id = $2`,
      [workspaceId, id],
    ),
    pool.query('select id, author_type, body, created_at from messages where workspace_id = $1 and conversation_id = $2 order by created_at, id limit 51', [workspaceId, id]),
  ]);
  const row = conversation.rows[0];
  if (!row) return { conversation: null };
  return {
    conversation: {
      id: row.id,
      subject: row.subject,
      status: upper(row.status),
      customer: row.customer_id ? { name: row.name, email: row.email } : null,
      messages: {
        nodes: messages.rows.slice(0, 50).map((message) => ({
          id: message.id, authorType: upper(message.author_type), body: message.body, createdAt: new Date(message.created_at).toISOString(),
        })),
      },
    },
  };
}

interface CreateInput {
  readonly subject: string;
  readonly channel: string;
  readonly idempotencyKey: string;
}

/** The first request with a key inserts; a retry (or a racing duplicate, which waits on the claim) returns the first answer. */
async function createConversation(workspaceId: string, input: CreateInput) {
  const client: PoolClient = await pool.connect();
  try {
    await client.query('begin');
    const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
    const claim = await client.query(
      `insert into idempotency_records (api_key_id, operation, idempotency_key, workspace_id, request_hash, response, expires_at)
       values ('raw', 'conversationCreate', $1, $2, $3, 'null', now() + interval '24 hours') on conflict do nothing returning 1`,
      [input.idempotencyKey, workspaceId, requestHash],
    );
    if (claim.rowCount === 0) {
      const { rows } = await client.query(
        `select response from idempotency_records where api_key_id = 'raw' and operation = 'conversationCreate' and idempotency_key = $1`,
        [input.idempotencyKey],
      );
      await client.query('commit');
      return rows[0].response;
    }
    const { rows } = await client.query(
      `insert into conversations (id, workspace_id, subject, status, priority, channel) values ($1, $2, $3, 'open', 'normal', $4)
       returning id, subject, status, channel, priority`,
      [newId('conv'), workspaceId, input.subject, input.channel.toLowerCase()],
    );
    const response = { conversationCreate: { conversation: { ...rows[0], status: upper(rows[0].status), channel: upper(rows[0].channel), priority: upper(rows[0].priority) } } };
    await client.query(`update idempotency_records set response = $2 where api_key_id = 'raw' and operation = 'conversationCreate' and idempotency_key = $1`, [
      input.idempotencyKey,
      JSON.stringify(response),
    ]);
    await client.query('commit');
    return response;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

async function main(): Promise<void> {
  const workspaceId: string = (await pool.query(`select id from workspaces where slug = 'default'`)).rows[0].id;
  const answer = (response: ServerResponse, work: Promise<unknown>) =>
    work.then(
      (data) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data })),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
    );
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://raw');
    if (request.method === 'GET' && url.pathname === '/conversations') return answer(response, conversationsPage(workspaceId, Number(url.searchParams.get('first') ?? 20)));
    if (request.method === 'GET' && url.pathname === '/conversation') return answer(response, conversationById(workspaceId, url.searchParams.get('id') ?? ''));
    if (request.method === 'POST' && url.pathname === '/conversations') {
      return answer(response, readBody(request).then((body) => createConversation(workspaceId, JSON.parse(body) as CreateInput)));
    }
    response.writeHead(404).end();
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void pool.end().then(() => process.exit(0)));
  });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
