import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';

/**
 * The raw-SQL ceiling for a conversations page: what a hand-written handler over `pg` costs for
 * the same rows and the same JSON as `conversations(first: N) { nodes { id subject status
 * customer { name email } lastMessage { body } tags } }`. Three statements (the page, its
 * customers, the last messages by DISTINCT ON), no authentication, no GraphQL.
 * `GET /conversations?first=N`.
 */
export async function startRawSqlPeer(databaseUrl: string, workspaceSlug = 'default') {
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  const workspaceId: string = (await pool.query('select id from workspaces where slug = $1', [workspaceSlug])).rows[0].id;

  const conversationsPage = async (first: number) => {
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
    return conversations.map((row) => ({
      id: row.id,
      subject: row.subject,
      status: String(row.status).toUpperCase(),
      customer: (row.customer_id && customerById.get(row.customer_id)) ?? null,
      lastMessage: lastMessageByConversation.get(row.id) ?? null,
      tags: row.tags,
    }));
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://peer');
    if (url.pathname !== '/conversations') return void response.writeHead(404).end();
    conversationsPage(Number(url.searchParams.get('first') ?? 20)).then(
      (nodes) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ data: { conversations: { nodes } } }));
      },
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Statements per page, for the report. */
    statementsPerPage: 3,
    async serverVersion(): Promise<string> {
      return (await pool.query('show server_version')).rows[0].server_version;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}

export type RawSqlPeer = Awaited<ReturnType<typeof startRawSqlPeer>>;
