import { Client } from 'pg';
import { createApiKey } from '../support/api-keys';
import { postGraphQL } from '../support/graphql-client';
import { seedAgents, seedConversations } from '../support/seed-support-data';
import { startGatewayWithDatabase, stopGatewayWithDatabase } from '../support/gateway-with-database';
import type { TestGateway } from '../support/start-gateway';

const statisticsFields = `statistics { firstAssignedAt timeToFirstAssignmentSeconds firstResponseAt timeToFirstResponseSeconds lastAgentReplyAt
  lastCustomerMessageAt waitingSince reopenCount handlingTimeSeconds pendingTimeSeconds agentReplyCount customerMessageCount resolutionTimeSeconds }`;
const pageQuery = (first: number) => /* GraphQL */ `{ conversations(first: ${first}, filter: { tags: ["insights"] }) { nodes { id ${statisticsFields}
  rating { csat { score comment } nps { score comment } } statusHistory(first: 10) { totalCount nodes { from to changedAt } } } } }`;
const iso = (value: unknown) => (value == null ? null : new Date(value as string).toISOString());

describe('INSIGHT: conversation statistics, ratings and status history, batched; satisfaction answers for BI', () => {
  let gateway: TestGateway;
  let database: Client;
  const graphql = (query: string, variables: Record<string, unknown> = {}, secret = gateway.adminSecret) => postGraphQL(gateway.graphqlUrl, query, variables, { secret });
  const rows = async (sql: string, values: unknown[] = []) => (await database.query(sql, values)).rows;

  beforeAll(async () => {
    ({ gateway, database } = await startGatewayWithDatabase({ env: { WEBHOOK_POLL_INTERVAL: '1h' } }));
    const seeded = await seedAgents(gateway.databaseUrl, 'default', 3);
    const ids = await seedConversations(gateway.databaseUrl, seeded, 24, 4);
    await database.query(`update conversations set tags = array['insights'] where id = any($1)`, [ids]);
    // Varied histories: some answered, some waiting, resolved, reopened and resolved again, rated.
    for (const [index, id] of ids.entries()) {
      if (index % 2 === 0) await graphql(`mutation M($id: ID!) { messageCreate(input: { conversationId: $id, body: "Still there?", authorType: CUSTOMER }) { message { id } } }`, { id });
      // Bots reply too, and system notes are nobody's messages.
      if (index % 5 === 0) await graphql(`mutation M($id: ID!) { messageCreate(input: { conversationId: $id, body: "Auto-reply", authorType: BOT }) { message { id } } }`, { id });
      if (index % 7 === 0) await graphql(`mutation M($id: ID!) { messageCreate(input: { conversationId: $id, body: "Assigned", authorType: SYSTEM }) { message { id } } }`, { id });
      if (index % 3 === 0) await graphql(`mutation R($id: ID!) { conversationResolve(input: { id: $id }) { conversation { id } } }`, { id });
      if (index % 6 === 0) {
        await graphql(`mutation R($id: ID!) { conversationReopen(input: { id: $id }) { conversation { id } } }`, { id });
        await graphql(`mutation R($id: ID!) { conversationResolve(input: { id: $id }) { conversation { id } } }`, { id });
      }
      if (index % 4 === 0) {
        await graphql(`mutation F($id: ID!) { satisfactionFeedbackCreate(input: { conversationId: $id, rating: 2, comment: "slow" }) { feedback { id } } }`, { id });
        await graphql(`mutation F($id: ID!) { satisfactionFeedbackCreate(input: { conversationId: $id, rating: 5, npsScore: 9, comment: "sorted" }) { feedback { id } } }`, { id });
      }
    }
  });
  afterAll(() => stopGatewayWithDatabase({ gateway, database }));

  /** The statistics recomputed in the test from the raw rows, the way the fields are defined. */
  async function expectedStatistics(id: string) {
    const [conversation] = await rows('select created_at, first_assigned_at, first_response_at, resolved_at, status from conversations where id = $1', [id]);
    const messages = await rows('select author_type, created_at from messages where conversation_id = $1 order by created_at', [id]);
    const changes = await rows('select from_status, to_status, changed_at from conversation_status_changes where conversation_id = $1 order by changed_at, id', [id]);
    const agentTimes = messages.filter((message) => message.author_type === 'agent' || message.author_type === 'bot').map((message) => message.created_at.getTime());
    const customerTimes = messages.filter((message) => message.author_type === 'customer').map((message) => message.created_at.getTime());
    const lastAgent = agentTimes.length ? Math.max(...agentTimes) : null;
    const unanswered = customerTimes.filter((time) => time > (lastAgent ?? -Infinity));
    const seconds = (from: Date, to: Date | null) => (to ? Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000)) : null);
    return {
      firstAssignedAt: iso(conversation.first_assigned_at),
      timeToFirstAssignmentSeconds: seconds(conversation.created_at, conversation.first_assigned_at),
      firstResponseAt: iso(conversation.first_response_at),
      timeToFirstResponseSeconds: seconds(conversation.created_at, conversation.first_response_at),
      lastAgentReplyAt: lastAgent === null ? null : iso(lastAgent),
      lastCustomerMessageAt: customerTimes.length ? iso(Math.max(...customerTimes)) : null,
      waitingSince: conversation.status === 'resolved' || unanswered.length === 0 ? null : iso(Math.min(...unanswered)),
      reopenCount: changes.filter((change) => change.from_status === 'resolved').length,
      agentReplyCount: agentTimes.length,
      customerMessageCount: customerTimes.length,
      resolutionTimeSeconds: seconds(conversation.created_at, conversation.resolved_at),
      history: changes.map((change) => ({ from: change.from_status?.toUpperCase() ?? null, to: change.to_status.toUpperCase(), changedAt: iso(change.changed_at) })),
    };
  }

  it('INSIGHT-01 every conversation of a page has statistics, rating and status history that match its rows', async () => {
    const response = await graphql(pageQuery(50));
    expect(response.body.errors).toBeUndefined();
    const nodes = response.body.data!.conversations.nodes;
    expect(nodes).toHaveLength(24);
    for (const node of nodes) {
      const { history, ...statistics } = await expectedStatistics(node.id);
      const { handlingTimeSeconds, pendingTimeSeconds, ...reported } = node.statistics;
      expect({ id: node.id, ...reported, firstAssignedAt: iso(reported.firstAssignedAt), firstResponseAt: iso(reported.firstResponseAt), lastAgentReplyAt: iso(reported.lastAgentReplyAt), lastCustomerMessageAt: iso(reported.lastCustomerMessageAt), waitingSince: iso(reported.waitingSince) })
        .toEqual({ id: node.id, ...statistics });
      expect(handlingTimeSeconds).toBeGreaterThanOrEqual(0);
      expect(pendingTimeSeconds).toBeGreaterThanOrEqual(0);
      expect(node.statusHistory.nodes.map((change: { changedAt: string }) => ({ ...change, changedAt: iso(change.changedAt) }))).toEqual(history.slice(0, 10));
      expect(node.statusHistory.totalCount).toBe(history.length);
    }
    const rated = nodes.filter((node: any) => node.rating.csat);
    expect(rated.length).toBe(6);
    for (const node of rated) expect(node.rating).toEqual({ csat: { score: 5, comment: 'sorted' }, nps: { score: 9, comment: 'sorted' } });
    expect(nodes.filter((node: any) => node.statistics.reopenCount === 1)).toHaveLength(4);
    expect(nodes.some((node: any) => node.statistics.waitingSince !== null)).toBe(true);
    // Seeded with an assignee: first assigned as they were created.
    expect(nodes.every((node: any) => node.statistics.timeToFirstAssignmentSeconds === 0)).toBe(true);
  });

  it('INSIGHT-05 the first assignment is recorded when it happens, on any write path, and a reassignment does not move it', async () => {
    const [agent] = (await rows(`select id from agents limit 2`)).map((row) => row.id);
    const [second] = (await rows(`select id from agents where id <> $1 limit 1`, [agent])).map((row) => row.id);
    const { id } = (await graphql(`mutation { conversationCreate(input: { subject: "INSIGHT-05", channel: API }) { conversation { id } } }`)).body.data!.conversationCreate.conversation;
    const read = async () => (await graphql(`query C($id: ID!) { conversation(id: $id) { statistics { firstAssignedAt } } }`, { id })).body.data!.conversation.statistics.firstAssignedAt;
    const unassigned = await read();
    await graphql(`mutation A($id: ID!, $agent: ID!) { conversationAssign(input: { id: $id, assigneeId: $agent }) { conversation { id } } }`, { id, agent });
    const assigned = await read();
    await database.query(`update conversations set assignee_id = $2 where id = $1`, [id, second]);

    expect(unassigned).toBeNull();
    expect(assigned).not.toBeNull();
    expect(await read()).toBe(assigned);
  });

  it('INSIGHT-02 handling time counts the time spent OPEN or ESCALATED, pending time the time spent PENDING, from the history', async () => {
    const [{ id }] = await rows(`select id from conversations where tags = array['insights'] order by id limit 1`);
    await database.query(`delete from conversation_status_changes where conversation_id = $1`, [id]);
    await database.query(`insert into conversation_status_changes (workspace_id, conversation_id, from_status, to_status, changed_at)
      select workspace_id, id, x.from_status, x.to_status, x.changed_at from conversations,
      (values (null, 'open', timestamptz '2026-01-01 10:00Z'), ('open', 'pending', timestamptz '2026-01-01 10:30Z'),
              ('pending', 'escalated', timestamptz '2026-01-01 11:00Z'), ('escalated', 'resolved', timestamptz '2026-01-01 11:15Z')) as x(from_status, to_status, changed_at)
      where id = $1`, [id]);
    const { statistics } = (await graphql(`query C($id: ID!) { conversation(id: $id) { statistics { handlingTimeSeconds pendingTimeSeconds } } }`, { id })).body.data!.conversation;
    expect(statistics).toEqual({ handlingTimeSeconds: 45 * 60, pendingTimeSeconds: 30 * 60 });
  });

  it('INSIGHT-03 a page with statistics, rating and status history runs the same statements for 5 conversations as for 20', async () => {
    const statementsFor = async (first: number) => {
      const statements: string[] = [];
      const countStatement = gateway.app.orm.config.get('onQuery');
      gateway.app.orm.config.set('onQuery', (sql: string, params: unknown[]) => (statements.push(sql), countStatement(sql, params)));
      try {
        const response = await graphql(pageQuery(first));
        expect(response.body.data!.conversations.nodes).toHaveLength(first);
      } finally {
        gateway.app.orm.config.set('onQuery', countStatement);
      }
      return statements.length;
    };
    await statementsFor(5);
    expect(await statementsFor(20)).toBe(await statementsFor(5));
  });

  it('INSIGHT-04 satisfactionFeedbacks lists the workspace’s answers newest first, filtered by rating, conversation and time; it needs customers:read', async () => {
    const all = (await graphql(`{ satisfactionFeedbacks(first: 100) { totalCount nodes { id conversationId rating npsScore comment createdAt } } }`)).body.data!.satisfactionFeedbacks;
    const low = (await graphql(`{ satisfactionFeedbacks(first: 100, filter: { maxRating: 3 }) { totalCount nodes { rating } } }`)).body.data!.satisfactionFeedbacks;
    const one = all.nodes[0].conversationId;
    const ofOne = (await graphql(`query F($ids: [ID!]) { satisfactionFeedbacks(first: 100, filter: { conversationIds: $ids, createdAfter: "2000-01-01T00:00:00Z" }) { nodes { conversationId } } }`, { ids: [one] })).body.data!.satisfactionFeedbacks;
    const reader = await createApiKey(gateway.graphqlUrl, gateway.adminSecret, { scopes: ['conversations:read'] });
    const refused = await graphql(`{ satisfactionFeedbacks(first: 1) { totalCount } }`, {}, reader.secret);
    const badFilter = await graphql(`{ satisfactionFeedbacks(first: 1, filter: { minRating: 0 }) { totalCount } }`);

    expect(all.totalCount).toBe(12);
    const times = all.nodes.map((node: { createdAt: string }) => node.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(low).toEqual({ totalCount: 6, nodes: Array(6).fill({ rating: 2 }) });
    expect(ofOne.nodes).toEqual([{ conversationId: one }, { conversationId: one }]);
    expect(refused.body.errors![0].extensions.code).toBe('FORBIDDEN');
    expect(badFilter.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'filter.minRating', message: expect.any(String) }] });
  });
});
