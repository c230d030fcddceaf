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
