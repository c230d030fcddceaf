import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { eventRetentionJob } from '../../src/modules/events';
import { runOnce } from '../../src/platform/jobs/periodic-job';
import { createLogger } from '../../src/platform/observability/logger';
import path from 'node:path';
import { renderEventDocs } from '../../src/modules/events/event-docs';
import { eventCatalogue, type EventType } from '../../src/modules/events/event-catalogue';
import { createWorkspaceKey } from '../support/create-workspace-key';
import { postGraphQL } from '../support/graphql-client';
import { startGateway, type TestGateway } from '../support/start-gateway';

const eventsQuery = /* GraphQL */ `
  query Events($first: Int, $after: String, $filter: EventFilter) {
    events(first: $first, after: $after, filter: $filter) { nodes { id type sequence occurredAt data } pageInfo { hasNextPage endCursor } }
  }
`;

describe('EVLOG: the event log, for catch-up and polling', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway();
    for (const subject of ['First', 'Second', 'Third']) {
      await postGraphQL(gateway.graphqlUrl, `mutation { conversationCreate(input: { subject: "${subject}", channel: API }) { conversation { id } } }`, {}, { secret: gateway.adminSecret });
    }
  });
  afterAll(() => gateway.stop());

  it('EVLOG-01 lists events oldest first with gap-free sequences, paging by cursor', async () => {
    const first = await postGraphQL(gateway.graphqlUrl, eventsQuery, { first: 2 }, { secret: gateway.adminSecret });
    const second = await postGraphQL(gateway.graphqlUrl, eventsQuery, { first: 100, after: first.body.data!.events.pageInfo.endCursor }, { secret: gateway.adminSecret });
    const events = [...first.body.data!.events.nodes, ...second.body.data!.events.nodes];
    expect(events.map((event: { sequence: number }) => event.sequence)).toEqual(events.map((_: unknown, index: number) => index + 1));
    const created = events.filter((event: { type: string }) => event.type === 'conversation.created');
    expect(created.map((event: { data: any }) => event.data.conversation.subject)).toEqual(['First', 'Second', 'Third']);
    expect(events[0]).toMatchObject({ id: expect.stringMatching(/^evt_/), occurredAt: expect.any(String) });
  });

  it('EVLOG-02 filters by type, and shows exactly the types whose scope the key holds', async () => {
    await postGraphQL(gateway.graphqlUrl, `mutation { customerUpsert(input: { email: "evlog-02@example.com" }) { customer { id } } }`, {}, { secret: gateway.adminSecret });
    const customersReader = await createWorkspaceKey(gateway, 'default', ['events:read', 'customers:read']);
    const conversationsReader = await createWorkspaceKey(gateway, 'default', ['events:read', 'conversations:read']);
    const eventsOnly = await createWorkspaceKey(gateway, 'default', ['events:read']);
    const typesSeenBy = async (secret: string, filter?: { types: string[] }) =>
      (await postGraphQL(gateway.graphqlUrl, eventsQuery, { first: 100, filter }, { secret })).body.data!.events.nodes.map((event: { type: EventType }) => event.type) as EventType[];
    const everything = await typesSeenBy(gateway.adminSecret);
    const needing = (scope: string) => everything.filter((type) => eventCatalogue[type].requiredScope === scope);
    expect(new Set(everything)).toEqual(new Set(['conversation.created', 'customer.created', 'api_key.created']));

    expect(await typesSeenBy(gateway.adminSecret, { types: ['api_key.created', 'customer.created'] })).toEqual(everything.filter((type) => type !== 'conversation.created'));
    expect(await typesSeenBy(customersReader.secret)).toEqual(needing('customers:read'));
    expect(await typesSeenBy(conversationsReader.secret)).toEqual(needing('conversations:read'));
    expect(await typesSeenBy(eventsOnly.secret)).toEqual([]);
    expect(await typesSeenBy(customersReader.secret, { types: ['conversation.created', 'customer.created'] })).toEqual(['customer.created']);
    const unknown = await postGraphQL(gateway.graphqlUrl, eventsQuery, { first: 10, filter: { types: ['conversation.exploded'] } }, { secret: gateway.adminSecret });
    expect(unknown.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ field: 'filter.types.0' }] });
  });

  it('EVLOG-03 another workspace’s events are invisible', async () => {
    const other = await createWorkspaceKey(gateway, 'other-events', ['admin']);
    const response = await postGraphQL(gateway.graphqlUrl, eventsQuery, { first: 100 }, { secret: other.secret });
    expect(response.body.data!.events.nodes.map((event: { type: string }) => event.type)).toEqual(['api_key.created']);
  });

  it('EVLOG-04 docs/events.md is generated from the catalogue (run `npm run docs:events`)', () => {
    expect(readFileSync(path.join(__dirname, '../../docs/events.md'), 'utf8')).toBe(renderEventDocs());
  });

  it('EVLOG-05 the retention job deletes events older than EVENT_RETENTION and keeps the rest', async () => {
    const database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    try {
      const before = Number((await database.query('select count(*) from events')).rows[0].count);
      const [{ id: oldest }] = (await database.query('select id from events order by occurred_at, id limit 1')).rows;
      await database.query(`update events set occurred_at = now() - interval '31 days' where id = $1`, [oldest]);
      await runOnce(gateway.app.orm, eventRetentionJob(30 * 86_400_000), createLogger('silent'));
      expect(Number((await database.query('select count(*) from events')).rows[0].count)).toBe(before - 1);
      expect((await database.query('select count(*) from events where id = $1', [oldest])).rows[0].count).toBe('0');
    } finally {
      await database.end();
    }
  });
});
