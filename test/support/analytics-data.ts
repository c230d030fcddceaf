import { Client } from 'pg';
import { allowedTransitions } from '../../src/modules/conversations/conversation-status';
import type { ConversationStatus } from '../../src/modules/conversations/conversation.entity';
import { createRandom } from '../../src/cli/demo-data/random';

export const analyticsWindow = { from: new Date('2026-02-25T00:00:00Z'), to: new Date('2026-04-12T00:00:00Z') };

const channels = ['web_chat', 'email', 'whatsapp', 'phone', 'api'];
const priorities = ['low', 'normal', 'high', 'urgent'];
const inboxes = ['support', 'billing', null];
const conversationTags = ['refund', 'bug', 'urgent', 'onboarding', 'billing'];
const customerTags = ['vip', 'trial', 'enterprise', 'churn-risk'];
const authorTypes = ['customer', 'customer', 'agent', 'bot', 'system'];
const minuteMs = 60_000;

/**
 * Writes a random support history into a workspace the way the gateway does, through the same
 * tables and triggers: conversations created over analyticsWindow (around both 2026 DST changes),
 * walks through the status machine with reopenings, messages whose first agent or bot reply sets
 * first_response_at, reassignments and retagging, feedback on conversations and on customers alone. Timestamps land on whole
 * milliseconds, as the columns keep them.
 */
export async function writeRandomSupportHistory(databaseUrl: string, workspaceId: string, seed: number, conversationCount: number): Promise<void> {
  const random = createRandom(seed);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const prefix = `s${seed}_${workspaceId.slice(0, 4)}`;
  try {
    await client.query('begin');
    const teams = [1, 2, 3].map((index) => `team_${prefix}_${index}`);
    for (const id of teams) await client.query(`insert into teams (id, workspace_id, name) values ($1, $2, $1)`, [id, workspaceId]);
    const agents = [1, 2, 3, 4, 5, 6].map((index) => `agt_${prefix}_${index}`);
    for (const id of agents) await client.query(`insert into agents (id, workspace_id, team_id, name, email) values ($1, $2, $3, $1, $1 || '@example.com')`, [id, workspaceId, random.pick(teams)]);
    const customers = Array.from({ length: 40 }, (_, index) => `cus_${prefix}_${index}`);
    for (const id of customers) {
      await client.query(`insert into customers (id, workspace_id, name, tags) values ($1, $2, $1, $3)`, [id, workspaceId, random.sample(customerTags, random.int(0, 2))]);
    }

    const span = analyticsWindow.to.getTime() - analyticsWindow.from.getTime();
    for (let index = 0; index < conversationCount; index++) {
      const id = `conv_${prefix}_${index}`;
      const createdAt = analyticsWindow.from.getTime() + Math.floor(random.next() * span);
      await client.query(
        `insert into conversations (id, workspace_id, customer_id, subject, status, priority, channel, inbox, assignee_id, team_id, tags, created_at, updated_at, last_activity_at)
         values ($1, $2, $3, $1, 'open', $4, $5, $6, $7, $8, $9, $10, $10, $10)`,
        [
          id, workspaceId, random.chance(0.8) ? random.pick(customers) : null, random.pick(priorities), random.pick(channels), random.pick(inboxes),
          random.chance(0.7) ? random.pick(agents) : null, random.chance(0.6) ? random.pick(teams) : null,
          random.sample(conversationTags, random.int(0, 3)), new Date(createdAt),
        ],
      );

      let at = createdAt;
      let status: ConversationStatus = 'open';
      for (let step = random.int(0, 5); step > 0; step--) {
        at += random.int(1, 3 * 24 * 60) * minuteMs + random.int(0, 59_999);
        status = random.pick(allowedTransitions[status]);
        await client.query(`update conversations set status = $2, last_activity_at = $3, resolved_at = $4, updated_at = $3 where id = $1`, [
          id, status, new Date(at), status === 'resolved' ? new Date(at) : null,
        ]);
        if (random.chance(0.25)) {
          // Reassigned, retagged, reprioritised: its whole history now counts under the new values.
          await client.query(`update conversations set assignee_id = $2, tags = $3, priority = $4, channel = $5 where id = $1`, [
            id, random.chance(0.7) ? random.pick(agents) : null, random.sample(conversationTags, random.int(0, 3)), random.pick(priorities), random.pick(channels),
          ]);
        }
      }

      let messageAt = createdAt;
      let firstResponseAt: number | null = null;
      for (let message = random.int(0, 6); message > 0; message--) {
        messageAt += random.int(0, 2 * 24 * 60) * minuteMs + random.int(0, 59_999);
        const authorType = random.pick(authorTypes);
        if (firstResponseAt === null && (authorType === 'agent' || authorType === 'bot')) firstResponseAt = messageAt;
        await client.query(`insert into messages (id, workspace_id, conversation_id, author_type, body, created_at) values ($1, $2, $3, $4, 'text', $5)`, [
          `msg_${id}_${message}`, workspaceId, id, authorType, new Date(messageAt),
        ]);
      }
      if (firstResponseAt !== null) await client.query(`update conversations set first_response_at = $2 where id = $1`, [id, new Date(firstResponseAt)]);

      if (random.chance(0.35)) {
        await client.query(`insert into satisfaction_feedback (id, workspace_id, conversation_id, rating, nps_score, created_at) values ($1, $2, $3, $4, $5, $6)`, [
          `fb_${id}`, workspaceId, id, random.chance(0.8) ? random.int(1, 5) : null, random.chance(0.6) ? random.int(0, 10) : null,
          new Date(at + random.int(1, 48 * 60) * minuteMs),
        ]);
      }
    }
    for (let index = 0; index < 10; index++) {
      await client.query(`insert into satisfaction_feedback (id, workspace_id, customer_id, rating, nps_score, created_at) values ($1, $2, $3, $4, $5, $6)`, [
        `fb_${prefix}_customer_${index}`, workspaceId, random.pick(customers), random.int(1, 5), random.int(0, 10),
        new Date(analyticsWindow.from.getTime() + Math.floor(random.next() * span)),
      ]);
    }
    await client.query('commit');
  } finally {
    await client.end();
  }
}
