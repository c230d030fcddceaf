import { Client } from 'pg';
import { Conversation } from '../../src/modules/conversations';
import { walkOf } from '../../src/platform/pagination/keyset-walk';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { insertBareConversations } from '../support/seed-support-data';

const rows = 20_000;

describe('DEEP: a page deep in a long list reads from its cursor, not from the list’s start', () => {
  let gateway: TestGateway;
  let database: Client;
  beforeAll(async () => {
    gateway = await startGateway({ env: { WEBHOOK_POLL_INTERVAL: '1h' } });
    database = new Client({ connectionString: gateway.databaseUrl });
    await database.connect();
    const workspaceId = (await database.query(`select id from workspaces where slug = 'default'`)).rows[0].id;
    await insertBareConversations(database, workspaceId, rows, 'Deep', '1 minute');
    await database.query('analyze conversations');
  });
  afterAll(async () => {
    await database?.end();
    await gateway?.stop();
  });

  it.each([
    ['newest first, forward', 'desc', 'forward'],
    ['oldest first, forward', 'asc', 'forward'],
    ['newest first, backward', 'desc', 'backward'],
  ] as const)('DEEP-01 %s: the index scan starts at the cursor, so the page reads about a page of rows', async (_name, direction, walkDirection) => {
    const em = gateway.app.orm.em.fork();
    const workspaceId = (await database.query(`select id from workspaces where slug = 'default'`)).rows[0].id;
    const walk = walkOf({ direction: walkDirection, size: 100, cursor: 'x' }, { field: 'createdAt', direction });
    const position = { value: '2026-01-08T00:00:00.000Z', id: 'conv_00000000000000010080' };
    const sql = em
      .createQueryBuilder(Conversation)
      .select(['id'])
      .where({ $and: [{ workspace: workspaceId }, walk.beyond(position)] })
      .orderBy({ createdAt: walk.order, id: walk.order })
      .limit(101)
      .getFormattedQuery();
    const [{ 'QUERY PLAN': [plan] }] = (await database.query(`explain (analyze, format json) ${sql}`)).rows;
    const scanned = (node: { 'Actual Rows': number; 'Rows Removed by Filter'?: number; Plans?: unknown[] }): number =>
      (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + ((node.Plans as (typeof node)[] | undefined) ?? []).reduce((sum, child) => sum + scanned(child), 0);
    // Without the leading bound the scan begins at the list's end and filters out thousands of rows first.
    expect(scanned(plan.Plan)).toBeLessThan(1_000);
  });
});
